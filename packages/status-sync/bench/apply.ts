// Server apply rate into PostgreSQL, container verification included (CMS decrypt, signature, signer
// looked up in the certificate register) and charged through @xmcomm/billing (an account with credit
// and a per-row tariff), for 1, 10 and 50 rows per container: applyContainer one at a time and with
// 8 in flight, applyBatch in batches of 32, 64 and 128 containers with 1 and 2 batches in flight,
// containers from 8 sites in turn (BENCH_SITES).
// Run: npm run bench -w @xmcomm/status-sync  (DATABASE_URL defaults to this machine's PostgreSQL)
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { credit, registerClient, setTariff, syncCharging } from '@xmcomm/billing';
import { migrateToLatest, openDatabase, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { centreCodeOf, createActGenerator, travellingRow } from '@xmcomm/schema/testing';
import { sql } from 'kysely';
import { type Charging, createServerSync } from '../src/index.js';
import { issueIdentities, registerCertificate, serverCodec, siteCodec } from '../test/helpers/identities.js';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const name = `xm_bench_${randomBytes(4).toString('hex')}`;
// biome-ignore lint/suspicious/noExplicitAny: administrative connection
const admin = await openDatabase<any>(serverUrl, { maxConnections: 1 });
await sql`create database ${sql.id(name)}`.execute(admin);
const target = new URL(serverUrl);
target.pathname = `/${name}`;
const db = await openDatabase<ServerDatabase>(target.toString(), { maxConnections: 8 });

try {
  await migrateToLatest(db, serverMigrations);
  // Containers come from several sites, as on the national server: batches of different senders do
  // not wait on each other's client and account locks (BENCH_SITES=1 shows one site alone).
  const siteCount = Number(process.env.BENCH_SITES ?? 8);
  const matricules = Array.from({ length: siteCount }, (_, i) => `CEC-${String(i + 1).padStart(4, '0')}`);
  const ids = await issueIdentities('XMSERVER', matricules);
  for (const site of ids.sites) {
    const registered = await registerClient(db, {
      matricule: site.matricule,
      centreCode: centreCodeOf(site.matricule),
      name: 'Bench',
      passwordHash: 'x',
      status: 3,
    });
    if (!registered.ok) throw registered.error;
    await credit(db, {
      clientId: registered.clientId,
      amount: 1_000_000_000,
      actor: 'bench',
      reason: 'Recharge',
    });
    await registerCertificate(db, site, ids);
  }
  await setTariff(db, { service: 'sds-export', perRow: 25, perKilobyte: 1 });
  // As xmserver wires it: billing's gate, its charge, and its batch charge for applyBatch.
  const charging: Charging = syncCharging('bench');
  // The server's signers as xmserver builds them: each site's certificate looked up once, then kept.
  const server = createServerSync({
    db,
    codec: await serverCodec(db, ids),
    serverMatricule: 'XMSERVER',
    charging,
  });
  const codecs = ids.sites.map((site) => ({ matricule: site.matricule, codec: siteCodec(site, ids) }));

  // Acts as centres fill them in (names, places, dates drawn from lists), not one act repeated:
  // compression, the payload's string table and the indexes see what they would in production.
  const birthAct = createActGenerator(5);
  const sequences = new Map<string, number>();
  let numero = 0;
  /** Containers from the sites in turn. */
  async function seal(rowsPerContainer: number, containers: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (let c = 0; c < containers; c++) {
      const { matricule, codec } = codecs[c % codecs.length] as (typeof codecs)[number];
      const rows = Array.from({ length: rowsPerContainer }, () => {
        numero++;
        return travellingRow(birthAct(matricule, numero), numero);
      });
      const sequence = (sequences.get(matricule) ?? 0) + 1;
      sequences.set(matricule, sequence);
      const sealed = await codec.seal({
        sender: matricule,
        recipient: null,
        sequence,
        table: 'births',
        body: { kind: 'rows', rows },
      });
      out.push(sealed.bytes);
    }
    return out;
  }

  // Where the time goes: this process's CPU and PostgreSQL's (every postgres process on this machine,
  // from /proc, with the ended backends the postmaster reaped), per row stored.
  function postgresCpuMs(): number {
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
        const fields = stat.slice(close + 2).split(' ');
        // Its own time, and (the postmaster's) that of the backends it has reaped: a pool may close a
        // connection in the middle of a case.
        ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      } catch {
        // The process ended meanwhile.
      }
    }
    return ticks * 10;
  }

  type Mode = { readonly batch: number; readonly inFlight: number };
  // To profile one case: BENCH_ONLY=batch|single, BENCH_ROWS=50, BENCH_BATCH=32.
  const only = process.env.BENCH_ONLY;
  const onlyRows = process.env.BENCH_ROWS ? Number(process.env.BENCH_ROWS) : null;
  const onlyBatch = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : null;
  // BENCH_CPU_PROFILE=dir: a .cpuprofile of this process per case, the sites' sealing left out.
  const profileDir = process.env.BENCH_CPU_PROFILE;
  const profiler = profileDir ? new Session() : null;
  if (profiler && profileDir) {
    mkdirSync(profileDir, { recursive: true });
    profiler.connect();
    await profiler.post('Profiler.enable');
  }

  async function measure(rowsPerContainer: number, containers: number, mode: Mode) {
    const label =
      mode.batch === 1
        ? `applyContainer, ${rowsPerContainer} row(s), ${mode.inFlight} in flight`
        : `applyBatch ${mode.batch}, ${rowsPerContainer} row(s), ${mode.inFlight} in flight`;
    const list = await seal(rowsPerContainer, containers);
    const bytes = list.reduce((sum, b) => sum + b.length, 0);
    let next = 0;
    let accepted = 0;
    await profiler?.post('Profiler.start');
    const pgBefore = postgresCpuMs();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: mode.inFlight }, async () => {
        while (next < list.length) {
          if (mode.batch === 1) {
            const outcome = await server.applyContainer(list[next++] as Uint8Array);
            accepted += outcome.accepted;
          } else {
            const batch = list.slice(next, next + mode.batch);
            next += batch.length;
            for (const outcome of await server.applyBatch(batch)) accepted += outcome.accepted;
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const rows = containers * rowsPerContainer;
    const nodeUs = ((cpu.user + cpu.system) / rows).toFixed(0);
    const pgUs = (((postgresCpuMs() - pgBefore) * 1000) / rows).toFixed(0);
    if (profiler && profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      const file = `${label.replace(/[^a-zA-Z0-9]+/g, '-')}.cpuprofile`;
      writeFileSync(join(profileDir, file), JSON.stringify(profile));
    }
    if (accepted !== rowsPerContainer * containers) throw new Error(`${label}: ${accepted} rows accepted`);
    console.log(
      `${label.padEnd(44)} ${String(containers).padStart(5)} containers ${(containers / seconds).toFixed(0).padStart(6)} containers/s ${((containers * rowsPerContainer) / seconds).toFixed(0).padStart(7)} rows/s  CPU/row: node ${nodeUs.padStart(4)} µs, postgres ${pgUs.padStart(4)} µs  (avg ${(bytes / containers).toFixed(0)} B/container)`,
    );
  }

  // Warm-up: JIT, connections, the signer cache.
  await measure(10, 64, { batch: 1, inFlight: 4 });
  await measure(10, 64, { batch: 32, inFlight: 1 });
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}, ${siteCount} sending site(s)`);
  const counts: Record<number, number> = { 1: 1024, 10: 512, 50: 768 };
  for (const rows of [1, 10, 50]) {
    if (onlyRows !== null && rows !== onlyRows) continue;
    const containers = counts[rows] as number;
    if (only !== 'batch') {
      for (const inFlight of [1, 8]) await measure(rows, Math.min(containers, 512), { batch: 1, inFlight });
    }
    if (only !== 'single') {
      for (const batch of [32, 64, 128]) {
        if (onlyBatch !== null && batch !== onlyBatch) continue;
        for (const inFlight of [1, 2]) await measure(rows, containers, { batch, inFlight });
      }
    }
  }
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const { count } = await db
    .selectFrom('xm_data.births')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  console.log(`rows stored: ${count}, each exactly once`);
} finally {
  await db.destroy();
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
}
