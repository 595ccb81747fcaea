import type { ColumnSpec } from './columns.js';
import { type AnyTable, lifecycleColumnNames, type RowOf } from './define-table.js';
import { type FieldErrorCode, fieldErrorMessage } from './messages.js';

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

export interface ValidateOptions {
  /**
   * Fields of the input that are neither data nor unknown, left out of the value: a container row's
   * lifecycle columns (`numero`), which the receiver sets itself. Saves copying the row without them.
   */
  readonly ignore?: ReadonlySet<string>;
}

/**
 * Checks an input row against a table's data columns. Every problem is reported, each with its field,
 * so a form can show them all at once. Missing optional fields become null; nothing is trimmed or
 * coerced beyond ISO strings to Date for timestamps, so what is stored is what was given.
 */
export function validateRow<T extends AnyTable>(
  table: T,
  input: unknown,
  options: ValidateOptions = {},
): ValidationResult<Partial<RowOf<T>> & Record<string, unknown>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [error('(row)', 'type', {})] };
  }
  const row = input as Record<string, unknown>;
  const { checkers, known, read, build } = compiled(table);
  const errors: FieldError[] = [];
  const ignored = options.ignore;
  for (const field of Object.keys(row)) {
    if (!known.has(field) && !ignored?.has(field)) errors.push(error(field, 'unknown-field', {}));
  }
  // The given values by column, replaced by the checked ones: null where absent, `omitted` where the
  // database default applies.
  const values = read(row);
  let omissions = false;
  for (let i = 0; i < checkers.length; i++) {
    const checker = checkers[i] as Checker;
    const raw = values[i];
    if (raw === undefined || raw === null) {
      if (checker.required) errors.push(error(checker.field, 'required', {}));
      else if (raw === undefined) {
        if (checker.hasDefault) {
          values[i] = omitted;
          omissions = true;
        } else values[i] = null;
      }
      continue;
    }
    const checked = checker.check(raw);
    if (checked instanceof Failure) errors.push(error(checker.field, checked.code, checker.spec));
    else values[i] = checked;
  }
  if (errors.length > 0) return { ok: false, errors };
  const value = build !== undefined && !omissions ? build(values) : assemble(checkers, values);
  return { ok: true, value: value as Partial<RowOf<T>> & Record<string, unknown> };
}

/** Where an absent column is left to its database default: no key in the value. */
const omitted = Symbol('omitted');

/** The value, field by field in column order, without the omitted ones. */
function assemble(checkers: readonly Checker[], values: readonly unknown[]): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (let i = 0; i < checkers.length; i++) {
    if (values[i] !== omitted) value[(checkers[i] as Checker).field] = values[i];
  }
  return value;
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

/** Why a value was refused; the messages are only built for a refused row. */
class Failure {
  constructor(readonly code: FieldErrorCode) {}
}

const typeFailure = new Failure('type');
const tooLong = new Failure('too-long');
const notAllowed = new Failure('not-allowed');
const invalidDate = new Failure('invalid-date');
const invalidTime = new Failure('invalid-time');
const invalidFormat = new Failure('invalid-format');
const outOfRange = new Failure('out-of-range');

/** The value to store, or why it is refused. */
type Check = (raw: unknown) => unknown;

interface Checker {
  readonly field: string;
  readonly spec: ColumnSpec;
  /** Required on input: NOT NULL without a database default. */
  readonly required: boolean;
  readonly hasDefault: boolean;
  readonly check: Check;
}

interface Compiled {
  /** By column order. */
  readonly checkers: readonly Checker[];
  /** The data columns: any other field of a row is unknown. */
  readonly known: ReadonlySet<string>;
  /** How many rows were validated, up to {@link generateAfter}. */
  uses: number;
  /** A new array of the row's values, by column order. */
  read: (row: Record<string, unknown>) => unknown[];
  /** The value, every data column in order, from the values in that order (else {@link assemble}). */
  build: ((values: readonly unknown[]) => Record<string, unknown>) | undefined;
}

/**
 * Rows validated before a table gets its own code: a table made for one value (status-sync's filters)
 * never pays for a compilation.
 */
const generateAfter = 8;

const compiledTables = new WeakMap<AnyTable, Compiled>();

/** One checker per data column, specialised by type with its bounds and allowed values: computed once per table. */
function compiled(table: AnyTable): Compiled {
  let result = compiledTables.get(table);
  if (!result) {
    const columns = dataColumnSet(table);
    const checkers = columns.list.map((field): Checker => {
      const spec = table.columns[field] as ColumnSpec;
      return {
        field,
        spec,
        required: spec.required && spec.default === undefined,
        hasDefault: spec.default !== undefined,
        check: checkerOf(spec),
      };
    });
    result = {
      checkers,
      known: columns.set,
      uses: 0,
      read: (row) => columns.list.map((field) => row[field]),
      build: undefined,
    };
    compiledTables.set(table, result);
  }
  if (result.uses < generateAfter && ++result.uses === generateAfter) {
    const generated = generatedAccessors(result.checkers.map((checker) => checker.field));
    if (generated) {
      result.read = generated.read;
      result.build = generated.build;
    }
  }
  return result;
}

/**
 * A table's own code to read a row's columns (a property access per column, each learning the shape of
 * the rows it sees) and to build a value (an object literal, which gets its final shape at once): several
 * times faster than the same accesses by computed name. Undefined where code generation from strings is
 * disallowed, or for a column named `__proto__`, which a literal key would take as the prototype where the
 * fallback's assignment does what it always did.
 */
