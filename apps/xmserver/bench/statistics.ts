// Statistics by month, type, region and sex (`xmserver report --by`, the console's statistics page)
// on PostgreSQL with BENCH_ACTS births (default 300,000) and a tenth as many deaths, validated over
// 24 months by 1,000 sites in 10 regions: for each filter, PostgreSQL's plan of each table's
// aggregate (a sequential scan, or an index range on validated_at) and recordStatistics's time.
//   npm run bench:statistics -w @xmcomm/xmserver
import { randomBytes } from 'node:crypto';
import { migrateToLatest, openDatabase, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import { actTables, recordStatistics, type StatisticsFilter, statisticsQuery } from '../src/statistics.js';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const acts = Number(process.env.BENCH_ACTS ?? 300_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const host = new URL(serverUrl).hostname;
if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
  throw new Error(`The benchmark only runs against a loopback PostgreSQL, not ${host}.`);
}
const name = `xm_bench_statistics_${randomBytes(4).toString('hex')}`;
// biome-ignore lint/suspicious/noExplicitAny: administrative connection, no tables
const admin = await openDatabase<any>(serverUrl, { maxConnections: 1 });
await sql`create database ${sql.id(name)}`.execute(admin);
const target = new URL(serverUrl);
target.pathname = `/${name}`;
let db: Kysely<ServerDatabase> | undefined;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
/** The scans of a plan: "Seq Scan births", "Index Only Scan births_validated_at_origin_matricule_idx". */
function scans(node: PlanNode, out: string[] = []): string[] {
  if (node['Node Type'].includes('Scan') && (node['Relation Name'] || node['Index Name']))
    out.push(`${node['Node Type']} ${node['Index Name'] ?? node['Relation Name']}`);
  for (const child of node.Plans ?? []) scans(child, out);
  return out;
}

try {
  db = await openDatabase<ServerDatabase>(target.toString(), { maxConnections: 2 });
  await migrateToLatest(db, serverMigrations);
  const started = performance.now();
  await sql`insert into xm_system.clients (matricule, name, status, region, password_hash, centre_code, must_change_password)
    select 'S' || lpad(i::text, 4, '0'), 'Centre ' || i, 3, 'Region ' || (i % 10), 'x', lpad(i::text, 6, '0'), false
    from generate_series(1, 1000) as i`.execute(db);
  // Validated over the 24 months before 2026-12, the sites in turn; sexes as births have them.
  await sql`insert into xm_data.births (status, niu, origin_matricule, origin_numero, child_surname, child_given_names, child_sex,
      date_of_birth, place_of_birth_region, place_of_birth_locality, place_of_birth_type, type_of_birth, mother_surname,
      mother_given_names, declarant_surname, declarant_relationship, date_of_declaration, validated_at)
    select 2, 'B-' || i, 'S' || lpad((i % 1000 + 1)::text, 4, '0'), i, 'Ngono', 'Marie', case when i % 100 = 0 then 'undetermined' when i % 2 = 0 then 'female' else 'male' end,
      date '2024-12-01' + (i % 730), 'Centre', 'Yaoundé', 'hospital', 'single', 'Ngono', 'Anne', 'Ngono', 'mother', date '2024-12-01' + (i % 730),
      timestamptz '2024-12-01 00:00Z' + (i::float / ${acts}) * interval '730 days'
    from generate_series(1, ${acts}) as i`.execute(db);
  await sql`insert into xm_data.deaths (status, niu, origin_matricule, origin_numero, deceased_surname, deceased_given_names, deceased_sex,
      date_of_death, place_of_death_region, place_of_death_locality, place_of_death_type, certifier, declarant_surname,
      declarant_relationship, date_of_declaration, validated_at)
    select 2, 'D-' || i, 'S' || lpad((i % 1000 + 1)::text, 4, '0'), i, 'Abena', 'Paul', case when i % 2 = 0 then 'female' else 'male' end,
      date '2024-12-01' + (i % 730), 'Centre', 'Yaoundé', 'hospital', 'physician', 'Abena', 'relative', date '2024-12-01' + (i % 730),
      timestamptz '2024-12-01 00:00Z' + (i::float / ${acts / 10}) * interval '730 days'
    from generate_series(1, ${acts / 10}) as i`.execute(db);
  await sql`vacuum analyze`.execute(db);
  console.log(
    `statistics bench: ${acts.toLocaleString('en')} births and ${(acts / 10).toLocaleString('en')} deaths from 1,000 sites over 24 months, loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const filters: [string, StatisticsFilter][] = [
    ['everything', {}],
    ['one month (2026-06)', { from: '2026-06', to: '2026-06' }],
    ['a quarter of births', { from: '2026-04', to: '2026-06', table: 'births' }],
    ['one year', { from: '2025-01', to: '2025-12' }],
  ];
  for (const [label, filter] of filters) {
    const plans: string[] = [];
    for (const table of actTables(filter.table)) {
      const explained = await sql<{
        'QUERY PLAN': [{ Plan: PlanNode }];
      }>`explain (format json) ${statisticsQuery(db, table, filter)}`.execute(db);
      const plan = explained.rows[0]?.['QUERY PLAN'][0].Plan;
      plans.push(`${table.name}: ${plan ? scans(plan).join(' + ') : '?'}`);
    }
    const times: number[] = [];
    let total = 0;
    for (let i = 0; i < rounds; i++) {
      const before = performance.now();
      const lines = await recordStatistics(db, filter);
      times.push(performance.now() - before);
      total = lines.reduce((n, l) => n + l.acts, 0);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(22)} ${total.toLocaleString('en').padStart(9)} acts  median ${(times[Math.floor(times.length / 2)] ?? 0).toFixed(0).padStart(5)} ms   ${plans.join('; ')}`,
    );
  }
} finally {
  await db?.destroy();
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
}
