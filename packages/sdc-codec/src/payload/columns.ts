import type { CborReader, CborWriter } from '../cbor.js';
import type { ContractColumn } from '../contract.js';
import { SdcError } from '../errors.js';
import type { SdcLimits } from '../limits.js';
import { packColumn } from '../packed.js';
import type { Vocabulary } from '../vocabulary.js';
import { DAY_MS } from './dates.js';
import { nextPacked, type ReadStreams, type WriteStreams } from './streams.js';
import { readTextColumn, writeTextColumn } from './text-items.js';
import { fromNumber, numberOf, PACKABLE, readBareValue, writeOpaqueValue } from './values.js';

// A column of a contract batch (docs/sdc-format.md §4.5): packed when it can be, else an array of
// bare values; text columns are text-items.ts's.

export function writeColumn(
  out: CborWriter,
  column: ContractColumn,
  values: readonly unknown[],
  name: string,
  anchors: number[],
  streams: WriteStreams,
  vocabulary: Vocabulary,
): void {
  const n = values.length;
  if (column.type === 'text' || column.type === 'numeric') {
    writeTextColumn(out, values, name, streams, vocabulary);
    return;
  }
  if (PACKABLE.has(column.type)) {
    const numbers: (number | null)[] = new Array(n);
    let packable = true;
    for (let r = 0; r < n; r++) {
      const value = values[r];
      const number = value === null ? null : numberOf(column, value, `row ${r}, column ${name}`);
      if (number === undefined) packable = false;
      numbers[r] = number ?? null;
    }
    // Dates and timestamps also try marker 1, relative to the day of the row's anchor (days, or
    // milliseconds from that midnight): the shorter of the two forms is kept.
    let marker = 0;
    let packed: Uint8Array | undefined;
    if (column.type === 'timestamp' || column.type === 'date') {
      const scale = column.type === 'date' ? DAY_MS : 1;
      const chained = numbers.map((number, r) =>
        number === null || number === undefined
          ? null
          : column.type === 'date'
            ? number
            : number - (anchors[r] as number),
      );
      const dayRelative = numbers.map((number, r) =>
        number === null || number === undefined
          ? null
          : number - Math.floor((anchors[r] as number) / DAY_MS) * (column.type === 'date' ? 1 : DAY_MS),
      );
      packed = packable ? packColumn(chained) : undefined;
      const other = packable ? packColumn(dayRelative) : undefined;
      if (other && (!packed || other.length < packed.length)) {
        packed = other;
        marker = 1;
      }
      for (let r = 0; r < n; r++) {
        const number = numbers[r];
        if (number !== null && number !== undefined) anchors[r] = number * scale;
      }
      if (!packed) {
        // Not packable (out of range): bare values, timestamps relative to their anchor as for one row.
        for (let r = 0; r < n; r++) numbers[r] = chained[r] ?? null;
      }
    } else if (packable) packed = packColumn(numbers);
    if (packed) {
      streams.bits.push(packed);
      out.integer(marker);
      return;
    }
    out.head(4, n);
    for (let r = 0; r < n; r++) {
      const value = values[r];
      const number = numbers[r];
      if (value === null) out.simple(null);
      else if (number === null || number === undefined) out.text(value as string);
      else out.integer(number);
    }
    return;
  }
  out.head(4, n);
  for (let r = 0; r < n; r++) {
    const value = values[r];
    if (value === null) out.simple(null);
    else writeOpaqueValue(out, column, value, `row ${r}, column ${name}`);
  }
}

/**
 * A column of a batch: text as text-items.ts reads it; another packable type as 0 or 1 (packed; 1
 * relative to the day of the row's anchor) or an array of bare values; uuid, bytes, json as an array.
 */
export function readColumn(
  reader: CborReader,
  column: ContractColumn,
  n: number,
  limits: SdcLimits,
  name: string,
  anchors: number[],
  streams: ReadStreams,
  vocabulary: Vocabulary,
): unknown[] {
  if (column.type === 'text' || column.type === 'numeric')
    return readTextColumn(reader, n, limits, name, streams, vocabulary);
  const values: unknown[] = new Array(n);
  if (PACKABLE.has(column.type) && reader.nextMajor() === 0) {
    const marker = reader.uint();
    if (marker > 1 || (marker === 1 && column.type !== 'date' && column.type !== 'timestamp'))
      throw new SdcError('malformed', `column ${name}: bad packed marker`);
    const entries = nextPacked(streams, n);
    for (let r = 0; r < n; r++) {
      const entry = entries[r] as number | null;
      if (entry === null) values[r] = null;
      else {
        // Marker 1: days, or milliseconds, from the day of the row's anchor.
        const anchor = anchors[r] as number;
        let number = entry;
        if (marker === 1 && column.type === 'date') number = entry + Math.floor(anchor / DAY_MS);
        // fromNumber adds the anchor to a timestamp: give it the offset from the anchor.
        if (marker === 1 && column.type === 'timestamp')
          number = entry + Math.floor(anchor / DAY_MS) * DAY_MS - anchor;
        values[r] = fromNumber(column, number, name, anchors, r);
      }
    }
    return values;
  }
  if (reader.arrayHead() !== n) throw new SdcError('malformed', `column ${name} length`);
  for (let r = 0; r < n; r++) values[r] = readBareValue(reader, column, limits, name, anchors, r, vocabulary);
  return values;
}
