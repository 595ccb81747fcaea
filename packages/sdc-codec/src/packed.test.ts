import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packColumn, unpackColumn, unpackColumnAt } from './packed.js';

describe('packed columns', () => {
  it('costs no bits for a sequence or a constant', () => {
    const sequence = Array.from({ length: 50 }, (_, i) => 1000 + i);
    // header only (flags, base, step, start): every delta is the same, so entries take 0 bits
    expect(packColumn(sequence)?.length).toBeLessThanOrEqual(5);
    expect(unpackColumn(packColumn(sequence) as Uint8Array, 50)).toEqual(sequence);
    expect(packColumn(new Array(50).fill(7))?.length).toBe(3);
  });

  it('uses the common step: times on the minute take 11 bits, not 17', () => {
    const minutes = [13, 700, 1439, 2, 999, 45, 1200, 360].map((minute) => minute * 60);
    const packed = packColumn(minutes) as Uint8Array;
    expect((packed[0] as number) >> 2).toBe(11);
    expect(unpackColumn(packed, 8)).toEqual(minutes);
  });

  it('round-trips any safe integers and nulls, or declines', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.maxSafeInteger(), { nil: null }), { maxLength: 40 }), (values) => {
        const packed = packColumn(values);
        if (packed) expect(unpackColumn(packed, values.length)).toEqual(values);
      }),
    );
  });

  it('refuses bytes of the wrong length or width with a typed error', () => {
    const packed = packColumn([1, 5, 9]) as Uint8Array;
    expect(() => unpackColumn(packed, 40)).toThrow(expect.objectContaining({ code: 'malformed' }));
    expect(() => unpackColumn(packed.subarray(0, 2), 3)).toThrow(
      expect.objectContaining({ code: 'malformed' }),
    );
    expect(() => unpackColumn(Uint8Array.of(0xff, 0, 1), 1)).toThrow(
      expect.objectContaining({ code: 'malformed' }),
    );
  });
});

/** The reading of §4.4 bit by bit, as unpackColumnAt did before it read whole bytes: the reference. */
function referenceUnpack(
  bytes: Uint8Array,
  start: number,
  n: number,
): { values: (number | null)[]; end: number } {
  let offset = start;
  const byte = () => {
    if (offset >= bytes.length) throw new Error('packed column truncated');
    return bytes[offset++] as number;
  };
  const varint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 49) throw new Error('packed column varint too long');
      const b = byte();
      value += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return value;
    }
  };
  const first = byte();
  const width = first >> 2;
  const delta = (first & 2) !== 0;
  const nullable = first & 1;
  if (width > 53) throw new Error('packed column too wide');
  const zigzag = varint();
  if (!Number.isSafeInteger(zigzag)) throw new Error('packed column base');
  const base = zigzag % 2 === 1 ? -(zigzag + 1) / 2 : zigzag / 2;
  const step = varint();
  if (step < 1 || !Number.isSafeInteger(base)) throw new Error('packed column header');
  let previous = 0;
  if (delta) {
    const s = varint();
    if (!Number.isSafeInteger(s)) throw new Error('packed column start');
    previous = s % 2 === 1 ? -(s + 1) / 2 : s / 2;
  }
  const end = offset + Math.ceil((n * width) / 8);
  if (end > bytes.length) throw new Error('packed column truncated');
  const values: (number | null)[] = new Array(n);
  let bit = offset * 8;
  for (let i = 0; i < n; i++) {
    let entry = 0;
    for (let k = 0; k < width; k++) {
      entry = entry * 2 + (((bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1);
      bit++;
    }
    if (nullable && entry === 0) values[i] = null;
    else {
      let value = base + (entry - nullable) * step;
      if (delta) value += previous;
      if (!Number.isSafeInteger(value)) throw new Error('packed value out of range');
      values[i] = value;
      previous = value;
    }
  }
  return { values, end };
}

function outcome(read: () => { values: (number | null)[]; end: number }): unknown {
  try {
    return read();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('packed columns, read back', () => {
  it('reads any bytes exactly as the bit-by-bit reference does, values or error', () => {
    const header = fc
      .tuple(fc.nat(63), fc.boolean(), fc.boolean())
      .map(([width, delta, nullable]) => Uint8Array.of(width * 4 + (delta ? 2 : 0) + (nullable ? 1 : 0)));
    fc.assert(
      fc.property(
        fc.oneof(header, fc.constant(new Uint8Array(0))),
        fc.uint8Array({ maxLength: 80 }),
        fc.nat(3),
        fc.nat(60),
        (head, rest, start, n) => {
          const bytes = new Uint8Array([...new Uint8Array(start), ...head, ...rest]);
          const expected = outcome(() => referenceUnpack(bytes, start, n));
          const actual = outcome(() => unpackColumnAt(bytes, start, n));
          if (actual && typeof actual === 'object' && 'error' in actual) {
            // The same failure: SdcError's message is "<malformed's text>: <the reference's detail>".
            const detail = (expected as { error?: string }).error;
            expect(detail).toBeDefined();
            expect((actual as { error: string }).error.endsWith(`: ${detail}`)).toBe(true);
          } else expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('round-trips narrow columns of every width from 0 to 53 bits', () => {
    for (let width = 0; width <= 53; width++) {
      const top = 2 ** width - 1;
      const values = Array.from({ length: 37 }, (_, i) =>
        i % 5 === 0 ? null : Math.floor((top * ((i * 7919) % 37)) / 36),
      );
      const packed = packColumn(values);
      if (packed) expect(unpackColumn(packed, values.length)).toEqual(values);
    }
  });
});
