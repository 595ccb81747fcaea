import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { migrateToLatest, type SiteDatabase, siteMigrations } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

// A site database made before the site kit (migrations up to 20261207-41) keeps its history and
// takes migrations 20261207-50 to -52: history lines get a workstation, history and signatures
// accept any record table, unfinished forms get their table.

let site: TestDatabase<SiteDatabase>;
const before = Object.fromEntries(Object.entries(siteMigrations).filter(([name]) => name < '20261207-50'));

beforeAll(async () => {
  site = await createTestDatabase<SiteDatabase>({ migrations: before });
  // The CHECKs 20261122-40 made while table_name was an enumeration of the three acts' tables.
  for (const table of ['act_events', 'act_signatures']) {
    await sql`alter table ${sql.table(`xm_site.${table}`)} add constraint ${sql.id(`${table}_table_name_check`)} check (table_name in ('births', 'marriages', 'deaths'))`.execute(
      site.db,
    );
  }
});
afterAll(() => site?.close());

test('migrations 20261207-50 to -52 on a database made before them', async () => {
  await sql`insert into xm_site.act_events (table_name, act_numero, kind) values ('births', 1, 'drafted')`.execute(
    site.db,
  );
  // Before: only the three acts' tables.
  await expect(
    sql`insert into xm_site.act_events (table_name, act_numero, kind) values ('judgments', 1, 'drafted')`.execute(
      site.db,
    ),
  ).rejects.toThrow();
  const ran = await migrateToLatest(site.db, siteMigrations);
  // (Later migrations, such as the web sessions' 20261207-60, run too: this test is about 50 to 52.)
  expect(ran.map((result) => result.migrationName).filter((name) => name < '20261207-60')).toEqual([
    '20261207-50-site-kit-history-workstation',
    '20261207-51-site-kit-any-record-table',
    '20261207-52-site-kit-unfinished-records',
  ]);
  await site.db
    .insertInto('xm_site.act_events')
    .values({ table_name: 'judgments', act_numero: 1, kind: 'drafted', workstation: 'guichet-1' })
    .execute();
  const rows = await site.db
    .selectFrom('xm_site.act_events')
    .select(['table_name', 'workstation'])
    .orderBy('id')
    .execute();
  expect(rows).toEqual([
    { table_name: 'births', workstation: null },
    { table_name: 'judgments', workstation: 'guichet-1' },
  ]);
  const { count } = await site.db
    .selectFrom('xm_site.unfinished_records')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  expect(Number(count)).toBe(0);
});
