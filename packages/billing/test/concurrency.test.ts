// Eight workers, each with its own pool and connection, charge one account at the same time.
// On PostgreSQL (DATABASE_URL set) the transactions really overlap and the account row lock serialises
// them; on the embedded PGlite there is one connection, so the same suite runs serialised.
import { openDatabase, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase } from '@xmcomm/schema/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  balanceOf,
  type ChargeResult,
  chargeContainer,
  credit,
  setTariff,
  verifyLedger,
} from '../src/index.js';
import { addClient, containerId, rowKeys } from './helpers.js';

const database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
const onPostgres = database.kind === 'postgres';
const mode = onPostgres
  ? 'PostgreSQL, 8 connections, concurrent transactions'
  : 'PGlite, one connection, so the workers are serialised';
const workerCount = 8;
let workers: Kysely<ServerDatabase>[] = [];

beforeAll(async () => {
  workers = onPostgres
    ? await Promise.all(
        Array.from({ length: workerCount }, () =>
          openDatabase<ServerDatabase>(database.url, { maxConnections: 1 }),
        ),
      )
    : Array.from({ length: workerCount }, () => database.db);
  await setTariff(database.db, { service: 'sds-export', perRow: 10 });
});

afterAll(async () => {
  if (onPostgres) await Promise.all(workers.map((worker) => worker.destroy()));
  await database.close();
});

const chargeFive = (db: Kysely<ServerDatabase>, clientId: number, id: string, actor: string) =>
  chargeContainer(db, {
    clientId,
    containerId: id,
    service: 'sds-export',
    table: 'births',
    rows: rowKeys(5),
    bytes: 0,
    actor,
  });

async function ledgerOf(clientId: number) {
  const account = await balanceOf(database.db, { clientId });
  const entries = await database.db
    .selectFrom('xm_system.ledger_entries')
    .select(['kind', 'amount', 'container_id'])
    .where('account_id', '=', account?.accountId ?? 0)
    .execute();
  return { account, entries, check: await verifyLedger(database.db, account?.accountId ?? 0) };
}

describe(`concurrent charges (${mode})`, () => {
  test('8 workers charging one account never overspend', async () => {
    const clientId = await addClient(database.db, 'CONC1');
    await credit(database.db, { clientId, amount: 1000, actor: 'op', reason: 'recharge' });
    // 40 containers of 50 each against 1000 of credit: exactly 20 fit.
    const results = await Promise.all(
      workers.map(async (db, worker) => {
        const mine: ChargeResult[] = [];
        for (let i = 0; i < 5; i++)
          mine.push(await chargeFive(db, clientId, containerId(), `worker-${worker}`));
        return mine;
      }),
    );
    const flat = results.flat();
    expect(flat.filter((r) => r.ok).length).toBe(20);
    expect(flat.filter((r) => !r.ok && r.reason === 'insufficient-credit').length).toBe(20);
    const { account, entries, check } = await ledgerOf(clientId);
    expect(account?.balance).toBe(0);
    expect(check).toEqual({ ok: true, balance: 0, entries: 21 });
    expect(entries.filter((e) => e.kind === 'charge').reduce((sum, e) => sum + e.amount, 0)).toBe(-1000);
  });

  test('8 workers delivering the same 10 containers charge each container exactly once', async () => {
    const clientId = await addClient(database.db, 'CONC2');
    await credit(database.db, { clientId, amount: 10_000, actor: 'op', reason: 'recharge' });
    const ids = Array.from({ length: 10 }, () => containerId());
    const results = await Promise.all(
      workers.map(async (db, worker) => {
        // Each worker takes the containers in its own order, as re-deliveries would arrive.
        const order = ids.map((_, i) => ids[(i + worker) % ids.length] as string);
        const mine: ChargeResult[] = [];
        for (const id of order) mine.push(await chargeFive(db, clientId, id, `worker-${worker}`));
        return mine;
      }),
    );
    const flat = results.flat();
    expect(flat.every((r) => r.ok)).toBe(true);
    expect(flat.reduce((sum, r) => sum + (r.ok ? r.charged : 0), 0)).toBe(500);
    expect(flat.reduce((sum, r) => sum + (r.ok ? r.rowsCharged : 0), 0)).toBe(50);
    const { account, entries, check } = await ledgerOf(clientId);
    expect(account?.balance).toBe(9_500);
    expect(check.ok).toBe(true);
    const charged = entries.filter((e) => e.kind === 'charge').map((e) => e.container_id);
    expect(charged.sort()).toEqual([...ids].sort());
    // The usage counters (free rows and quotas are counted from them) agree with the charged rows.
    const usage = await database.db
      .selectFrom('xm_system.usage_daily')
      .select((eb) => eb.fn.sum<number>('rows').as('rows'))
      .where('account_id', '=', account?.accountId ?? 0)
      .executeTakeFirstOrThrow();
    expect(Number(usage.rows)).toBe(50);
  });
});

test.skipIf(!process.env.DATABASE_URL)(
  'PostgreSQL only: a second worker waits on the account row lock, then sees the first charge',
  async () => {
    const [first, second] = workers as [Kysely<ServerDatabase>, Kysely<ServerDatabase>];
    const clientId = await addClient(database.db, 'CONC3');
    await credit(database.db, { clientId, amount: 60, actor: 'op', reason: 'recharge' });
    const trx = await first.startTransaction().execute();
    expect(await chargeFive(trx, clientId, containerId(), 'first')).toMatchObject({ ok: true, balance: 10 });
    let settled = false;
    const waiting = chargeFive(second, clientId, containerId(), 'second').finally(() => {
      settled = true;
    });
    // Until the first transaction ends, the second is blocked on the lock inside PostgreSQL.
    let blocked = 0;
    for (let attempt = 0; attempt < 100 && blocked === 0; attempt++) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
      blocked = rows[0]?.n ?? 0;
      if (blocked === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(blocked).toBe(1);
    expect(settled).toBe(false);
    await trx.commit().execute();
    expect(await waiting).toEqual({ ok: false, reason: 'insufficient-credit', required: 50, available: 10 });
  },
);
