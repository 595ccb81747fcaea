// Monitor liveness: does the console's monitor stay live while the server applies ~1,000 small
// containers a second? A scratch PostgreSQL database holds a history of received containers
// (BENCH_HISTORY, default 1,000,000 from 2,000 sites over 30 days, as a national server after some
// weeks); bench/monitor-applier.ts, a process of its own as `xmserver run` is, applies one-act
// containers (real CMS, billing charged) from BENCH_SITES sites at BENCH_RATE per second for
// BENCH_SECONDS; meanwhile this process serves the console and fetches /monitor/live every
// BENCH_POLL_MS (the page's own refresh is every 3 s), timing each answer and reading the newest
// container it shows (its <time datetime>). Prints the rate reached, the monitor's latency p50/p95/max
// and the age of the newest container shown p50/p95/max.
//   npm run bench:monitor -w @xmcomm/xmserver
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '@xmcomm/pki';
import { migrateToLatest, openDatabase, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import { createConsole } from '../src/console/app.js';
import { addUser } from '../src/users.js';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const history = Number(process.env.BENCH_HISTORY ?? 1_000_000);
const pollMs = Number(process.env.BENCH_POLL_MS ?? 1000);

const host = new URL(serverUrl).hostname;
if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
  throw new Error(`The benchmark only runs against a loopback PostgreSQL, not ${host}.`);
}

const name = `xm_bench_monitor_${randomBytes(4).toString('hex')}`;
// biome-ignore lint/suspicious/noExplicitAny: administrative connection, no tables
const admin = await openDatabase<any>(serverUrl, { maxConnections: 1 });
await sql`create database ${sql.id(name)}`.execute(admin);
const target = new URL(serverUrl);
target.pathname = `/${name}`;
let db: Kysely<ServerDatabase> | undefined;

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const figures = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(0)}, p95 ${percentile(sorted, 95).toFixed(0)}, max ${(sorted[sorted.length - 1] ?? 0).toFixed(0)}`;
};

try {
  db = await openDatabase<ServerDatabase>(target.toString(), { maxConnections: 4 });
  await migrateToLatest(db, serverMigrations);
  let started = performance.now();
  // The history: 2,000 sites' containers over the last 30 days, consecutive sequence numbers per site.
  await sql`insert into xm_system.received_containers (container_id, sender_matricule, sequence, kind, table_name, rows_total, rows_accepted, rows_rejected, size_bytes, created_at, received_at)
    select gen_random_uuid(), 'OLD-' || lpad((i % 2000)::text, 4, '0'), i / 2000 + 1, 'rows', 'births', 1, 1, 0, 1200,
      now() - interval '30 days' + (i::float / ${history}) * interval '29 days',
      now() - interval '30 days' + (i::float / ${history}) * interval '29 days'
    from generate_series(0, ${history - 1}) as i`.execute(db);
  await sql`analyze`.execute(db);
  console.log(
    `monitor bench: ${history.toLocaleString('en')} containers of history loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const password = 'bench supervisor password';
  await addUser(db, {
    login: 'bench',
    privilege: 1,
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

  /** One fetch of the live part: its time, and the age of the newest container it shows. */
  const poll = async () => {
    const before = performance.now();
    const response = await web.fastify.inject({ method: 'GET', url: '/monitor/live', headers: { cookie } });
    const ms = performance.now() - before;
    if (response.statusCode !== 200) throw new Error(`/monitor/live: ${response.statusCode}`);
    const newest = /<table class="containers">[\s\S]*?<time datetime="([^"]+)"/.exec(response.body)?.[1];
    return { ms, age: newest ? Date.now() - Date.parse(newest) : Number.NaN };
  };
  const idle: number[] = [];
  for (let i = 0; i < 10; i++) idle.push((await poll()).ms);
  console.log(`monitor idle (history only): ${figures(idle)} ms`);
  // What the per-site part cost before 20261208 (a GROUP BY over the whole log), for comparison.
  const former: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = performance.now();
    await sql`select sender_matricule, max(received_at), count(id), min(sequence), max(sequence), count(sequence)
      from xm_system.received_containers group by sender_matricule order by max(received_at) desc limit 30`.execute(
      db,
    );
    former.push(performance.now() - before);
  }
  console.log(`former per-site query (GROUP BY over the whole log), idle: ${figures(former)} ms`);

  const applier = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@xmcomm/source',
      fileURLToPath(new URL('./monitor-applier.ts', import.meta.url)),
    ],
    { env: { ...process.env, BENCH_TARGET: target.toString() }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const messages = createInterface({ input: applier.stdout });
  const next = () =>
    new Promise<Record<string, number | boolean>>((resolve, reject) => {
      messages.once('line', (line) => resolve(JSON.parse(line)));
      applier.once('exit', (code) => reject(new Error(`applier ended with ${code}`)));
    });
  const ready = await next();
  console.log(
    `applier ready: ${ready.containers} one-act containers of ${ready.averageBytes} bytes sealed in ${Number(ready.sealSeconds).toFixed(1)} s`,
  );
  const done = next();
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  applier.stdin.write('go\n');
  started = performance.now();
  const latencies: number[] = [];
  const ages: number[] = [];
  let seenRun = false;
  while (!finished) {
    const turn = performance.now();
    const { ms, age } = await poll();
    // Until the first batch commits, the newest container shown is the history's (a day old).
    if (age < 60_000) seenRun = true;
    if (seenRun) {
      latencies.push(ms);
      if (!Number.isNaN(age)) ages.push(age);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, pollMs - (performance.now() - turn))));
  }
  const result = await done;
  applier.stdin.end();
  console.log(
    `applied ${result.applied} containers (${result.accepted} acts) in ${Number(result.seconds).toFixed(1)} s: ${Number(result.rate).toFixed(0)} containers/s`,
  );
  console.log(
    `monitor under load, ${latencies.length} fetches every ${pollMs} ms from the first container applied: ${figures(latencies)} ms`,
  );
  console.log(`newest container shown, age at the answer: ${figures(ages)} ms`);
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  await web.fastify.close();
} finally {
  await db?.destroy();
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
}
