import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CborError, CborWriter, decodeCbor, encodeCbor } from './cbor.js';

describe('cbor', () => {
  it('round-trips the value types the payload uses', () => {
    const value = {
      n: [0, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -25, -(2 ** 40)],
      f: [1.5, -0, Number.POSITIVE_INFINITY],
      s: ['', 'ascii', 'Yaoundé ✓ 𝄞'],
      b: new Uint8Array([0, 1, 255]),
      d: new Date('2026-11-22T07:00:00.123Z'),
      t: [true, false, null],
    };
    expect(decodeCbor(encodeCbor(value))).toEqual(value);
  });

  it('encodes RFC 8949 examples byte for byte', () => {
    expect(Buffer.from(encodeCbor(1_000_000)).toString('hex')).toBe('1a000f4240');
    expect(Buffer.from(encodeCbor(-1000)).toString('hex')).toBe('3903e7');
    expect(Buffer.from(encodeCbor('IETF')).toString('hex')).toBe('6449455446');
    expect(Buffer.from(encodeCbor([1, [2, 3]])).toString('hex')).toBe('8201820203');
  });

  it('refuses what the payload never contains', () => {
    const reject = (hex: string) => expect(() => decodeCbor(Buffer.from(hex, 'hex'))).toThrow(CborError);
    reject('5f42010243030405ff'); // indefinite-length bytes
    reject('9f01ff'); // indefinite-length array
    reject('c074323031332d30332d32315432303a30343a30305a'); // tag 0
    reject('0101'); // trailing byte
    reject('a2616101616102'); // duplicate key
    reject('a10102'); // non-text key
    reject('1b0020000000000000'); // integer beyond 2^53
    reject('9a7fffffff'); // claims far more items than there are bytes
    reject(`${'81'.repeat(40)}00`); // nested too deeply
    reject('62c328'); // invalid UTF-8
  });

  it('keeps "__proto__" a plain key', () => {
    const decoded = decodeCbor(Buffer.from('a1695f5f70726f746f5f5fa0', 'hex')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
  });

  it('never throws anything but CborError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeCbor(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CborError);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('writers that share a spare buffer write what fresh ones would, interleaved or nested', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.nat(3)), { maxLength: 12 }),
        (items) => {
          const live: { writer: CborWriter; value: unknown }[] = [];
          for (const [value, finishing] of items) {
            const writer = new CborWriter();
            writer.value(value);
            live.push({ writer, value });
            // Finish some writers (not always the last one made) while others are still writing.
            for (let k = 0; k < finishing && live.length > 0; k++) {
              const { writer: done, value: written } = live.splice(k % live.length, 1)[0] as (typeof live)[0];
              expect(Buffer.from(done.finish())).toEqual(Buffer.from(encodeCbor(written)));
            }
          }
          for (const { writer, value } of live)
            expect(Buffer.from(writer.finish())).toEqual(Buffer.from(encodeCbor(value)));
        },
      ),
      { numRuns: 300 },
    );
    const big = new CborWriter();
    big.bytes(new Uint8Array(5000).fill(7));
    const first = big.finish();
    const next = new CborWriter();
    next.integer(1);
    expect(Array.from(next.finish())).toEqual([1]);
    expect(first.length).toBe(5003);
    expect(first.every((byte, i) => i < 3 || byte === 7)).toBe(true);
  });
});
