// The workstation under load: a centre database of 100,000 acts (BENCH_ACTS; births mostly, some
// marriages and deaths), the workstation UI served as `ecr serve` serves it, and 20 workstations
// (BENCH_SESSIONS: logged-in sessions of agents, secretaries and the head, each with its cookie and
// CSRF token) hammering it with autocannon: surname-prefix search as the clerk types, a record's
// page, the list paged, a new birth saved as a draft. Each page alone, then the four mixed, then the
// mix at a clerk's pace (open loop: bench/open-loop.ts, BENCH_OPEN_SECONDS); prints p50/p95/p99 per
// page and requests/s, on PGlite and on PostgreSQL (DATABASE_URL, this machine's server by default;
// BENCH_ENGINES=pglite or postgres for one). Then the kit's surname-prefix search alone, as the page
// asks it. BENCH_KEEP=1 seeds a PostgreSQL database and keeps it (for EXPLAIN), nothing else.
// Figures, not assertions.
// Run: npm run bench:load -w @xmcomm/ecr-client
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { copyRows, copyText, migrateToLatest, openDatabase, type SiteDatabase } from '@xmcomm/schema';
import { createActGenerator, seededRandom } from '@xmcomm/schema/testing';
import { searchCountLimit } from '@xmcomm/site-kit';
import { createWorkstation } from '@xmcomm/workstation';
import autocannon from 'autocannon';
import { type Kysely, sql } from 'kysely';
import {
  birthType,
  centreKit,
  deathType,
  defaultRules,
  ecrMigrations,
  insertUser,
  marriageType,
} from '../src/index.js';
import { openLoop, type PlannedRequest } from './open-loop.js';

const actCount = Number(process.env.BENCH_ACTS ?? 100_000);
const sessionCount = Number(process.env.BENCH_SESSIONS ?? 20);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const openSeconds = Number(process.env.BENCH_OPEN_SECONDS ?? 60);
const engines = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',');
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const today = '2026-12-07';
const centre = { matricule: 'BENCH-01', centreCode: '102034', name: 'Bench' };

const random = seededRandom(19);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pad = (n: number) => String(n).padStart(2, '0');
const someDate = (from: number, to: number) => `${int(from, to)}-${pad(int(1, 12))}-${pad(int(1, 28))}`;
const birthAct = createActGenerator(19);

/**
 * The workflow columns a row is inserted with: a draft (some verified) or validated with its NIU;
 * `advance` then moves most validated rows on to sealed and accepted, as the lifecycle allows.
 */
function workflow(numero: number, eventDate: string): Record<string, unknown> {
  const validated = random() >= 0.06;
  const verified = validated || random() < 0.4;
  const at = new Date(`${eventDate}T10:00:00Z`);
  return {
    status: validated ? 2 : 1,
    drafted_by: `agent${int(1, 15)}`,
    drafted_at: at,
    verified_by: verified ? 'sec1' : null,
    verified_at: verified ? at : null,
    validated_by: validated ? 'chef' : null,
    validated_at: validated ? at : null,
    niu: validated
      ? `${centre.centreCode}-${eventDate.slice(0, 4)}-${String(numero).padStart(6, '0')}`
      : null,
  };
}

/** A register as years of work leave it: most acts sent and accepted, some sealed, a few cancelled. */
async function advance(db: Kysely<SiteDatabase>, table: string): Promise<void> {
  const target = sql.table(table);
  await sql`update ${target} set status = 3 where status = 2 and numero % 10 <> 0`.execute(db);
  await sql`update ${target} set status = 4 where status = 3 and numero % 7 <> 0`.execute(db);
  await sql`update ${target} set status = 0 where status = 1 and numero % 5 = 0`.execute(db);
}

/** Each act's history lines, as the workflow wrote them: what a record page reads beside the act. */
async function history(db: Kysely<SiteDatabase>, name: string, table: string): Promise<void> {
  for (const [kind, login, at] of [
    ['drafted', 'drafted_by', 'drafted_at'],
    ['verified', 'verified_by', 'verified_at'],
    ['validated', 'validated_by', 'validated_at'],
  ] as const) {
    await sql`insert into xm_site.act_events (table_name, act_numero, kind, user_login, at)
      select ${name}, numero, ${kind}, ${sql.ref(login)}, ${sql.ref(at)} from ${sql.table(table)}
      where ${sql.ref(login)} is not null`.execute(db);
  }
}

