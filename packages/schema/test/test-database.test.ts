// createTestDatabase: each call a database of its own, migrated, whatever it was made from.
import { sql } from 'kysely';
import { afterEach, expect, test } from 'vitest';
import { serverMigrations } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

const opened: TestDatabase<unknown>[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

async function open(): Promise<TestDatabase<unknown>> {
  const database = await createTestDatabase({ migrations: serverMigrations });
  opened.push(database);
  return database;
}

const exists = async (database: TestDatabase<unknown>, table: string) =>
  (await sql<{ found: string | null }>`select to_regclass(${table})::text as found`.execute(database.db))
    .rows[0]?.found != null;

test('databases made one after another with the same migrations are each migrated and each their own', async () => {
  const first = await open();
  await sql`create table xm_system.made_in_first (n int)`.execute(first.db);
  const second = await open();
  const third = await open();
  for (const database of [second, third]) {
    expect(await exists(database, 'xm_system.clients')).toBe(true);
    expect(await exists(database, 'xm_system.made_in_first')).toBe(false);
  }
  await sql`create table xm_system.made_in_second (n int)`.execute(second.db);
  expect(await exists(first, 'xm_system.made_in_second')).toBe(false);
  expect(await exists(third, 'xm_system.made_in_second')).toBe(false);
}, 120_000);
