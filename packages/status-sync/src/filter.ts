import type { AnyTable, ColumnSpec } from '@xmcomm/schema';
import { validateRow } from '@xmcomm/schema';
import type { Kysely } from 'kysely';

/** The operators an import filter may use. Anything else is refused before any SQL exists. */
export const filterOperators = ['=', '!=', '<', '<=', '>', '>=', 'like', 'in', 'between', 'is-null'] as const;
export type FilterOperator = (typeof filterOperators)[number];

export interface FilterCondition {
  readonly field: string;
  readonly op: FilterOperator;
  /** A column value; an array for `in` (1..100 values) and `between` (two values); absent for `is-null`. */
  readonly value?: unknown;
}

export interface FilterOrder {
  readonly field: string;
  readonly direction?: 'asc' | 'desc';
}

/** A structured import request: never SQL. Conditions are ANDed. */
export interface ImportFilter {
  readonly table: string;
  readonly conditions?: readonly FilterCondition[];
  readonly order?: readonly FilterOrder[];
  readonly limit?: number | null;
  /** Opaque: where the previous page ended. */
  readonly cursor?: string | null;
}

export const filterErrorCodes = [
  'not-an-object',
  'unknown-table',
  'unknown-field',
  'unknown-operator',
  'invalid-value',
  'operator-not-applicable',
  'too-many-conditions',
  'invalid-order',
  'invalid-limit',
  'invalid-cursor',
] as const;
export type FilterErrorCode = (typeof filterErrorCodes)[number];

export interface FilterError {
  readonly code: FilterErrorCode;
  /** The part of the filter at fault (`conditions[2].field`), when there is one. */
  readonly where: string | null;
  readonly message: string;
  readonly messageFr: string;
}

export interface CheckedFilter {
  readonly table: AnyTable;
  readonly conditions: readonly FilterCondition[];
  readonly order: readonly { field: string; direction: 'asc' | 'desc' }[];
  readonly limit: number;
  readonly offset: number;
}

export interface FilterLimits {
  readonly maxConditions: number;
  readonly maxInValues: number;
  readonly maxLimit: number;
  readonly defaultLimit: number;
}

export const defaultFilterLimits: FilterLimits = {
  maxConditions: 20,
  maxInValues: 100,
  maxLimit: 10_000,
  defaultLimit: 1_000,
};

const describe: Record<FilterErrorCode, { en: string; fr: string }> = {
  'not-an-object': { en: 'the filter is not an object', fr: "le filtre n'est pas un objet" },
  'unknown-table': { en: 'unknown table', fr: 'table inconnue' },
  'unknown-field': { en: 'unknown field', fr: 'champ inconnu' },
  'unknown-operator': { en: 'unknown operator', fr: 'opérateur inconnu' },
  'invalid-value': {
    en: "the value does not fit the field's type",
    fr: 'la valeur ne correspond pas au type du champ',
  },
  'operator-not-applicable': {
    en: "the operator does not apply to this field's type",
    fr: "l'opérateur ne s'applique pas au type de ce champ",
  },
  'too-many-conditions': { en: 'too many conditions', fr: 'trop de conditions' },
  'invalid-order': { en: 'invalid order', fr: 'tri invalide' },
  'invalid-limit': { en: 'invalid limit', fr: 'limite invalide' },
  'invalid-cursor': { en: 'invalid cursor', fr: 'curseur invalide' },
};

function refuse(code: FilterErrorCode, where: string | null): { ok: false; error: FilterError } {
  const prefix = where ? `${where}: ` : '';
  return {
    ok: false,
    error: {
      code,
      where,
      message: `${prefix}${describe[code].en}`,
      messageFr: `${prefix}${describe[code].fr}`,
    },
  };
}

/** Fields a filter may name: the row's data, its NIU and origin; not the local `numero` nor `status`. */
function filterableSpec(table: AnyTable, field: string): ColumnSpec | undefined {
  if (field === 'numero' || field === 'status') return undefined;
  if (!Object.hasOwn(table.columns, field)) return undefined;
  return (table.columns as Record<string, ColumnSpec>)[field];
}

const orderable = new Set([
  'text',
  'enum',
  'integer',
  'smallint',
  'bigint',
  'numeric',
  'date',
  'time',
  'timestamp',
]);
const likeable = new Set(['text', 'enum']);

/** One value checked by the contract's own validator, as if it were the column's value in a row. */
function valueFits(spec: ColumnSpec, value: unknown): { ok: true; value: unknown } | { ok: false } {
  if (value === null || value === undefined || hasNul(value)) return { ok: false };
  const probe = {
    name: 'probe',
    columns: { value: { ...spec, required: true, default: undefined, unique: false } },
  } as unknown as AnyTable;
  const checked = validateRow(probe, { value });
  return checked.ok ? { ok: true, value: (checked.value as Record<string, unknown>).value } : { ok: false };
}

/** PostgreSQL text cannot hold U+0000: such a value would fail in the database instead of being refused. */
export function hasNul(value: unknown): boolean {
  return typeof value === 'string' && value.includes('\u0000');
}

const cursorPattern = /^[0-9]{1,9}$/;

/**
 * Checks an import filter, from any source (it is hostile input on the server), against the table
 * contract. Only a filter that passes can be compiled; values come back normalised by the contract's
 * validator.
 */
