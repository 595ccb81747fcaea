import { SdcError } from '../errors.js';
import { unpackColumnAt } from '../packed.js';

// A batch's two streams ahead of its columns (docs/sdc-format.md §4.3, §4.5): `bits`, the packed
// columns one after the other, and `strings`, the text items each ended by a line feed.

/** What the columns of a batch put in the streams while it is written. */
export interface WriteStreams {
  bits: Uint8Array[];
  strings: string[];
}

/** Where a batch's columns take their packed bits and text items from, and how far they have read. */
export interface ReadStreams {
  bits: Uint8Array;
  bitOffset: number;
  strings: string;
  stringOffset: number;
}

export function nextPacked(streams: ReadStreams, n: number): (number | null)[] {
  const { values, end } = unpackColumnAt(streams.bits, streams.bitOffset, n);
  streams.bitOffset = end;
  return values;
}

export function nextString(streams: ReadStreams, name: string): string {
  const end = streams.strings.indexOf('\n', streams.stringOffset);
  if (end < 0) throw new SdcError('malformed', `column ${name}: strings stream truncated`);
  const item = streams.strings.slice(streams.stringOffset, end);
  streams.stringOffset = end + 1;
  return item;
}
