import { SdcError } from './errors.js';

/**
 * A packed column (docs/sdc-format.md §4.4): n integers (or nulls) as frame of reference, common
 * step and fixed bit width. Dates, times, timestamps, numbers, enum indices and text indices of a
 * batch are mostly uniform noise within a narrow range; brotli cannot squeeze such bytes below
 * their byte width, while `width` bits each is about their entropy (measured on 50 birth acts:
 * 34 -> 20 bytes per row for the non-text columns).
 *
 * Layout: one byte `width * 4 + delta * 2 + nullable`, then the base as a zigzag varint, the step
 * as a varint (at least 1), with delta the start as a zigzag varint, then n entries of `width`
 * bits, most significant bit first, zero-padded to a byte. An entry e is null when nullable and
 * e = 0; otherwise it stands for base + (e - nullable) * step. Without delta that is the value;
 * with delta it is the difference from the previous non-null value of the column (from the start
 * for the first): row numbers and other sequences then cost no bits at all.
 */

const MAX_WIDTH = 53;

function gcd(a: number, b: number): number {
  while (b > 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function bitsFor(value: number): number {
  let bits = 0;
  while (value >= 2 ** bits) bits++;
  return bits;
}

/** Packs safe integers (null allowed), with or without delta, whichever is shorter; undefined when it cannot. */
export function packColumn(values: readonly (number | null)[]): Uint8Array | undefined {
  const plain = packEntries(values, 0, 0);
  // Deltas start from a value chosen so that the first delta equals the second: a sequence
  // (row numbers, items in order of appearance) is then all one delta, and costs no bits.
  const present = values.filter((value) => value !== null) as number[];
  const first = present[0] ?? 0;
  const start = present.length >= 2 ? first - ((present[1] as number) - first) : 0;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(2 * Math.abs(start))) return plain;
  const deltas: (number | null)[] = new Array(values.length);
  let previous = start;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number | null;
    if (value === null) deltas[i] = null;
    else {
      deltas[i] = value - previous;
      previous = value;
    }
  }
  const delta = packEntries(deltas, 2, start);
  if (!delta) return plain;
  return plain && plain.length <= delta.length ? plain : delta;
}

function packEntries(
  values: readonly (number | null)[],
  deltaFlag: number,
  start: number,
): Uint8Array | undefined {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nullable = 0;
  for (const value of values) {
    if (value === null) nullable = 1;
    else {
      if (!Number.isSafeInteger(value)) return undefined;
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  if (min === Number.POSITIVE_INFINITY) min = max = 0;
  // The base travels zigzagged (2|min| at most): it must stay exact too.
  if (!Number.isSafeInteger(max - min) || !Number.isSafeInteger(2 * Math.abs(min))) return undefined;
  let step = 0;
  for (const value of values) if (value !== null) step = gcd(value - min, step);
  if (step === 0) step = 1;
  const width = bitsFor((max - min) / step + nullable);
  if (width > MAX_WIDTH) return undefined;
  const head: number[] = [width * 4 + deltaFlag + nullable];
  writeVarint(head, min < 0 ? -2 * min - 1 : 2 * min);
  writeVarint(head, step);
  if (deltaFlag) writeVarint(head, start < 0 ? -2 * start - 1 : 2 * start);
  const out = new Uint8Array(head.length + Math.ceil((values.length * width) / 8));
  out.set(head);
  let bit = head.length * 8;
  for (const value of values) {
    const entry = value === null ? 0 : (value - min) / step + nullable;
    for (let shift = width - 1; shift >= 0; shift--) {
      if (Math.floor(entry / 2 ** shift) % 2 === 1)
        out[bit >> 3] = (out[bit >> 3] as number) | (0x80 >> (bit & 7));
      bit++;
    }
  }
  return out;
}

/** Reads n entries back from exactly `bytes`; throws SdcError('malformed') on any inconsistency. */
export function unpackColumn(bytes: Uint8Array, n: number): (number | null)[] {
  const { values, end } = unpackColumnAt(bytes, 0, n);
  if (end !== bytes.length) throw new SdcError('malformed', 'packed column has the wrong length');
  return values;
}

/**
 * Reads one packed column of n entries starting at `offset` in a stream of packed columns;
 * returns the values and where the next column starts. Hostile bytes end here as SdcError('malformed').
 */
export function unpackColumnAt(
  bytes: Uint8Array,
  start: number,
  n: number,
): { values: (number | null)[]; end: number } {
  // Straight-line reads (no closure per call): decoding a batch unpacks some 45 columns.
  let offset = start;
  if (offset >= bytes.length) throw truncated();
  const first = bytes[offset++] as number;
  const width = first >> 2;
  const delta = (first & 2) !== 0;
  const nullable = first & 1;
  if (width > MAX_WIDTH) throw new SdcError('malformed', 'packed column too wide');
  let read = readVarint(bytes, offset);
  offset = varintEnd;
  const zigzag = read;
  if (!Number.isSafeInteger(zigzag)) throw new SdcError('malformed', 'packed column base');
  const base = zigzag % 2 === 1 ? -(zigzag + 1) / 2 : zigzag / 2;
  const step = readVarint(bytes, offset);
  offset = varintEnd;
  if (step < 1 || !Number.isSafeInteger(base)) throw new SdcError('malformed', 'packed column header');
  let previous = 0;
  if (delta) {
    read = readVarint(bytes, offset);
    offset = varintEnd;
    if (!Number.isSafeInteger(read)) throw new SdcError('malformed', 'packed column start');
    previous = read % 2 === 1 ? -(read + 1) / 2 : read / 2;
  }
  const end = offset + Math.ceil((n * width) / 8);
  if (end > bytes.length) throw truncated();
  // The entries first (two ways of reading bits), then the values from them, in place.
  const values: (number | null)[] = new Array(n);
  if (width <= 24) {
    // Up to 24 bits an entry: whole bytes go through a 32-bit accumulator, never more than 31 bits held.
    const mask = (1 << width) - 1;
    let held = 0;
    let heldBits = 0;
    let at = offset;
    for (let i = 0; i < n; i++) {
      while (heldBits < width) {
        held = (held << 8) | (bytes[at++] as number);
        heldBits += 8;
      }
      heldBits -= width;
      values[i] = (held >>> heldBits) & mask;
      held &= (1 << heldBits) - 1;
    }
  } else {
    let bit = offset * 8;
    for (let i = 0; i < n; i++) {
      let entry = 0;
      for (let k = 0; k < width; k++) {
        entry = entry * 2 + (((bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1);
        bit++;
      }
      values[i] = entry;
    }
  }
  for (let i = 0; i < n; i++) {
    const entry = values[i] as number;
    if (nullable && entry === 0) values[i] = null;
    else {
      let value = base + (entry - nullable) * step;
      if (delta) value += previous;
      if (!Number.isSafeInteger(value)) throw new SdcError('malformed', 'packed value out of range');
      values[i] = value;
      previous = value;
    }
  }
  return { values, end };
}

function truncated(): SdcError {
  return new SdcError('malformed', 'packed column truncated');
}

/** Where the last varint read ended (module state instead of a result object per varint). */
let varintEnd = 0;
function readVarint(bytes: Uint8Array, start: number): number {
  let offset = start;
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    if (shift > 49) throw new SdcError('malformed', 'packed column varint too long');
    if (offset >= bytes.length) throw truncated();
    const b = bytes[offset++] as number;
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) {
      varintEnd = offset;
      return value;
    }
  }
}

function writeVarint(out: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}
