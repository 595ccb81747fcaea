import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { searchCountLimit } from '../src/index.js';
import { createTestKit, type TestKit } from '../src/testing.js';
import { businessLicences, licence, sampleLicence } from './licences.js';

// A search that matches more records than the kit counts: the count stops at `searchCountLimit` and
// says so, the pages still come newest first, and a page's rows are the records of its keys.
// PGlite by default, PostgreSQL with DATABASE_URL.

let t: TestKit;
const matching = searchCountLimit + 3;

beforeAll(async () => {
  t = await createTestKit({ recordTypes: [licence], today: () => '2026-03-15' });
  // biome-ignore lint/suspicious/noExplicitAny: the test register's table, written directly
  const db = t.database.db as unknown as Kysely<any>;
  const rows = Array.from({ length: matching }, (_, i) => ({
    ...sampleLicence,
    holder_surname: `Zanga${i}`,
    // Two records a day, so the order needs the numero as well as the date.
    date_of_issue: new Date(Date.UTC(2020, 0, 1 + Math.floor(i / 2))).toISOString().slice(0, 10),
    status: 1,
    drafted_by: 'agent',
    drafted_at: new Date(),
  }));
  for (let start = 0; start < rows.length; start += 250) {
    await db
      .insertInto(businessLicences.qualifiedName)
      .values(rows.slice(start, start + 250))
      .execute();
  }
  await t.kit.records.draft(t.agent, 'licence', { ...sampleLicence, holder_surname: 'Other' });
});
afterAll(() => t?.close());

test('more matches than the limit: the total stops there and says there are more', async () => {
  const first = await t.kit.records.search(t.agent, { name: 'zanga', limit: 25 });
  expect(first).toMatchObject({ total: searchCountLimit, more: true });
  expect(first.items.map((item) => item.title)).toEqual(
    Array.from({ length: 25 }, (_, i) => `Zanga${matching - 1 - i} (food)`),
  );
  const all = await t.kit.records.search(t.agent, { limit: 25 });
  expect(all).toMatchObject({ total: searchCountLimit, more: true });
  // Every record but the one of 2026 is older than it.
  expect(all.items[0]?.title).toBe('Other (food)');
});

test('fewer matches than the limit: the exact total, on any page', async () => {
  const few = await t.kit.records.search(t.agent, { name: 'zanga1', limit: 25, offset: 100 });
  // Zanga1, Zanga10-19, Zanga100-199, Zanga1000-1002.
  expect(few).toMatchObject({ total: 1 + 10 + 100 + 3, more: false });
  expect(few.items.map((item) => item.title)).toEqual(
    [102, 101, 100, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 1].map((n) => `Zanga${n} (food)`),
  );
});

test('a page past the count still reads in order', async () => {
  const last = await t.kit.records.search(t.agent, { name: 'zanga', limit: 25, offset: 1000 });
  expect(last).toMatchObject({ total: searchCountLimit, more: true });
  expect(last.items.map((item) => item.title)).toEqual(['Zanga2 (food)', 'Zanga1 (food)', 'Zanga0 (food)']);
});
