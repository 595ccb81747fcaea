// Rows sent with COPY must arrive as Kysely's own VALUES insert stores them, on PGlite and on
// PostgreSQL, whatever the text holds; a refused row leaves nothing and the connection usable.

import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bigint,
  boolean,
  bytes,
  copyRows,
  copyText,
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
} from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

const columns = {
  id: integer({ required: true, min: 1 }),
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
const viaCopy = defineSystemTable('xm_system', 'probe_copy', columns);
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
  '\\N',
  '\\.',
  '\\.\n\\.',
  'a\tb',
  '\r\n',
  '\\x41',
  '\\t',
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
  await createTable(db, viaCopy);
  await createTable(db, viaValues);
});

afterAll(async () => {
  await database?.close();
});

const insertWithCopy = (values: readonly Record<string, unknown>[], names: readonly string[]) =>
  copyRows(db, viaCopy, names, copyText(viaCopy, values, names));

describe('copyRows', () => {
  it('store every value as a VALUES insert does', async () => {
    const values = rows();
    const names = Object.keys(columns);
    await insertWithCopy(values, names);
    await db.insertInto(viaValues.qualifiedName).values(values).execute();
    const read = (table: string) => db.selectFrom(table).selectAll().orderBy('id').execute();
    const [stored, expected] = await Promise.all([
      read(viaCopy.qualifiedName),
      read(viaValues.qualifiedName),
    ]);
    expect(stored).toHaveLength(hostile.length);
    expect(stored).toEqual(expected);
    expect(stored.map((r) => r.free)).toEqual(hostile);
  });

  it('store nulls as nulls', async () => {
    const names = Object.keys(columns);
    const empty = Object.fromEntries(names.map((n) => [n, n === 'id' ? 1000 : null]));
    await insertWithCopy([empty], names);
    const row = await db
      .selectFrom(viaCopy.qualifiedName)
      .selectAll()
      .where('id', '=', 1000)
      .executeTakeFirstOrThrow();
    expect(row).toEqual(empty);
  });

  it('refuse text longer than its column instead of cutting it', async () => {
    await expect(
      insertWithCopy([{ id: 2000, label: 'y'.repeat(41) }], ['id', 'label']),
    ).rejects.toMatchObject({
      code: '22001',
    });
  });

  it('stores nothing of a batch with one refused row, and the connection goes on', async () => {
    const before = await db
      .selectFrom(viaCopy.qualifiedName)
      .select(db.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    await expect(
      insertWithCopy(
        [
          { id: 3000, label: 'fine' },
          { id: 0, label: 'refused by its check' },
        ],
        ['id', 'label'],
      ),
    ).rejects.toMatchObject({ code: '23514' });
    const after = await db
      .selectFrom(viaCopy.qualifiedName)
      .select(db.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('runs inside a transaction and rolls back with it', async () => {
    await db
      .transaction()
      .execute(async (trx) => {
        await copyRows(
          trx,
          viaCopy,
          ['id', 'label'],
          copyText(viaCopy, [{ id: 4000, label: 'in a transaction' }]),
        );
        const seen = await trx
          .selectFrom(viaCopy.qualifiedName)
          .select('id')
          .where('id', '=', 4000)
          .execute();
        expect(seen).toHaveLength(1);
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
    const left = await db.selectFrom(viaCopy.qualifiedName).select('id').where('id', '=', 4000).execute();
    expect(left).toHaveLength(0);
  });

  it('fills a temporary table of the same columns when asked', async () => {
    await db.transaction().execute(async (trx) => {
      await sql`create temporary table ${sql.table('pg_temp.probe_copy_staging')} on commit drop as
          select ${sql.ref('id')}, ${sql.ref('label')} from ${sql.table(viaCopy.qualifiedName)} with no data`.execute(
        trx,
      );
      await copyRows(trx, viaCopy, ['id', 'label'], copyText(viaCopy, [{ id: 5000, label: 'staged' }]), {
        into: 'pg_temp.probe_copy_staging',
      });
      const { rows } = await sql<{
        id: number;
        label: string;
      }>`select * from ${sql.table('pg_temp.probe_copy_staging')}`.execute(trx);
      expect(rows).toEqual([{ id: 5000, label: 'staged' }]);
    });
  });

  it('refuses a column the table does not have, before sending anything', async () => {
    await expect(copyRows(db, viaCopy, ['id', 'nope'], '6000\t1\n')).rejects.toThrow(/nope is not a column/);
  });

  it.runIf(process.env.DATABASE_URL?.startsWith('postgres'))(
    'says copy-unsupported on a Kysely whose driver does not send COPY data',
    async () => {
      const { default: pg } = await import('pg');
      const foreign = new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }),
      });
      try {
        await expect(
          copyRows(foreign, viaCopy, ['id', 'label'], copyText(viaCopy, [{ id: 7000, label: 'x' }])),
        ).rejects.toMatchObject({ name: 'SchemaError', code: 'copy-unsupported' });
      } finally {
        await foreign.destroy();
      }
    },
  );
});
