import { births, migrateToLatest, type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase } from '@xmcomm/schema/testing';
import { sql } from 'kysely';
import { expect, test } from 'vitest';
import {
  countIndexesMigrationName,
  defineRecordType,
  searchIndexesMigrationName,
  siteKitMigrations,
} from '../src/index.js';
import { licence } from './licences.js';

// One site database, several programs: the site app (`ecr`: the kit's migrations for its record
// types) and `t2d` (schema's site migrations, which know no record type). Each opens the database
// after the other, in either order, whatever the other ran (Kysely alone calls it corrupted).

const birth = defineRecordType({
  name: 'birth',
  table: births,
  refLetter: 'B',
  label: { en: 'Birth', fr: 'Naissance' },
  title: (row) => String(row.child_surname),
  search: { names: ['child_surname'] },
  eventDate: 'date_of_birth',
});

const ran = async (db: Parameters<typeof migrateToLatest>[0]) =>
  (await sql<{ name: string }>`select name from public.kysely_migration order by name`.execute(db)).rows.map(
    (row) => row.name,
  );

test("t2d's migrations after the site app's, and the site app's again", async () => {
  const site = await createTestDatabase<SiteDatabase>({ migrations: siteKitMigrations([licence]) });
  try {
    await expect(migrateToLatest(site.db, siteMigrations)).resolves.toEqual([]);
    await expect(migrateToLatest(site.db, siteKitMigrations([licence]))).resolves.toEqual([]);
  } finally {
    await site.close();
  }
}, 120_000);

test('a site made before the kit: t2d upgrades it first, then the site app adds the search and count indexes', async () => {
  const beforeKit = Object.fromEntries(
    Object.entries(siteMigrations).filter(([name]) => name < '20261207-50'),
  );
  const site = await createTestDatabase<SiteDatabase>({ migrations: beforeKit });
  try {
    await migrateToLatest(site.db, siteMigrations);
    expect(await ran(site.db)).not.toContain(searchIndexesMigrationName);
    const results = await migrateToLatest(site.db, siteKitMigrations([birth]));
    expect(results.map((result) => result.migrationName)).toEqual([
      searchIndexesMigrationName,
      countIndexesMigrationName,
    ]);
    await expect(migrateToLatest(site.db, siteMigrations)).resolves.toEqual([]);
  } finally {
    await site.close();
  }
}, 120_000);