export function checkFilter(
  input: unknown,
  tables: readonly AnyTable[],
  limits: FilterLimits = defaultFilterLimits,
): { ok: true; value: CheckedFilter } | { ok: false; error: FilterError } {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return refuse('not-an-object', null);
  const filter = input as Record<string, unknown>;
  const table = tables.find((t) => t.kind === 'exchanged' && t.name === filter.table);
  if (!table) return refuse('unknown-table', 'table');

  const rawConditions = filter.conditions ?? [];
  if (!Array.isArray(rawConditions)) return refuse('not-an-object', 'conditions');
  if (rawConditions.length > limits.maxConditions) return refuse('too-many-conditions', 'conditions');
  const conditions: FilterCondition[] = [];
  for (const [index, raw] of rawConditions.entries()) {
    const where = `conditions[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return refuse('not-an-object', where);
    const { field, op, value } = raw as Record<string, unknown>;
    const spec = typeof field === 'string' ? filterableSpec(table, field) : undefined;
    if (!spec || typeof field !== 'string') return refuse('unknown-field', `${where}.field`);
    if (typeof op !== 'string' || !(filterOperators as readonly string[]).includes(op)) {
      return refuse('unknown-operator', `${where}.op`);
    }
    const operator = op as FilterOperator;
    if (operator === 'is-null') {
      if (value !== undefined && value !== null) return refuse('invalid-value', `${where}.value`);
      conditions.push({ field, op: operator });
      continue;
    }
    // Booleans and UUIDs compare for equality only; JSON and bytes only test for null.
    const equalityOnly = spec.type === 'boolean' || spec.type === 'uuid';
    if (!orderable.has(spec.type) && !(equalityOnly && ['=', '!=', 'in'].includes(operator))) {
      return refuse('operator-not-applicable', `${where}.op`);
    }
    if (operator === 'like') {
      if (!likeable.has(spec.type)) return refuse('operator-not-applicable', `${where}.op`);
      if (typeof value !== 'string' || value.length === 0 || value.length > 200 || hasNul(value)) {
        return refuse('invalid-value', `${where}.value`);
      }
      conditions.push({ field, op: operator, value });
      continue;
    }
    if (operator === 'in' || operator === 'between') {
      const count = Array.isArray(value) ? value.length : -1;
      const fits = operator === 'in' ? count >= 1 && count <= limits.maxInValues : count === 2;
      if (!fits) return refuse('invalid-value', `${where}.value`);
      const values: unknown[] = [];
      for (const item of value as unknown[]) {
        const checked = valueFits(spec, item);
        if (!checked.ok) return refuse('invalid-value', `${where}.value`);
        values.push(checked.value);
      }
      conditions.push({ field, op: operator, value: values });
      continue;
    }
    const checked = valueFits(spec, value);
    if (!checked.ok) return refuse('invalid-value', `${where}.value`);
    conditions.push({ field, op: operator, value: checked.value });
  }

  const rawOrder = filter.order ?? [];
  if (!Array.isArray(rawOrder) || rawOrder.length > 3) return refuse('invalid-order', 'order');
  const order: { field: string; direction: 'asc' | 'desc' }[] = [];
  for (const [index, raw] of rawOrder.entries()) {
    const where = `order[${index}]`;
    if (typeof raw !== 'object' || raw === null) return refuse('invalid-order', where);
    const { field, direction = 'asc' } = raw as Record<string, unknown>;
    const spec = typeof field === 'string' ? filterableSpec(table, field) : undefined;
    if (!spec || typeof field !== 'string' || !orderable.has(spec.type))
      return refuse('invalid-order', `${where}.field`);
    if (direction !== 'asc' && direction !== 'desc') return refuse('invalid-order', `${where}.direction`);
    order.push({ field, direction });
  }

  const limit = filter.limit ?? limits.defaultLimit;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > limits.maxLimit) {
    return refuse('invalid-limit', 'limit');
  }
  const cursor = filter.cursor ?? null;
  if (cursor !== null && (typeof cursor !== 'string' || !cursorPattern.test(cursor))) {
    return refuse('invalid-cursor', 'cursor');
  }
  return {
    ok: true,
    value: { table, conditions, order, limit, offset: cursor === null ? 0 : Number(cursor) },
  };
}

const comparison = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  like: 'like',
} as const;

// Identifiers below come only from the checked filter, i.e. from the table contract; every value is a
// parameter. The query is built with Kysely's dynamic references on an untyped view of the database.
// biome-ignore lint/suspicious/noExplicitAny: table chosen at run time from the contract
type UntypedDb = Kysely<any>;

/**
 * The rows a checked filter selects, at most `take` of them from its offset: on the server, only rows
 * received and stored (status 2), as the original documents say of an import without a condition.
 */
export function compileFilter<DB>(db: Kysely<DB>, filter: CheckedFilter, take: number) {
  const untyped = db as unknown as UntypedDb;
  let query = untyped.selectFrom(filter.table.qualifiedName).selectAll().where('status', '=', 2);
  for (const condition of filter.conditions) {
    const ref = untyped.dynamic.ref(condition.field);
    if (condition.op === 'is-null') query = query.where(ref, 'is', null);
    else if (condition.op === 'in') query = query.where(ref, 'in', condition.value as unknown[]);
    else if (condition.op === 'between') {
      const [low, high] = condition.value as [unknown, unknown];
      query = query.where((eb) => eb.between(ref, low, high));
    } else query = query.where(ref, comparison[condition.op], condition.value);
  }
  for (const { field, direction } of filter.order) {
    query = query.orderBy(untyped.dynamic.ref(field), (ob) => (direction === 'desc' ? ob.desc() : ob.asc()));
  }
  return query.orderBy('numero').limit(take).offset(filter.offset);
}
