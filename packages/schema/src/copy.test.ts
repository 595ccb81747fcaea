import { boolean, bytes, defineSystemTable, integer, json, numeric, text, timestamp } from '@xmcomm/contract';
import { describe, expect, it } from 'vitest';
import { copyFromStdinData, copyText } from './copy.js';

const probe = defineSystemTable('xm_system', 'probe', {
  text: text({ maxLength: 100 }),
  integer: integer(),
  numeric: numeric(),
  boolean: boolean(),
  timestamp: timestamp(),
  bytes: bytes(),
  json: json(),
});
type Column = keyof typeof probe.columns;

const of = (values: unknown[], column: Column = 'text') =>
  copyText(
    probe,
    values.map((value) => ({ [column]: value })),
    [column],
  );

describe('copyText', () => {
  it('writes one line per row, fields split by tabs', () => {
    expect(
      copyText(probe, [
        { text: 'x', integer: 1 },
        { text: 'y', integer: 2 },
      ]),
    ).toBe('x\t1\ny\t2\n');
  });

  it('escapes backslashes, tabs and line ends, so that no text reads as a separator, NULL or the end', () => {
    expect(of(['a\tb', 'c\nd', 'e\rf', '\\N', '\\.'])).toBe('a\\tb\nc\\nd\ne\\rf\n\\\\N\n\\\\.\n');
  });

  it('leaves other text as it is: empty, the word NULL, quotes, accents', () => {
    expect(of(['', 'NULL', '"{a,b}"', 'Yaoundé'])).toBe('\nNULL\n"{a,b}"\nYaoundé\n');
  });

  it('writes null and undefined as \\N', () => {
    expect(of([null, undefined, 'x'])).toBe('\\N\n\\N\nx\n');
  });

  it('writes numbers, booleans, dates and bytes in their PostgreSQL input forms', () => {
    expect(of([1, -2.5, 9007199254740991n], 'numeric')).toBe('1\n-2.5\n9007199254740991\n');
    expect(of([true, false], 'boolean')).toBe('t\nf\n');
    expect(of([new Date(Date.UTC(2024, 1, 29, 6, 45, 1, 234))], 'timestamp')).toBe(
      '2024-02-29T06:45:01.234Z\n',
    );
    expect(of([new Uint8Array([0, 255, 16])], 'bytes')).toBe('\\\\x00ff10\n');
  });

  it('writes a bytes view over part of a buffer, not the whole buffer', () => {
    const buffer = new Uint8Array([1, 2, 3, 4]);
    expect(of([buffer.subarray(1, 3)], 'bytes')).toBe('\\\\x0203\n');
  });

  it('writes JSON values as their JSON text, escaped', () => {
    expect(of([{ a: 'x\\y\n' }, 'text', null], 'json')).toBe('{"a":"x\\\\\\\\y\\\\n"}\n"text"\n\\N\n');
  });

  it('writes no rows as nothing', () => {
    expect(of([])).toBe('');
  });

  it('refuses a value that no column type takes, and a column the table does not have', () => {
    expect(() => of([{}])).toThrow(TypeError);
    expect(() => copyText(probe, [{ nope: 1 }])).toThrow(/nope is not a column of probe/);
  });
});

describe('copyFromStdinData', () => {
  it('takes the one parameter of a copy from stdin as its data', () => {
    expect(copyFromStdinData('copy "t" ("a") from stdin', ['x\n'])).toBe('x\n');
  });

  it('leaves every other statement alone', () => {
    expect(copyFromStdinData('select $1', ['x'])).toBeUndefined();
    expect(copyFromStdinData('copy "t" ("a") from stdin', [])).toBeUndefined();
    expect(copyFromStdinData('copy "t" ("a") from stdin', ['x', 'y'])).toBeUndefined();
    expect(copyFromStdinData('copy "t" ("a") to stdout', ['x'])).toBeUndefined();
    expect(copyFromStdinData('select 1; copy "t" ("a") from stdin', ['x'])).toBeUndefined();
  });
});
