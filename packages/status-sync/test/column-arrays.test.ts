// Rows sent as column arrays must arrive as Kysely's own VALUES insert stores them, on PGlite and on
// PostgreSQL, whatever the text holds.
import {
  bigint,
  boolean,
  bytes,
  createTable,
  date,
  defineSystemTable,
  integer,
  json,
  numeric,
  oneOf,
  smallint,
  text,
  time,
  timestamp,
  uuid,
} from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnArray } from '../src/column-arrays.js';

const columns = {
  id: integer({ required: true }),
  label: text({ maxLength: 40 }),
  free: text({ maxLength: 500 }),
  kind: oneOf(['a', 'b']),
  small: smallint(),
  count: bigint(),
  amount: numeric(),
  flag: boolean(),
  day: date(),
  hour: time(),
  at: timestamp(),
  ref: uuid(),
  blob: bytes(),
  doc: json(),
};
const viaArrays = defineSystemTable('xm_system', 'probe_arrays', columns);
const viaValues = defineSystemTable('xm_system', 'probe_values', columns);

const hostile = [
  '',
  'NULL',
  'null',
  '{',
  '}',
  '{a,b}',
  ',',
  '"',
  '\\',
  '\\"',
  ' leading',
  'trailing ',
  '\t\r\n',
  'Yaoundé',
  '😀 emoji',
  "it's",
  'a"b\\c{d}e,f',
  'x'.repeat(40),
];

function rows(): Record<string, unknown>[] {
  return hostile.map((free, i) => ({
    id: i + 1,
    label: hostile[(i + 3) % hostile.length],
    free,
    kind: i % 2 ? 'a' : 'b',
    small: i % 3 ? -32768 : 32767,
    count: i % 2 ? 9007199254740991 : -9007199254740991,
    amount: i % 2 ? '123456789012345678901234567890.5' : '-0.001',
    flag: i % 2 === 0,
    day: i % 2 ? '2024-02-29' : '0001-01-01',
    hour: i % 2 ? '23:59:59' : '00:00:00',
    at: new Date(Date.UTC(2026, 10, 22, 10, i, 1, 234)),
    ref: '6f0c8e7e-3d2a-4b7c-9a51-0c2d4e6f8a1b',
    blob: new Uint8Array([0, 255, 92, 34, 123, 44, i]),
    doc: { text: free, list: [1, null, 'x"y'], nested: { backslash: '\\' } },
  }));
}

let database: TestDatabase<unknown>;
// biome-ignore lint/suspicious/noExplicitAny: tables defined by this test only
let db: Kysely<any>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db as typeof db;
  await createTable(db, viaArrays);
  await createTable(db, viaValues);
});

afterAll(async () => {
  await database?.close();
});

async function insertAsArrays(values: readonly Record<string, unknown>[], names: readonly string[]) {
  await sql`insert into ${sql.table(viaArrays.qualifiedName)} (${sql.join(names.map((n) => sql.ref(n)))})
    select * from unnest(${sql.join(names.map((n) => columnArray(viaArrays, values, n)))})`.execute(db);
}

describe('column arrays', () => {
  it('store every value as a VALUES insert does', async () => {
    const values = rows();
    const names = Object.keys(columns);
    await insertAsArrays(values, names);
    await db.insertInto(viaValues.qualifiedName).values(values).execute();
    const read = (table: string) => db.selectFrom(table).selectAll().orderBy('id').execute();
    const [stored, expected] = await Promise.all([
      read(viaArrays.qualifiedName),
      read(viaValues.qualifiedName),
    ]);
    expect(stored).toHaveLength(hostile.length);
    expect(stored).toEqual(expected);
    expect(stored.map((r) => r.free)).toEqual(hostile);
  });

  it('store nulls as nulls', async () => {
    const names = Object.keys(columns);
    const empty = Object.fromEntries(names.map((n) => [n, n === 'id' ? 1000 : null]));
    await insertAsArrays([empty], names);
    const row = await db
      .selectFrom(viaArrays.qualifiedName)
      .selectAll()
      .where('id', '=', 1000)
      .executeTakeFirstOrThrow();
    expect(row).toEqual(empty);
  });

  it('refuse text longer than its column instead of cutting it', async () => {
    await expect(
      insertAsArrays([{ id: 2000, label: 'y'.repeat(41) }], ['id', 'label']),
    ).rejects.toMatchObject({
      code: '22001',
    });
  });
});
