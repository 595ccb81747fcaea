// The console's pages with 100,000 registered clients on PostgreSQL: dashboard and client list
// (search, filters, a far page), served in-process (Fastify inject, so the figures are the
// server's, without a browser). A fresh database is created here and dropped at the end.
// DATABASE_URL names the server (loopback only); BENCH_CLIENTS changes the count.
//   npm run bench -w @xmcomm/xmserver
import { randomBytes } from 'node:crypto';
import { hashPassword } from '@xmcomm/pki';
import { migrateToLatest, openDatabase, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import { createConsole } from '../src/console/app.js';
import { addUser } from '../src/users.js';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const clients = Number(process.env.BENCH_CLIENTS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 40);

const host = new URL(serverUrl).hostname;
if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
  throw new Error(`The benchmark only runs against a loopback PostgreSQL, not ${host}.`);
}

const name = `xm_bench_console_${randomBytes(4).toString('hex')}`;
// biome-ignore lint/suspicious/noExplicitAny: administrative connection, no tables
const admin = await openDatabase<any>(serverUrl, { maxConnections: 1 });
await sql`create database ${sql.id(name)}`.execute(admin);
const target = new URL(serverUrl);
target.pathname = `/${name}`;
let db: Kysely<ServerDatabase> | undefined;

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

try {
  db = await openDatabase<ServerDatabase>(target.toString(), { maxConnections: 4 });
  await migrateToLatest(db, serverMigrations);
  let started = performance.now();
  // Clients in 20 cities, statuses 0-3; an account each with one credit (balances 0 to 99,990, a
  // tenth of them below the low-credit line); a container in the last hour from 2% of them and one
  // in the last week from 20%.
  await sql`insert into xm_system.clients (matricule, name, status, locality, region, password_hash, centre_code, must_change_password)
    select 'C' || lpad(i::text, 6, '0'), 'Centre ' || i, i % 4, 'City ' || (i % 20), 'Region ' || (i % 10), 'x', lpad(i::text, 6, '0'), false
    from generate_series(1, ${clients}) as i`.execute(db);
  await sql`insert into xm_system.accounts (client_id) select id from xm_system.clients`.execute(db);
  await sql`insert into xm_system.ledger_entries (account_id, kind, amount, balance_after, actor, reason)
    select id, 'credit', (id * 37) % 100000, (id * 37) % 100000, 'bench', 'recharge' from xm_system.accounts`.execute(
    db,
  );
  await sql`insert into xm_system.received_containers (container_id, sender_matricule, sequence, kind, table_name, rows_total, rows_accepted, rows_rejected, size_bytes, created_at, received_at)
    select gen_random_uuid(), matricule, 1, 'rows', 'births', 10, 10 - (id % 3), id % 3, 4000, now() - (id % 60) * interval '1 minute', now() - (id % 60) * interval '1 minute'
    from xm_system.clients where id % 50 = 0`.execute(db);
  await sql`insert into xm_system.received_containers (container_id, sender_matricule, sequence, kind, table_name, rows_total, rows_accepted, rows_rejected, size_bytes, created_at, received_at)
    select gen_random_uuid(), matricule, 2, 'rows', 'births', 10, 10, 0, 4000, now() - interval '3 days', now() - interval '3 days'
    from xm_system.clients where id % 5 = 0`.execute(db);
  await sql`analyze`.execute(db);
  const loaded = performance.now() - started;
  const password = 'bench supervisor password';
  await addUser(db, {
    login: 'bench',
    privilege: 3,
    passwordHash: await hashPassword(password),
    mustChangePassword: false,
  });
  const web = await createConsole({ db, env: {}, cwd: process.cwd(), globalArgs: [], logger: false });
  await web.fastify.ready();
  const first = await web.fastify.inject({ method: 'GET', url: '/login' });
  const pre = String([first.headers['set-cookie']].flat()[0]).split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(first.body)?.[1] ?? '';
  const login = await web.fastify.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: pre },
    payload: { _csrf: csrf, login: 'bench', password },
  });
  const cookie =
    [login.headers['set-cookie']]
      .flat()
      .find((c) => String(c).startsWith('xm_session='))
      ?.split(';')[0] ?? '';
  if (!cookie) throw new Error(`login failed: ${login.statusCode}`);

  const pages: [string, string][] = [
    ['dashboard', '/'],
    ['clients, first page', '/clients'],
    ['clients, search "centre 4242"', '/clients?q=centre+4242'],
    ['clients, status 1 in "City 7"', '/clients?status=1&city=City+7'],
    ['clients, contact in the last 24 h', '/clients?contact=day'],
    ['clients, not seen for 7 days', '/clients?contact=old'],
    ['clients, low balance', '/clients?balance=low'],
    ['clients, page 1000 (offset 49,950)', '/clients?page=1000'],
    ['client page with statement', '/clients/C042420'],
    ['monitor (live part)', '/monitor/live'],
  ];
  console.log(
    `console bench: ${clients} clients on PostgreSQL (loaded in ${(loaded / 1000).toFixed(1)} s), ${rounds} requests per page`,
  );
  console.log('page                                     p50 ms   p95 ms   max ms  bytes');
  for (const [label, url] of pages) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < rounds; i++) {
      started = performance.now();
      const response = await web.fastify.inject({
        method: 'GET',
        url,
        headers: { cookie, 'accept-language': 'en' },
      });
      times.push(performance.now() - started);
      if (response.statusCode !== 200)
        throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      bytes = response.body.length;
    }
    times.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(40)} ${percentile(times, 50).toFixed(1).padStart(6)}   ${percentile(times, 95).toFixed(1).padStart(6)}   ${(times[times.length - 1] ?? 0).toFixed(1).padStart(6)}  ${bytes}`,
    );
  }
  await web.fastify.close();
} finally {
  await db?.destroy();
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
}