function generatedAccessors(fields: readonly string[]): Pick<Compiled, 'read' | 'build'> | undefined {
  if (fields.includes('__proto__')) return undefined;
  // Names as JSON string literals: any column name is a valid key.
  const names = fields.map((field) => JSON.stringify(field));
  try {
    return {
      read: new Function(
        'r',
        `"use strict"; return [${names.map((name) => `r[${name}]`).join(', ')}];`,
      ) as Compiled['read'],
      build: new Function(
        'v',
        `"use strict"; return { ${names.map((name, i) => `${name}: v[${i}]`).join(', ')} };`,
      ) as Compiled['build'],
    };
  } catch {
    return undefined;
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const numericPattern = /^-?\d{1,30}(\.\d{1,30})?$/;

function checkerOf(spec: ColumnSpec): Check {
  switch (spec.type) {
    case 'text':
    case 'enum':
      return textChecker(spec);
    case 'integer':
    case 'smallint':
    case 'bigint': {
      const [min, max] = integerBounds(spec);
      return (raw) => {
        if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) return typeFailure;
        return raw < min || raw > max ? outOfRange : raw;
      };
    }
    case 'numeric': {
      const { min, max } = spec;
      return (raw) => {
        const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
        if (typeof text !== 'string' || !numericPattern.test(text)) return typeFailure;
        const number = Number(text);
        if ((min !== undefined && number < min) || (max !== undefined && number > max)) return outOfRange;
        return text;
      };
    }
    case 'boolean':
      return (raw) => (typeof raw === 'boolean' ? raw : typeFailure);
    case 'date':
      return (raw) => {
        if (typeof raw !== 'string') return typeFailure;
        return isExistingDate(raw) ? raw : invalidDate;
      };
    case 'time':
      return checkTime;
    case 'timestamp':
      return (raw) => {
        const parsed = raw instanceof Date ? raw : typeof raw === 'string' ? new Date(raw) : undefined;
        if (!parsed) return typeFailure;
        return Number.isNaN(parsed.getTime()) ? invalidDate : parsed;
      };
    case 'uuid':
      return (raw) => (typeof raw === 'string' && uuidPattern.test(raw) ? raw.toLowerCase() : typeFailure);
    case 'bytes': {
      const { maxLength } = spec;
      return (raw) => {
        if (!(raw instanceof Uint8Array)) return typeFailure;
        return maxLength !== undefined && raw.byteLength > maxLength ? tooLong : raw;
      };
    }
    case 'json':
      return (raw) => raw;
  }
}

function textChecker(spec: ColumnSpec): Check {
  const allowed = spec.values ? new Set(spec.values) : undefined;
  const { maxLength, pattern } = spec;
  // Compiled on first use, as before: a value without a pattern never needs it.
  let regexp: RegExp | undefined;
  return (raw) => {
    if (typeof raw !== 'string') return typeFailure;
    if (allowed !== undefined && !allowed.has(raw)) return notAllowed;
    // Length in characters (code points), as PostgreSQL's varchar(n) counts them.
    // UTF-16 length bounds the code point count from above, so most values skip the count.
    if (maxLength !== undefined && raw.length > maxLength && codePoints(raw) > maxLength) return tooLong;
    if (pattern !== undefined) {
      regexp ??= anchored(pattern);
      if (!regexp.test(raw)) return invalidFormat;
    }
    // PostgreSQL's text cannot hold U+0000: refused here, with the field, rather than by the database.
    return raw.includes('\u0000') ? invalidFormat : raw;
  };
}

/** `HH:MM` or `HH:MM:SS` (00:00 to 23:59:59), stored as `HH:MM:SS`. */
function checkTime(raw: unknown): unknown {
  if (typeof raw !== 'string') return typeFailure;
  const length = raw.length;
  if (length !== 5 && length !== 8) return invalidTime;
  const h1 = raw.charCodeAt(0) - 48;
  const h2 = raw.charCodeAt(1) - 48;
  if (h1 < 0 || h1 > 2 || h2 < 0 || h2 > 9 || (h1 === 2 && h2 > 3)) return invalidTime;
  if (raw.charCodeAt(2) !== 58 || !isSexagesimal(raw, 3)) return invalidTime;
  if (length === 5) return `${raw}:00`;
  return raw.charCodeAt(5) === 58 && isSexagesimal(raw, 6) ? raw : invalidTime;
}

/** Two ASCII digits from 00 to 59 at `at`. */
function isSexagesimal(text: string, at: number): boolean {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 5 && units >= 0 && units <= 9;
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

/** Days in each month of a common year. */
const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** `YYYY-MM-DD` naming a day of the proleptic Gregorian calendar: 2024-02-29 exists, 2023-02-29 does not. */
export function isExistingDate(text: string): boolean {
  // As a regular expression would, anything else is read as its string.
  const date = typeof text === 'string' ? text : `${text}`;
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return false;
  const year = digits(date, 0, 4);
  const month = digits(date, 5, 2);
  const day = digits(date, 8, 2);
  // A non-digit makes its part negative.
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  if (day <= (monthDays[month - 1] as number)) return true;
  return month === 2 && day === 29 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0);
}

/** The number written with `count` ASCII digits at `at`, or -1 if one of them is not a digit. */
function digits(text: string, at: number, count: number): number {
  let number = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}
