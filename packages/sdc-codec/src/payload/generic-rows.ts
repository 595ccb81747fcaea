import type { CborReader, CborValue, CborWriter } from '../cbor.js';
import { SdcError } from '../errors.js';
import type { SdcLimits } from '../limits.js';
import type { Vocabulary } from '../vocabulary.js';
import type { PayloadHeader } from './header.js';
import { own, type Row } from './row.js';
import { checkFieldSize } from './values.js';

// Rows of a table the contract does not know (docs/sdc-format.md §4.4): field names once per
// container, then column by column.

/** The rows mode of a generic table. */
export const ROWS_GENERIC = 1;
/** CBOR tag 25 (stringref): the nth string already sent in the same generic column. */
const STRINGREF_TAG = 25;

export function writeGenericRows(out: CborWriter, rows: readonly Row[], vocabulary: Vocabulary): void {
  // Field names once per container, in order of first appearance; absent fields are CBOR undefined.
  const names: string[] = [];
  const seen = new Set<string>();
  for (const [index, row] of rows.entries()) {
    if (typeof row !== 'object' || row === null)
      throw new SdcError('invalid-input', `row ${index} is not an object`);
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  out.head(4, names.length + 3);
  out.integer(ROWS_GENERIC);
  out.integer(rows.length);
  out.head(4, names.length);
  for (const name of names) out.text(name);
  const single = rows.length === 1;
  try {
    for (const name of names) {
      if (!single) out.head(4, rows.length);
      const strings = new Map<string, number>();
      for (const row of rows) {
        const value = own(row, name);
        if (typeof value === 'string') {
          // A string already sent in this column goes as tag 25 (stringref) + its index, a word
          // of the vocabulary as tag 25 + a negative integer.
          const index = strings.get(value);
          if (index !== undefined) {
            out.head(6, STRINGREF_TAG);
            out.integer(index);
            continue;
          }
          const word = vocabulary.indexOf(value);
          if (word !== undefined) {
            out.head(6, STRINGREF_TAG);
            out.integer(-1 - word);
            continue;
          }
          strings.set(value, strings.size);
        }
        out.value(value);
      }
    }
  } catch (error) {
    throw SdcError.isInstance(error)
      ? error
      : new SdcError('invalid-input', 'a value is not encodable', { cause: error });
  }
}

/** The rest of a generic rows array whose length (`count`) and mode the caller has read. */
export function readGenericRows(
  reader: CborReader,
  count: number,
  header: PayloadHeader,
  limits: SdcLimits,
  vocabulary: Vocabulary,
): Row[] {
  const words = vocabulary.words;
  if (header.fingerprint !== null) throw new SdcError('malformed', 'generic rows with a fingerprint');
  if (count < 3) throw new SdcError('malformed', 'generic rows without names');
  const rowCount = reader.uint();
  if (rowCount > limits.maxRows) throw new SdcError('too-large', `more than ${limits.maxRows} rows`);
  if (header.kind === 'rows' && rowCount === 0) throw new SdcError('malformed', 'no rows');
  const nameCount = reader.arrayHead();
  if (nameCount !== count - 3) throw new SdcError('malformed', 'generic rows: names and columns differ');
  const names: string[] = [];
  const unique = new Set<string>();
  for (let i = 0; i < nameCount; i++) {
    const name = reader.textValue();
    if (unique.has(name)) throw new SdcError('malformed', 'duplicate field name');
    unique.add(name);
    names.push(name);
  }
  const rows: Record<string, unknown>[] = new Array(rowCount);
  for (let r = 0; r < rowCount; r++) rows[r] = {};
  const single = rowCount === 1;
  for (const name of names) {
    if (!single && reader.arrayHead() !== rowCount) throw new SdcError('malformed', `column ${name} length`);
    const strings: string[] = [];
    for (let r = 0; r < rowCount; r++) {
      const reference = reader.stringRef();
      let value: CborValue;
      if (reference !== undefined) {
        if (reference < 0) {
          if (-1 - reference >= words.length) throw new SdcError('malformed', 'word out of range');
          value = words[-1 - reference] as string;
        } else if (reference >= strings.length) {
          throw new SdcError('malformed', 'string reference out of range');
        } else value = strings[reference] as string;
      } else {
        value = reader.value(1);
        if (typeof value === 'string') strings.push(value);
      }
      checkFieldSize(value, limits, name);
      // defineProperty: a field named "__proto__" stays a field.
      if (value !== undefined) {
        Object.defineProperty(rows[r], name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
  }
  return rows;
}