function birth(numero: number): Record<string, unknown> {
  const act = birthAct(centre.matricule, numero);
  const born = someDate(1990, 2026);
  return { ...act, date_of_birth: born, date_of_declaration: born, ...workflow(numero, born) };
}

function marriage(numero: number, names: readonly string[]): Record<string, unknown> {
  const on = someDate(1990, 2026);
  const spouse = (n: 1 | 2) => ({
    [`spouse${n}_surname`]: pick(names),
    [`spouse${n}_given_names`]: pick(names),
    [`spouse${n}_sex`]: n === 1 ? 'male' : 'female',
    [`spouse${n}_date_of_birth`]: someDate(1950, 2000),
    [`spouse${n}_previous_marital_status`]: 'never-married',
  });
  return {
    date_of_marriage: on,
    place_of_marriage_region: pick(['Centre', 'Littoral', 'Ouest', 'Nord']),
    place_of_marriage_locality: pick(['Yaoundé', 'Douala', 'Bafoussam', 'Garoua']),
    marriage_form: 'monogamous',
    ...spouse(1),
    ...spouse(2),
    date_of_registration: on,
    ...workflow(numero, on),
  };
}

function death(numero: number, names: readonly string[]): Record<string, unknown> {
  const on = someDate(1990, 2026);
  return {
    deceased_surname: pick(names),
    deceased_given_names: pick(names),
    deceased_sex: random() < 0.5 ? 'male' : 'female',
    date_of_death: on,
    place_of_death_region: pick(['Centre', 'Littoral', 'Ouest', 'Nord']),
    place_of_death_locality: pick(['Yaoundé', 'Douala', 'Bafoussam', 'Garoua']),
    place_of_death_type: pick(['hospital', 'home']),
    certifier: 'physician',
    declarant_surname: pick(names),
    declarant_relationship: 'relative',
    date_of_declaration: on,
    ...workflow(numero, on),
  };
}

/** 85% births, 10% marriages, 5% deaths, with COPY; returns the references a record page opens. */
async function seedActs(db: Kysely<SiteDatabase>): Promise<{ refs: string[]; surnames: string[] }> {
  const counts = { birth: Math.round(actCount * 0.85), marriage: Math.round(actCount * 0.1), death: 0 };
  counts.death = actCount - counts.birth - counts.marriage;
  const surnames = new Set<string>();
  const refs: string[] = [];
  for (const [type, count] of [
    [birthType, counts.birth],
    [marriageType, counts.marriage],
    [deathType, counts.death],
  ] as const) {
    for (let start = 0; start < count; start += 10_000) {
      const rows = Array.from({ length: Math.min(10_000, count - start) }, (_, i) => {
        const numero = start + i + 1;
        if (type === birthType) {
          const row = birth(numero);
          surnames.add(row.child_surname as string);
          surnames.add(row.mother_surname as string);
          return row;
        }
        return type === marriageType ? marriage(numero, [...surnames]) : death(numero, [...surnames]);
      });
      const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
      const full = rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
      await copyRows(db, type.table, columns, copyText(type.table, full));
    }
    await advance(db, type.table.qualifiedName);
    await history(db, type.table.name, type.table.qualifiedName);
    for (let i = 0; i < 2000; i++) refs.push(`${type.refLetter}${int(1, count)}`);
  }
  // As autovacuum leaves a table soon after a load: statistics, and the visibility map that lets an
  // index answer alone (index-only scans).
  await sql`vacuum analyze`.execute(db);
  return { refs, surnames: [...surnames] };
}

const cookieOf = (headers: Headers) =>
  headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

interface Session {
  readonly login: string;
  readonly cookie: string;
  readonly csrf: string;
}

/** Logs in as a browser does: the login page (pre-session cookie, its token), then the form. */
async function logIn(base: string, login: string, password: string): Promise<Session> {
  const form = await fetch(`${base}/login`);
  const pre = cookieOf(form.headers);
  const body = new URLSearchParams({ _csrf: csrfOf(await form.text()), login, password, next: '/' });
  const answer = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
    body,
    redirect: 'manual',
  });
  if (answer.status !== 303) throw new Error(`login ${login}: ${answer.status}`);
  const cookie = cookieOf(answer.headers);
  const home = await fetch(`${base}/`, { headers: { cookie } });
  return { login, cookie, csrf: csrfOf(await home.text()) };
}

