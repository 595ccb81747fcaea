import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freshRandomBytes } from '../random.js';
import { buildDer, type DerTree, der, tlv } from './der.js';

/** The same tree built the old way: nested tlv calls. */
function nested(tree: DerTree): Uint8Array {
  return tlv(tree.tag, ...tree.parts.map((part) => (part instanceof Uint8Array ? part : nested(part))));
}

const lengths = fc.constantFrom(0, 1, 2, 127, 128, 255, 256, 300, 65_535, 65_536, 70_000);
const tree: fc.Arbitrary<DerTree> = fc.letrec<{ tree: DerTree }>((tie) => ({
  tree: fc
    .tuple(
      fc.integer({ min: 0, max: 255 }),
      fc.array(
        fc.oneof(
          { depthSize: 'small' },
          lengths.map((n) => new Uint8Array(n).fill(n & 0xff)),
          tie('tree'),
        ),
        {
          maxLength: 4,
        },
      ),
    )
    .map(([tag, parts]) => der(tag, ...parts)),
})).tree;

describe('DER written in one allocation', () => {
  it('gives byte for byte what nested tlv calls give, across every length form', () => {
    fc.assert(
      fc.property(tree, (t) => {
        expect(Buffer.from(buildDer(t)).equals(Buffer.from(nested(t)))).toBe(true);
      }),
      { numRuns: 300 },
    );
    const big = der(0x30, new Uint8Array(0x1000000));
    expect(Buffer.from(buildDer(big).subarray(0, 6))).toEqual(Buffer.from(nested(big).subarray(0, 6)));
  });
});

describe('random bytes from the pool', () => {
  it('never hands out the same bytes twice, whatever the sizes asked', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const bytes = freshRandomBytes(16 + (i % 40));
      expect(bytes.length).toBe(16 + (i % 40));
      const hex = bytes.subarray(0, 16).toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
    expect(freshRandomBytes(1000)).toHaveLength(1000);
    expect(freshRandomBytes(0)).toHaveLength(0);
  });
});
