// Charges per second on PostgreSQL with 8 concurrent workers (each its own connection), in a fresh
// database created here and dropped at the end. DATABASE_URL names the server (loopback only).
//   npm run bench -w @xmcomm/billing
import { randomBytes, randomUUID } from 'node:crypto';
import { migrateToLatest, openDatabase, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import {
  balanceOf,
  chargeContainer,
  chargeContainers,
  credit,
  registerClient,
  setTariff,
  verifyLedger,
} from '../src/index.js';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const workers = 8;
const chargesPerWorker = Number(process.env.BENCH_CHARGES ?? 200);
const rowsPerContainer = 10;

const host = new URL(serverUrl).hostname;
if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
  throw new Error(`The benchmark only runs against a loopback PostgreSQL, not ${host}.`);
}

const name = `xm_bench_billing_${randomBytes(4).toString('hex')}`;
// biome-ignore lint/suspicious/noExplicitAny: administrative connection, no tables
const admin = await openDatabase<any>(serverUrl, { maxConnections: 1 });
await sql`create database ${sql.id(name)}`.execute(admin);
const target = new URL(serverUrl);
target.pathname = `/${name}`;

const pools: Kysely<ServerDatabase>[] = [];
try {
  const db = await openDatabase<ServerDatabase>(target.toString(), { maxConnections: 2 });
  pools.push(db);
  await migrateToLatest(db, serverMigrations);
  await setTariff(db, { service: 'sds-export', perRow: 10, perKilobyte: 1 });
  for (let i = 0; i < workers; i++) {
    pools.push(await openDatabase<ServerDatabase>(target.toString(), { maxConnections: 1 }));
  }
  const workerPools = pools.slice(1);

  const clientIds: number[] = [];
  for (let i = 0; i <= workers; i++) {
    const registered = await registerClient(db, {
      matricule: `BENCH${i}`,
      name: `Bench ${i}`,
      passwordHash: 'x',
      status: 3,
    });
    if (!registered.ok) throw registered.error;
    clientIds.push(registered.clientId);
    await credit(db, { clientId: registered.clientId, amount: 1e12, actor: 'bench', reason: 'bench' });
  }

  async function run(label: string, clientOf: (worker: number) => number) {
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      workerPools.map(async (pool, worker) => {
        for (let i = 0; i < chargesPerWorker; i++) {
          const t0 = performance.now();
          const result = await chargeContainer(pool, {
            clientId: clientOf(worker),
            containerId: randomUUID(),
            service: 'sds-export',
            table: 'births',
            rows: Array.from({ length: rowsPerContainer }, (_, r) => i * rowsPerContainer + r + 1),
            bytes: 1_100 * rowsPerContainer,
            actor: `bench-${worker}`,
          });
          latencies.push(performance.now() - t0);
          if (!result.ok) throw new Error(`refused: ${result.reason}`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const total = workers * chargesPerWorker;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(1);
    console.log(
      `${label}: ${total} charges (${total * rowsPerContainer} rows) in ${seconds.toFixed(2)} s = ` +
        `${(total / seconds).toFixed(0)} charges/s, ${((total * rowsPerContainer) / seconds).toFixed(0)} rows/s; ` +
        `latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`,
    );
  }

  const hot = clientIds[0] as number;
  console.log(
    `billing benchmark: ${workers} concurrent workers, one connection each, ${rowsPerContainer} rows per container, PostgreSQL`,
  );
  await run('one shared account (all workers contend for its row lock)', () => hot);
  await run('one account per worker (no contention)', (worker) => clientIds[worker + 1] as number);

  // Group commit as status-sync's applyBatch does it: a batch of containers of several accounts
  // charged in one transaction with chargeContainers.
  for (const batch of [16, 64, 128]) {
    const started = performance.now();
    const batches = Math.max(1, Math.floor((workers * chargesPerWorker) / batch));
    await Promise.all(
      workerPools.slice(0, 2).map(async (pool, worker) => {
        for (let b = worker; b < batches; b += 2) {
          const inputs = Array.from({ length: batch }, (_, i) => ({
            clientId: clientIds[1 + ((b * batch + i) % workers)] as number,
            containerId: randomUUID(),
            service: 'sds-export' as const,
            table: 'births',
            rows: Array.from({ length: rowsPerContainer }, (_, r) => r + 1),
            bytes: 1_100 * rowsPerContainer,
            actor: `bench-batch-${worker}`,
          }));
          const results = await pool.transaction().execute((trx) => chargeContainers(trx, inputs));
          if (!results.every((r) => r.ok)) throw new Error('a batch charge was refused');
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const total = batches * batch;
    console.log(
      `chargeContainers, batches of ${batch}, 2 in flight, ${workers} accounts: ${total} charges in ${seconds.toFixed(2)} s = ` +
        `${(total / seconds).toFixed(0)} charges/s, ${((total * rowsPerContainer) / seconds).toFixed(0)} rows/s`,
    );
  }

  // The figures only count if the books are right.
  for (const clientId of clientIds) {
    const account = await balanceOf(db, { clientId });
    const check = await verifyLedger(db, account?.accountId ?? 0);
    if (!check.ok) throw new Error(`ledger of client ${clientId} does not add up at entry ${check.entryId}`);
  }
  const expected = 1e12 - workers * chargesPerWorker * (rowsPerContainer * 10 + 11);
  const hotBalance = (await balanceOf(db, { clientId: hot }))?.balance;
  if (hotBalance !== expected) throw new Error(`shared account balance ${hotBalance}, expected ${expected}`);
  console.log('ledgers verified: every running balance equals the sum of the amounts');
} finally {
  await Promise.all(pools.map((pool) => pool.destroy()));
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
}