type Page = 'search' | 'record' | 'list' | 'draft';

interface Context {
  session?: Session;
  page?: Page;
  sent?: number;
}

function draftBody(session: Session, surnames: readonly string[]): string {
  const surname = pick(surnames);
  return new URLSearchParams({
    _csrf: session.csrf,
    child_surname: surname,
    child_given_names: 'Marie Claire',
    child_sex: 'female',
    date_of_birth: '2026-11-29',
    time_of_birth: '06:45',
    place_of_birth_region: 'Centre',
    place_of_birth_locality: 'Yaoundé',
    place_of_birth_type: 'hospital',
    type_of_birth: 'single',
    weight_at_birth_grams: '3150',
    mother_surname: surname,
    mother_given_names: 'Béatrice',
    mother_nationality: 'CMR',
    mother_children_born_alive: '2',
    declarant_surname: surname,
    declarant_relationship: 'mother',
    date_of_declaration: '2026-12-04',
  }).toString();
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const expectedStatus = (page: Page) => (page === 'draft' ? 303 : 200);

/** What a workstation asks for each page. */
function requestFor(
  page: Page,
  session: Session,
  data: { refs: readonly string[]; surnames: readonly string[] },
): PlannedRequest {
  const headers: Record<string, string> = { cookie: session.cookie };
  const expected = expectedStatus(page);
  if (page === 'search') {
    const prefix = pick(data.surnames).slice(0, int(2, 4));
    // What htmx asks as the clerk types: the results alone.
    return {
      method: 'GET',
      path: `/records?name=${encodeURIComponent(prefix)}`,
      headers: { ...headers, 'hx-request': 'true', 'hx-target': 'results' },
      expected,
    };
  }
  if (page === 'record') return { method: 'GET', path: `/records/${pick(data.refs)}`, headers, expected };
  if (page === 'list') {
    const query = `${pick(['', 'type=birth&', 'status=2&'])}page=${int(1, 40)}`;
    return { method: 'GET', path: `/records?${query}`, headers, expected };
  }
  return {
    method: 'POST',
    path: '/records/new/birth',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: draftBody(session, data.surnames),
    expected,
  };
}

const mix = [
  ['search', 4],
  ['record', 3],
  ['list', 2],
  ['draft', 1],
] as const;

/** A page drawn by weight. */
function drawFrom(pages: readonly (readonly [Page, number])[]): Page {
  const weight = pages.reduce((sum, [, w]) => sum + w, 0);
  let roll = random() * weight;
  for (const [page, w] of pages) {
    roll -= w;
    if (roll < 0) return page;
  }
  return pages[0]?.[0] as Page;
}

/** One autocannon run: every connection a workstation, each request one of `pages`, drawn by weight. */
async function load(
  base: string,
  sessions: readonly Session[],
  pages: readonly (readonly [Page, number])[],
  data: { refs: readonly string[]; surnames: readonly string[] },
) {
  const times = new Map<Page, number[]>();
  let errors = 0;
  let next = 0;
  const draw = () => drawFrom(pages);
  const result = await autocannon({
    url: base,
    connections: sessions.length,
    duration: seconds,
    initialContext: {},
    requests: [
      {
        setupRequest(request, context: Context) {
          context.session ??= sessions[next++ % sessions.length];
          const page = draw();
          context.page = page;
          context.sent = performance.now();
          const { expected: _, ...planned } = requestFor(page, context.session as Session, data);
          return { ...request, ...planned };
        },
        onResponse(status, _body, context: Context) {
          const elapsed = performance.now() - (context.sent ?? 0);
          const expected = expectedStatus(context.page as Page);
          if (status !== expected) errors++;
          const list = times.get(context.page as Page) ?? [];
          list.push(elapsed);
          times.set(context.page as Page, list);
        },
      },
    ],
  });
  return { result, times, errors };
}

function report(label: string, run: Awaited<ReturnType<typeof load>>) {
  const total = [...run.times.values()].reduce((sum, list) => sum + list.length, 0);
  console.log(
    `  ${label}: ${(total / seconds).toFixed(0)} requests/s, ${run.errors} unexpected status, ${run.result.timeouts} timeouts, autocannon p50 ${run.result.latency.p50} ms p99 ${run.result.latency.p99} ms, load average ${loadavg()[0]?.toFixed(2)}`,
  );
  reportPages(run.times);
}

function reportPages(times: ReadonlyMap<Page, number[]>) {
  for (const [page, list] of times) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(
      `    ${page.padEnd(6)} ${String(list.length).padStart(6)} requests: p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
    );
  }
}

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
      if (process.env.BENCH_KEEP) {
        console.log(`  kept: ${url}`);
        await admin.destroy();
        return;
      }
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      await admin.destroy();
    };
  }
  const db = await openDatabase<SiteDatabase>(url);
  try {
    await migrateToLatest(db, ecrMigrations);
    const started = performance.now();
    const data = await seedActs(db);
    console.log(
      `${engine}: ${actCount} acts seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    if (process.env.BENCH_KEEP) return;
    const logins: [string, number][] = [['chef', 3]];
    for (let i = 1; i <= 4; i++) logins.push([`sec${i}`, 2]);
    for (let i = 1; logins.length < sessionCount; i++) logins.push([`agent${i}`, 1]);
    for (const [login, privilege] of logins) {
      await insertUser(db, { login, privilege: privilege as 1, password: `${login}-password` });
    }
    // As `ecr serve` makes it (serve-command.ts): the centre's kit, the workstation on it.
    const kit = centreKit({ db, centre, rules: defaultRules, today: () => today });
    const web = await createWorkstation({
      kit,
      db,
      appTitle: { en: 'Civil registration · Bench', fr: 'État civil · Bench' },
      dateBounds: () => ({ max: today }),
      logger: false,
    });
    // Requests in hand: a run waits for the last one's handler (the client may have left), so none
    // spills into the next run; 30 s at most.
    let inFlight = 0;
    web.fastify.addHook('onRequest', async () => {
      inFlight++;
    });
    web.fastify.addHook('onSend', async () => {
      inFlight--;
    });
    const drained = async () => {
      for (let waited = 0; inFlight > 0 && waited < 30_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      inFlight = 0;
    };
    await web.fastify.listen({ host: '127.0.0.1', port: 0 });
    const address = web.fastify.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const sessions: Session[] = [];
      for (const [login] of logins) sessions.push(await logIn(base, login, `${login}-password`));
      console.log(
        `  ${sessions.length} sessions (${logins.filter(([, p]) => p === 1).length} agents, 4 secretaries, the head), ${seconds} s per run`,
      );
      for (const page of ['search', 'record', 'list', 'draft'] as const) {
        report(`${page} alone`, await load(base, sessions, [[page, 1]], data));
        await drained();
      }
      report('mix (search 4, record 3, list 2, draft 1)', await load(base, sessions, mix, data));
      await drained();
      // The same workstations at a clerk's pace: one request every 2-5 s each, on a fixed schedule.
      const open = await openLoop<Page>({
        base,
        workstations: sessions.length,
        seconds: openSeconds,
        pause: [2000, 5000],
        random,
        next: (workstation) => {
          const page = drawFrom(mix);
          return { page, request: requestFor(page, sessions[workstation] as Session, data) };
        },
      });
      console.log(
        `  open loop, ${sessions.length} workstations each one request every 2-5 s, mixed 4:3:2:1, ${openSeconds} s: ${open.rate.toFixed(1)} requests/s, ${open.errors} unexpected status, bench late by ${open.maxLateness.toFixed(0)} ms at most, load average ${loadavg()[0]?.toFixed(2)}`,
      );
      reportPages(open.times);
      // The search alone through the kit, as the page asks it (first page of 25 and its total).
      const agent = { id: 2, login: 'sec1', privilege: 2 as const };
      for (const length of [2, 3, 4]) {
        const prefixes = Array.from({ length: 200 }, () => pick(data.surnames).slice(0, length));
        const times: number[] = [];
        let found = 0;
        let more = 0;
        for (const prefix of prefixes) {
          const t0 = performance.now();
          const result = await kit.records.search(agent, { name: prefix, limit: 25 });
          times.push(performance.now() - t0);
          found += result.total;
          if (result.more) more++;
        }
        times.sort((a, b) => a - b);
        console.log(
          `  kit search, ${length}-letter surname prefixes (mean ${Math.round(found / times.length)} matches counted, ${more} of ${times.length} over ${searchCountLimit}): p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms`,
        );
      }
    } finally {
      await web.fastify.close();
    }
  } finally {
    await db.destroy();
    await drop();
  }
}

for (const engine of engines) await run(engine);
