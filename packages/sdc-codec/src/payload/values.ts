import type { CborReader, CborValue, CborWriter } from '../cbor.js';
import type { ContractColumn } from '../contract.js';
import { SdcError } from '../errors.js';
import type { SdcLimits } from '../limits.js';
import { isCanonicalUuid, uuidToBytes, uuidToString } from '../uuid.js';
import type { Vocabulary } from '../vocabulary.js';
import { DAY_MS, dateToDays, daysToDate, secondsToTime, timeToSeconds } from './dates.js';

// One value of a contract column (docs/sdc-format.md §4.3): the number a packed column carries for
// it, and the bare CBOR item a single row (or an unpacked column of a batch) carries.

/** Column types whose values can travel as numbers in a packed column. */
export const PACKABLE: ReadonlySet<string> = new Set([
  'enum',
  'boolean',
  'integer',
  'smallint',
  'bigint',
  'date',
  'time',
  'timestamp',
]);

export function valueMismatch(where: string, expected: string): SdcError {
  return new SdcError('schema-mismatch', `${where}: expected ${expected}`);
}

/** Module-level (not a closure per value): decoding calls it for every column of every row. */
export function columnMismatch(name: string): SdcError {
  return new SdcError('schema-mismatch', `column ${name} has a value of the wrong type`);
}

export function checkFieldSize(value: CborValue, limits: SdcLimits, name: string): void {
  if ((typeof value === 'string' || value instanceof Uint8Array) && value.length > limits.maxFieldBytes) {
    throw new SdcError('too-large', `field ${name} is larger than ${limits.maxFieldBytes}`);
  }
}

/**
 * The number a packable value stands for (§4.3): enum index, 0/1, the integer, days, seconds, or
 * for a timestamp its absolute milliseconds; undefined when it must travel as text (an enum value
 * outside the contract, a date or time not in canonical form). Throws for a value of the wrong type.
 */
