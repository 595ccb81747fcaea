import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packColumn, unpackColumn } from './packed.js';
import { VOCABULARY, vocabularyIndex } from './vocabulary.js';

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

describe('vocabulary', () => {
  it('has no word twice, so that an index names one word', () => {
    expect(new Set(VOCABULARY).size).toBe(VOCABULARY.length);
    for (const [index, word] of VOCABULARY.entries()) expect(vocabularyIndex(word)).toBe(index);
  });

  it('is the list docs/sdc-format.md §4.6 names by its SHA-256', () => {
    const digest = createHash('sha256').update(VOCABULARY.join('\n'), 'utf8').digest('hex');
    expect(digest).toBe('71ff23c028d774419b6ac016d87754b3c4bdaae4f6b216eed513986774d8faaf');
  });
});
