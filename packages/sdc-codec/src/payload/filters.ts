import { type CborReader, type CborWriter, writeNullableText } from '../cbor.js';
import { SdcError } from '../errors.js';

// The body of an import request (docs/sdc-format.md §4.2): a structured filter, never SQL.

export const FILTER_OPERATORS = [
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'like',
  'in',
  'between',
  'is-null',
  'not-null',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface FilterOrder {
  field: string;
  direction: 'asc' | 'desc';
}

/**
 * A structured import filter: never SQL. The server checks it against the table contract. `in` takes
 * an array of values, `between` an array of two (inclusive bounds), `is-null` and `not-null` none.
 */
export interface ImportFilter {
  table: string;
  where: readonly { field: string; op: FilterOperator; value?: unknown }[];
  /** Sort keys, first one first (empty or absent: the server's order). */
  order?: readonly FilterOrder[];
  limit?: number | null;
  cursor?: string | null;
}

const ORDER_DIRECTIONS = ['asc', 'desc'] as const;

export function writeFilter(out: CborWriter, filter: ImportFilter): void {
  if (!filter || typeof filter.table !== 'string' || !Array.isArray(filter.where)) {
    throw new SdcError('invalid-input', 'an import filter needs a table and a where list');
  }
  const order = filter.order ?? [];
  if (!Array.isArray(order)) throw new SdcError('invalid-input', 'order must be a list');
  out.head(4, 5);
  out.text(filter.table);
  out.head(4, filter.where.length);
  for (const condition of filter.where) {
    if (!FILTER_OPERATORS.includes(condition.op) || typeof condition.field !== 'string') {
      throw new SdcError('invalid-input', `bad condition on ${String(condition.field)}`);
    }
    out.head(4, condition.value === undefined ? 2 : 3);
    out.text(condition.field);
    out.text(condition.op);
    if (condition.value !== undefined) out.value(condition.value);
  }
  out.head(4, order.length);
  for (const key of order) {
    if (!key || typeof key.field !== 'string' || !ORDER_DIRECTIONS.includes(key.direction)) {
      throw new SdcError('invalid-input', `bad order on ${String(key?.field)}`);
    }
    out.head(4, 2);
    out.text(key.field);
    out.text(key.direction);
  }
  if (filter.limit === undefined || filter.limit === null) out.simple(null);
  else out.integer(filter.limit);
  writeNullableText(out, filter.cursor ?? null);
}

export function readFilter(reader: CborReader): ImportFilter {
  if (reader.arrayHead() !== 5) throw new SdcError('malformed', 'import filter');
  const table = reader.textValue();
  const count = reader.arrayHead();
  const where: { field: string; op: FilterOperator; value?: unknown }[] = [];
  for (let i = 0; i < count; i++) {
    const width = reader.arrayHead();
    if (width !== 2 && width !== 3) throw new SdcError('malformed', 'import filter condition');
    const field = reader.textValue();
    const op = reader.textValue() as FilterOperator;
    if (!FILTER_OPERATORS.includes(op)) throw new SdcError('malformed', `unknown operator ${op}`);
    where.push(width === 3 ? { field, op, value: reader.value(1) } : { field, op });
  }
  const keys = reader.arrayHead();
  const order: FilterOrder[] = [];
  for (let i = 0; i < keys; i++) {
    if (reader.arrayHead() !== 2) throw new SdcError('malformed', 'import filter order');
    const field = reader.textValue();
    const direction = reader.textValue() as FilterOrder['direction'];
    if (!ORDER_DIRECTIONS.includes(direction))
      throw new SdcError('malformed', `unknown order direction ${direction}`);
    order.push({ field, direction });
  }
  const limit = reader.isNull() ? null : reader.uint();
  const cursor = reader.isNull() ? null : reader.textValue();
  return { table, where, order, limit, cursor };
}
