import type { CborReader } from '../cbor.js';
import { CborWriter } from '../cbor.js';
import { SdcError } from '../errors.js';
import type { SdcLimits } from '../limits.js';
import { packColumn } from '../packed.js';
import type { Vocabulary } from '../vocabulary.js';
import { nextPacked, nextString, type ReadStreams, type WriteStreams } from './streams.js';
import { checkFieldSize, valueMismatch } from './values.js';

// A text or numeric column of a batch (docs/sdc-format.md §4.5): its distinct values (the items)
// once, and one packed entry per row naming an item or a vocabulary word.

/**
 * An entry below the item count names an item, one above names a vocabulary word directly. Items
 * travel in the strings stream (the column says how many), or in the column as an array where an
 * item may also be a word (a negative integer): few distinct words spread over the vocabulary are
 * cheaper listed once with narrow entries. The encoder keeps the shortest way; an item holding a
 * line feed (the stream's terminator, cheaper than length prefixes) or U+0001 forces the array.
 */
export function writeTextColumn(
  out: CborWriter,
  values: readonly unknown[],
  name: string,
  streams: WriteStreams,
  vocabulary: Vocabulary,
): void {
  const distinct: string[] = [];
  const seen = new Set<string>();
  let terminated = true;
  for (let r = 0; r < values.length; r++) {
    const value = values[r];
    if (value === null) continue;
    if (typeof value !== 'string') throw valueMismatch(`row ${r}, column ${name}`, 'a string');
    if (!seen.has(value)) {
      seen.add(value);
      distinct.push(value);
      if ((value.includes('\n') || value.includes('\u0001')) && vocabulary.indexOf(value) === undefined) {
        terminated = false;
      }
    }
  }
  let best = textColumnVariant(values, distinct, true, false, vocabulary);
  const direct = textColumnVariant(values, distinct, false, false, vocabulary);
  if (direct.cost < best.cost) best = direct;
  if (terminated) {
    const inStream = textColumnVariant(values, distinct, false, true, vocabulary);
    if (inStream.cost <= best.cost) best = inStream;
  }
  out.raw(best.column);
  if (best.strings) streams.strings.push(...best.strings);
  streams.bits.push(best.bits);
}

const utf8 = new TextEncoder();

/** The text with its trailing decimal number plus one, zero-padded to its width; undefined without one. */
function incremented(text: string): string | undefined {
  let start = text.length;
  while (start > 0 && text.charCodeAt(start - 1) >= 0x30 && text.charCodeAt(start - 1) <= 0x39) start--;
  const digits = text.length - start;
  if (digits === 0 || digits > 15) return undefined;
  return text.slice(0, start) + String(Number(text.slice(start)) + 1).padStart(digits, '0');
}

function textColumnVariant(
  values: readonly unknown[],
  distinct: readonly string[],
  listWords: boolean,
  inStream: boolean,
  vocabulary: Vocabulary,
): { column: Uint8Array; strings: string[] | undefined; bits: Uint8Array; cost: number } {
  const items: string[] = [];
  const itemIndex = new Map<string, number>();
  for (const value of distinct) {
    if (listWords || vocabulary.indexOf(value) === undefined) {
      itemIndex.set(value, items.length);
      items.push(value);
    }
  }
  const entries: (number | null)[] = new Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const value = values[r] as string | null;
    if (value === null) entries[r] = null;
    else entries[r] = itemIndex.get(value) ?? items.length + (vocabulary.indexOf(value) as number);
  }
  const bits = packColumn(entries) as Uint8Array;
  const column = new CborWriter();
  if (inStream) {
    column.integer(items.length);
    // U+0001 alone: the item before with its trailing number plus one (identifiers in sequence).
    const strings = items.map((item, k) =>
      k > 0 && item === incremented(items[k - 1] as string) ? '\u0001\n' : `${item}\n`,
    );
    let cost = bits.length;
    for (const item of strings) cost += utf8.encode(item).length;
    const written = column.finish();
    return { column: written, strings, bits, cost: cost + written.length };
  }
  column.head(4, items.length);
  for (const item of items) {
    const word = vocabulary.indexOf(item);
    if (word !== undefined) column.integer(-1 - word);
    else column.text(item);
  }
  const written = column.finish();
  return { column: written, strings: undefined, bits, cost: written.length + bits.length };
}

/** The item count (items in the strings stream) or the items as an array, then packed entries. */
export function readTextColumn(
  reader: CborReader,
  n: number,
  limits: SdcLimits,
  name: string,
  streams: ReadStreams,
  vocabulary: Vocabulary,
): unknown[] {
  const words = vocabulary.words;
  const values: unknown[] = new Array(n);
  let items: string[];
  if (reader.nextMajor() === 0) {
    const count = reader.uint();
    // Each item takes at least its terminator: a larger count is a lie, refused before allocating.
    if (count > streams.strings.length - streams.stringOffset)
      throw new SdcError('malformed', `column ${name}: too many items`);
    items = new Array(count);
    for (let k = 0; k < count; k++) {
      const item = nextString(streams, name);
      if (item !== '\u0001') items[k] = item;
      else {
        const next = k > 0 ? incremented(items[k - 1] as string) : undefined;
        if (next === undefined) throw new SdcError('malformed', `column ${name}: nothing to increment`);
        items[k] = next;
      }
    }
  } else {
    const count = reader.arrayHead();
    items = new Array(count);
    for (let k = 0; k < count; k++) {
      const item = reader.value(1);
      if (typeof item === 'string') items[k] = item;
      else if (typeof item === 'number' && Number.isInteger(item) && item < 0 && -1 - item < words.length) {
        items[k] = words[-1 - item] as string;
      } else throw new SdcError('malformed', `column ${name}: bad item`);
    }
  }
  for (const item of items) checkFieldSize(item, limits, name);
  const count = items.length;
  const entries = nextPacked(streams, n);
  for (let r = 0; r < n; r++) {
    const entry = entries[r] as number | null;
    if (entry === null) values[r] = null;
    else if (entry >= 0 && entry < count) values[r] = items[entry];
    else if (entry >= count && entry - count < words.length) values[r] = words[entry - count];
    else throw new SdcError('malformed', `column ${name}: index out of range`);
  }
  return values;
}
