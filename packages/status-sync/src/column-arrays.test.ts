import { describe, expect, it } from 'vitest';
import { arrayLiteral } from './column-arrays.js';

const of = (values: unknown[], type: Parameters<typeof arrayLiteral>[2] = 'text') =>
  arrayLiteral(
    values.map((value) => ({ value })),
    'value',
    type,
  );

describe('arrayLiteral', () => {
  it('quotes every text element, so that none reads as NULL, a separator or a nested array', () => {
    expect(of(['NULL', '', '{a,b}', ' x '])).toBe('{"NULL","","{a,b}"," x "}');
  });

  it('escapes quotes and backslashes', () => {
    expect(of(['a"b', 'c\\d', '\\"'])).toBe('{"a\\"b","c\\\\d","\\\\\\""}');
  });

  it('writes null and undefined as NULL', () => {
    expect(of([null, undefined, 'x'])).toBe('{NULL,NULL,"x"}');
  });

  it('writes numbers, booleans, dates and bytes in their PostgreSQL input forms', () => {
    expect(of([1, -2.5, 9007199254740991n], 'numeric')).toBe('{1,-2.5,9007199254740991}');
    expect(of([true, false], 'boolean')).toBe('{t,f}');
    expect(of([new Date(Date.UTC(2024, 1, 29, 6, 45, 1, 234))], 'timestamp')).toBe(
      '{"2024-02-29T06:45:01.234Z"}',
    );
    expect(of([new Uint8Array([0, 255, 16])], 'bytes')).toBe('{"\\\\x00ff10"}');
  });

  it('writes a bytes view over part of a buffer, not the whole buffer', () => {
    const buffer = new Uint8Array([1, 2, 3, 4]);
    expect(of([buffer.subarray(1, 3)], 'bytes')).toBe('{"\\\\x0203"}');
  });

  it('writes JSON values as their JSON text, quoted', () => {
    expect(of([{ a: 'x"y' }, 'text', null], 'json')).toBe('{"{\\"a\\":\\"x\\\\\\"y\\"}","\\"text\\"",NULL}');
  });

  it('writes an empty column as an empty array, and plain numbers joined', () => {
    expect(of([])).toBe('{}');
    expect(of([1, -2, 3], 'integer')).toBe('{1,-2,3}');
    expect(of([1, null, 3], 'integer')).toBe('{1,NULL,3}');
  });

  it('refuses a value that no column type takes', () => {
    expect(() => of([{}])).toThrow(TypeError);
  });
});