export function numberOf(column: ContractColumn, value: unknown, where: string): number | undefined {
  switch (column.type) {
    case 'enum': {
      if (typeof value !== 'string') throw valueMismatch(where, 'a string');
      const index = column.values?.indexOf(value) ?? -1;
      return index >= 0 ? index : undefined;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw valueMismatch(where, 'a boolean');
      return value ? 1 : 0;
    case 'integer':
    case 'smallint':
    case 'bigint':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw valueMismatch(where, 'an integer');
      return value;
    case 'date':
      if (typeof value !== 'string') throw valueMismatch(where, 'a YYYY-MM-DD string');
      return dateToDays(value);
    case 'time':
      if (typeof value !== 'string') throw valueMismatch(where, 'an HH:MM:SS string');
      return timeToSeconds(value);
    case 'timestamp': {
      const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
      if (!date || Number.isNaN(date.getTime())) throw valueMismatch(where, 'a Date');
      return date.getTime();
    }
    default:
      return undefined;
  }
}

/** The value a number stands for in a column of this type (the inverse of `numberOf`); moves the row's anchor. */
export function fromNumber(
  column: ContractColumn,
  n: number,
  name: string,
  anchors: number[],
  r: number,
): unknown {
  if (!Number.isSafeInteger(n)) throw columnMismatch(name);
  switch (column.type) {
    case 'enum':
      if (column.values && n >= 0 && n < column.values.length) return column.values[n] as string;
      throw columnMismatch(name);
    case 'boolean':
      if (n === 0 || n === 1) return n === 1;
      throw columnMismatch(name);
    case 'integer':
    case 'smallint':
    case 'bigint':
      return n;
    case 'date':
      if (Math.abs(n) >= 100_000_000) throw columnMismatch(name);
      anchors[r] = n * DAY_MS;
      return daysToDate(n);
    case 'time':
      if (n < 0 || n >= 86_400) throw columnMismatch(name);
      return secondsToTime(n);
    case 'timestamp': {
      const ms = (anchors[r] as number) + n;
      const date = new Date(ms);
      if (Number.isNaN(date.getTime())) throw columnMismatch(name);
      anchors[r] = ms;
      return date;
    }
    default:
      throw columnMismatch(name);
  }
}

/** One row's value (§4.3): the bare item. */
export function writeSingleValue(
  out: CborWriter,
  column: ContractColumn,
  value: unknown,
  where: string,
  anchors: number[],
  vocabulary: Vocabulary,
): void {
  if (value === null) {
    out.simple(null);
    return;
  }
  if (column.type === 'text' || column.type === 'numeric') {
    if (typeof value !== 'string') throw valueMismatch(where, 'a string');
    const word = vocabulary.indexOf(value);
    if (word === undefined) out.text(value);
    else out.integer(-1 - word);
    return;
  }
  if (PACKABLE.has(column.type)) {
    const number = numberOf(column, value, where);
    if (number === undefined) {
      out.text(value as string);
      return;
    }
    if (column.type === 'boolean') out.simple(number === 1);
    else if (column.type === 'timestamp') {
      out.integer(number - (anchors[0] as number));
      anchors[0] = number;
    } else {
      if (column.type === 'date') anchors[0] = number * DAY_MS;
      out.integer(number);
    }
    return;
  }
  writeOpaqueValue(out, column, value, where);
}

/** uuid, bytes and json columns: the same item alone and in a batch. */
export function writeOpaqueValue(
  out: CborWriter,
  column: ContractColumn,
  value: unknown,
  where: string,
): void {
  switch (column.type) {
    case 'uuid':
      if (typeof value !== 'string') throw valueMismatch(where, 'a UUID string');
      if (isCanonicalUuid(value)) out.bytes(uuidToBytes(value));
      else out.text(value);
      return;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw valueMismatch(where, 'bytes');
      out.bytes(value);
      return;
    case 'json':
      try {
        out.value(value);
      } catch (error) {
        throw new SdcError('invalid-input', `${where}: not encodable`, { cause: error });
      }
      return;
    default:
      throw new SdcError('schema-mismatch', `${where}: unknown column type`);
  }
}

/** One bare value: a single row's, or one in an unpacked column of a batch. */
export function readBareValue(
  reader: CborReader,
  column: ContractColumn,
  limits: SdcLimits,
  name: string,
  anchors: number[],
  r: number,
  vocabulary: Vocabulary,
): unknown {
  const value = reader.value(1);
  if (value === null) return null;
  checkFieldSize(value, limits, name);
  switch (column.type) {
    case 'text':
    case 'numeric':
      if (typeof value === 'string') return value;
      // A word of the vocabulary, by index.
      if (
        typeof value === 'number' &&
        Number.isInteger(value) &&
        value < 0 &&
        -1 - value < vocabulary.words.length
      ) {
        return vocabulary.words[-1 - value];
      }
      throw columnMismatch(name);
    case 'enum':
    case 'date':
    case 'time':
      // Outside the contract's list, or not in canonical form: the text as it was given.
      if (typeof value === 'string') return value;
      if (typeof value !== 'number') throw columnMismatch(name);
      return fromNumber(column, value, name, anchors, r);
    case 'boolean':
      if (typeof value !== 'boolean') throw columnMismatch(name);
      return value;
    case 'integer':
    case 'smallint':
    case 'bigint':
    case 'timestamp':
      if (typeof value !== 'number') throw columnMismatch(name);
      return fromNumber(column, value, name, anchors, r);
    case 'uuid':
      if (typeof value === 'string') return value;
      if (value instanceof Uint8Array && value.length === 16) return uuidToString(value);
      throw columnMismatch(name);
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw columnMismatch(name);
      return new Uint8Array(value);
    case 'json':
      return value instanceof Uint8Array ? new Uint8Array(value) : value;
    default:
      throw columnMismatch(name);
  }
}
