import { describe, expect, it } from 'vitest';
import { CborTag, decodeCbor, encodeCbor } from './cbor.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

describe('cbor', () => {
  it('encodes RFC 8949 appendix A examples', () => {
    expect(hex(encodeCbor(0))).toBe('00');
    expect(hex(encodeCbor(23))).toBe('17');
    expect(hex(encodeCbor(24))).toBe('1818');
    expect(hex(encodeCbor(1000000))).toBe('1a000f4240');
    expect(hex(encodeCbor(1000000000000))).toBe('1b000000e8d4a51000');
    expect(hex(encodeCbor(-1000))).toBe('3903e7');
    expect(hex(encodeCbor('\u00fc'))).toBe('62c3bc');
    expect(hex(encodeCbor([1, [2, 3], [4, 5]]))).toBe('8301820203820405');
    expect(hex(encodeCbor(new CborTag(1, 1363896240)))).toBe('c11a514b67b0');
    expect(
      hex(
        encodeCbor(
          new Map<number | string, number>([
            ['a', 1],
            [10, 2],
            [-1, 3],
          ]),
        ),
      ),
    ).toBe('a30a0220036161' + '01');
  });

  it('decodes what it encodes', () => {
    const value = new Map<number | string, unknown>([
      [1, 'a'],
      [-65537, [new Uint8Array([1, 2]), true, null]],
      ['k', new CborTag(18, [])],
    ]);
    expect(decodeCbor(encodeCbor(value as never))).toEqual(value);
  });

  it('refuses indefinite lengths, long arguments, unsorted or repeated keys, floats, trailing bytes, truncation', () => {
    for (const bad of [
      '9fff',
      '1817',
      'a2020101' + '02',
      'a201010101',
      'f93c00',
      '0000',
      '62c3',
      '5a0000ffff',
      'ff',
    ])
      expect(() => decodeCbor(bytes(bad)), bad).toThrow();
  });
});
