// Surname-prefix search over 100,000 records (BENCH_RECORDS), on PGlite and on PostgreSQL
// (DATABASE_URL, this machine's server by default; BENCH_ENGINES=pglite or postgres for one):
// seeds a business-licence register with COPY, then times `kit.records.search({ name })` for
// 200 random two- and three-letter prefixes, first page of 50 with its total, and prints p50/p95.
// Run: npm run bench -w @xmcomm/site-kit
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { copyRows, copyText, migrateToLatest, openDatabase, type SiteDatabase } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import { createSiteKit, insertUser, siteKitMigrations } from '../src/index.js';
import { businessLicences, licence } from '../test/licences.js';

const recordCount = Number(process.env.BENCH_RECORDS ?? 100_000);
const engines = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',');
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const syllables = [
  'ba',
  'ka',
  'ma',
  'nda',
  'ngo',
  'to',
  'mbe',
  'fo',
  'ta',
  'ye',
  'bi',
  'lo',
  'ze',
  'nyo',
  'wa',
];
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
const surname = () => {
  const word = Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(syllables)).join('');
  return word[0]?.toUpperCase() + word.slice(1);
};

async function seedRecords(db: Kysely<SiteDatabase>): Promise<void> {
  const batch = 10_000;
  for (let start = 0; start < recordCount; start += batch) {
    const rows = Array.from({ length: Math.min(batch, recordCount - start) }, () => ({
      status: 1,
      holder_surname: surname(),
      holder_given_names: surname(),
      trade: pick(['retail', 'food', 'transport']),
      date_of_issue: `20${10 + Math.floor(random() * 16)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
      town: pick(['Douala', 'Yaoundé', 'Kribi', 'Garoua', 'Bafoussam']),
    }));
    await copyRows(db, businessLicences, Object.keys(rows[0] ?? {}), copyText(businessLicences, rows));
  }
  // As autovacuum leaves a table soon after a load (the visibility map index-only scans need).
  await sql`vacuum analyze`.execute(db);
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

async function run(engine: string): Promise<void> {
  let url = 'memory://';
  let drop = async () => {};
  if (engine === 'postgres') {
    const name = `xm_bench_${randomBytes(4).toString('hex')}`;
    // biome-ignore lint/suspicious/noExplicitAny: administrative connection
    const admin = await openDatabase<any>(serverUrl, { maxConnections: 1 });
    await sql`create database ${sql.id(name)}`.execute(admin);
    const target = new URL(serverUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    drop = async () => {
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      await admin.destroy();
    };
  }
  const db = await openDatabase<SiteDatabase>(url);
  try {
    await migrateToLatest(db, siteKitMigrations([licence]));
    const started = performance.now();
    await seedRecords(db);
    const seeded = performance.now() - started;
    const user = await insertUser(db, { login: 'bench', privilege: 1, password: 'bench-password' });
    const kit = createSiteKit({
      db,
      recordTypes: [licence],
      centre: { matricule: 'BENCH', centreCode: '100001' },
    });
    const agent = { id: user.id, login: 'bench', privilege: 1 as const };
    console.log(`${engine}: ${recordCount} records seeded in ${(seeded / 1000).toFixed(1)} s`);
    for (const length of [2, 3, 4]) {
      const prefixes = Array.from({ length: 200 }, () => surname().slice(0, length));
      for (const prefix of prefixes.slice(0, 20)) await kit.records.search(agent, { name: prefix });
      const times: number[] = [];
      let found = 0;
      for (const prefix of prefixes) {
        const t0 = performance.now();
        const result = await kit.records.search(agent, { name: prefix, limit: 50 });
        times.push(performance.now() - t0);
        found += result.total;
      }
      times.sort((a, b) => a - b);
      console.log(
        `  ${length}-letter prefixes (${times.length}, mean ${Math.round(found / times.length)} matches), page of 50 + total: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms`,
      );
    }
  } finally {
    await db.destroy();
    await drop();
  }
}

for (const engine of engines) await run(engine);
