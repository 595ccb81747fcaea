import type { ColumnSpec } from './columns.js';
import { type AnyTable, lifecycleColumnNames, type RowOf } from './define-table.js';
import { fieldErrorMessage } from './messages.js';

export const fieldErrorCodes = [
  'required',
  'type',
  'too-long',
  'not-allowed',
  'invalid-date',
  'invalid-time',
  'invalid-format',
  'out-of-range',
  'unknown-field',
] as const;

export type FieldErrorCode = (typeof fieldErrorCodes)[number];

export interface FieldError {
  readonly field: string;
  readonly code: FieldErrorCode;
  /** English. */
  readonly message: string;
  readonly messageFr: string;
}

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

const dataColumnsOf = new WeakMap<AnyTable, { list: readonly string[]; set: ReadonlySet<string> }>();

function dataColumnSet(table: AnyTable) {
  let columns = dataColumnsOf.get(table);
  if (!columns) {
    const lifecycle = table.kind === 'exchanged' ? lifecycleColumnNames : [];
    const list = Object.freeze(
      Object.keys(table.columns).filter(
        (name) => !lifecycle.includes(name) && table.columns[name]?.default !== 'identity',
      ),
    );
    columns = { list, set: new Set(list) };
    dataColumnsOf.set(table, columns);
  }
  return columns;
}

/**
 * The columns a form writes and a container carries: everything but generated identities and, in
 * exchanged tables, the lifecycle's own columns (a system table's `status` is ordinary data).
 * Computed once per table: validation runs for every row of every container.
 */
export function dataColumns(table: AnyTable): readonly string[] {
  return dataColumnSet(table).list;
}

/** Kept for the codec's vocabulary: the columns that travel in a container are the data columns. */
export const transportedColumns = dataColumns;

/**
 * Checks an input row against a table's data columns. Every problem is reported, each with its field,
 * so a form can show them all at once. Missing optional fields become null; nothing is trimmed or
 * coerced beyond ISO strings to Date for timestamps, so what is stored is what was given.
 */
export function validateRow<T extends AnyTable>(
  table: T,
  input: unknown,
): ValidationResult<Partial<RowOf<T>> & Record<string, unknown>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [error('(row)', 'type', {})] };
  }
  const row = input as Record<string, unknown>;
  const errors: FieldError[] = [];
  const value: Record<string, unknown> = {};
  const columns = dataColumnSet(table);
  for (const field of Object.keys(row)) {
    if (!columns.set.has(field)) errors.push(error(field, 'unknown-field', {}));
  }
  for (const field of columns.list) {
    const spec = table.columns[field] as ColumnSpec;
    const raw = row[field];
    if (raw === undefined || raw === null) {
      if (spec.required && spec.default === undefined) errors.push(error(field, 'required', {}));
      else if (raw === null || spec.default === undefined) value[field] = null;
      continue;
    }
    const checked = checkValue(field, spec, raw);
    if ('error' in checked) errors.push(checked.error);
    else value[field] = checked.value;
  }
  return errors.length > 0
    ? { ok: false, errors }
    : { ok: true, value: value as Partial<RowOf<T>> & Record<string, unknown> };
}

function error(field: string, code: FieldErrorCode, spec: Partial<ColumnSpec>): FieldError {
  const params = {
    field,
    ...(spec.maxLength !== undefined ? { maxLength: spec.maxLength } : {}),
    ...(spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.max !== undefined ? { max: spec.max } : {}),
    ...(spec.values !== undefined ? { values: spec.values } : {}),
  };
  return {
    field,
    code,
    message: fieldErrorMessage(code, params, 'en'),
    messageFr: fieldErrorMessage(code, params, 'fr'),
  };
}

type Checked = { value: unknown } | { error: FieldError };

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const numericPattern = /^-?\d{1,30}(\.\d{1,30})?$/;

function checkValue(field: string, spec: ColumnSpec, raw: unknown): Checked {
  switch (spec.type) {
    case 'text':
    case 'enum': {
      if (typeof raw !== 'string') return { error: error(field, 'type', spec) };
      if (spec.values && !spec.values.includes(raw)) return { error: error(field, 'not-allowed', spec) };
      // Length in characters (code points), as PostgreSQL's varchar(n) counts them.
      // UTF-16 length bounds the code point count from above, so most values skip the count.
      if (spec.maxLength !== undefined && raw.length > spec.maxLength && codePoints(raw) > spec.maxLength) {
        return { error: error(field, 'too-long', spec) };
      }
      if (spec.pattern !== undefined && !anchored(spec.pattern).test(raw)) {
        return { error: error(field, 'invalid-format', spec) };
      }
      return { value: raw };
    }
    case 'integer':
    case 'smallint':
    case 'bigint': {
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) return { error: error(field, 'type', spec) };
      const [min, max] = integerBounds(spec);
      if (raw < min || raw > max) return { error: error(field, 'out-of-range', spec) };
      return { value: raw };
    }
    case 'numeric': {
      const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
      if (typeof text !== 'string' || !numericPattern.test(text))
        return { error: error(field, 'type', spec) };
      const number = Number(text);
      if ((spec.min !== undefined && number < spec.min) || (spec.max !== undefined && number > spec.max)) {
        return { error: error(field, 'out-of-range', spec) };
      }
      return { value: text };
    }
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : { error: error(field, 'type', spec) };
    case 'date':
      if (typeof raw !== 'string') return { error: error(field, 'type', spec) };
      return isExistingDate(raw) ? { value: raw } : { error: error(field, 'invalid-date', spec) };
    case 'time': {
      if (typeof raw !== 'string') return { error: error(field, 'type', spec) };
      const match = timePattern.exec(raw);
      if (!match) return { error: error(field, 'invalid-time', spec) };
      return { value: `${match[1]}:${match[2]}:${match[3] ?? '00'}` };
    }
    case 'timestamp': {
      const parsed = raw instanceof Date ? raw : typeof raw === 'string' ? new Date(raw) : undefined;
      if (!parsed) return { error: error(field, 'type', spec) };
      if (Number.isNaN(parsed.getTime())) return { error: error(field, 'invalid-date', spec) };
      return { value: parsed };
    }
    case 'uuid':
      return typeof raw === 'string' && uuidPattern.test(raw)
        ? { value: raw.toLowerCase() }
        : { error: error(field, 'type', spec) };
    case 'bytes':
      if (!(raw instanceof Uint8Array)) return { error: error(field, 'type', spec) };
      if (spec.maxLength !== undefined && raw.byteLength > spec.maxLength) {
        return { error: error(field, 'too-long', spec) };
      }
      return { value: raw };
    case 'json':
      return { value: raw };
  }
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const patterns = new Map<string, RegExp>();

/** Compiled once per pattern: validation runs for every row of every container on the hot path. */
function anchored(pattern: string): RegExp {
  let regexp = patterns.get(pattern);
  if (!regexp) {
    regexp = new RegExp(`^(?:${pattern})$`, 'u');
    patterns.set(pattern, regexp);
  }
  return regexp;
}

const integerLimits = {
  smallint: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
} as const;

function integerBounds(spec: ColumnSpec): [number, number] {
  const [low, high] = integerLimits[spec.type as keyof typeof integerLimits];
  return [Math.max(low, spec.min ?? low), Math.min(high, spec.max ?? high)];
}

/** `YYYY-MM-DD` naming a day of the proleptic Gregorian calendar: 2024-02-29 exists, 2023-02-29 does not. */
export function isExistingDate(text: string): boolean {
  const match = datePattern.exec(text);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days;
}
