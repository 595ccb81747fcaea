// chargeContainers against the reference, chargeContainer one call after another: the same
// results and the same ledger, charged rows and usage. PGlite by default, PostgreSQL with DATABASE_URL.
import { type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import type { Kysely } from 'kysely';
import { afterEach, expect, test } from 'vitest';
import {
  type ChargeContainerInput,
  type ChargeResult,
  chargeContainer,
  chargeContainers,
  credit,
  setQuota,
  setTariff,
  verifyLedger,
} from '../src/index.js';
import { addClient, containerId, rowKeys, tariffsFrom } from './helpers.js';

const opened: TestDatabase<ServerDatabase>[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

const at = new Date('2026-03-15T10:00:00Z');

/** Four clients: one with free rows, one with a quota, one short of credit, one suspended. */
async function world(): Promise<Kysely<ServerDatabase>> {
  const database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
  opened.push(database);
  const db = database.db;
  const ids = [
    await addClient(db, 'C001'),
    await addClient(db, 'C002'),
    await addClient(db, 'C003', { overdraft: 10 }),
    await addClient(db, 'C004', { status: 0 }),
  ];
  for (const [i, clientId] of ids.entries()) {
    await credit(db, { clientId, amount: [1_000, 1_000, 60, 500][i] as number, actor: 'op', reason: 'r' });
  }
  await setTariff(db, {
    service: 'sds-export',
    perRow: 10,
    perKilobyte: 1,
    freeRows: 3,
    period: 'month',
    from: tariffsFrom,
  });
  await setTariff(db, { service: 'sds-export', table: 'deaths', perRow: 20, from: tariffsFrom });
  await setQuota(db, { clientId: ids[1] as number, service: 'sds-export', maxRows: 6, period: 'day' });
  return db;
}

function inputs(): ChargeContainerInput[] {
  const redelivered = containerId();
  const base = { service: 'sds-export' as const, actor: 'w', at, bytes: 2_500 };
  return [
    { ...base, clientId: 1, containerId: containerId(), table: 'births', rows: rowKeys(2) }, // free rows
    { ...base, clientId: 1, containerId: redelivered, table: 'births', rows: rowKeys(4) }, // 1 free, 3 paid
    { ...base, clientId: 1, containerId: redelivered, table: 'births', rows: rowKeys(6) }, // 2 new rows, no bytes
    { ...base, clientId: 1, containerId: containerId(), table: 'deaths', rows: rowKeys(2) }, // own tariff
    { ...base, clientId: 2, containerId: containerId(), table: 'births', rows: rowKeys(5) },
    { ...base, clientId: 2, containerId: containerId(), table: 'births', rows: rowKeys(2) }, // quota: 1 left
    { ...base, clientId: 2, containerId: containerId(), table: 'births', rows: rowKeys(1) }, // fits the quota
    { ...base, clientId: 3, containerId: containerId(), table: 'births', rows: rowKeys(8) }, // 3 free, 50 + 3: 53 of 70
    { ...base, clientId: 3, containerId: containerId(), table: 'births', rows: rowKeys(2) }, // credit gone
    { ...base, clientId: 3, containerId: containerId(), table: 'births', rows: [], bytes: 0 }, // nothing to charge
    { ...base, clientId: 4, containerId: containerId(), table: 'births', rows: rowKeys(1) }, // suspended
    { ...base, clientId: 99, containerId: containerId(), table: 'births', rows: rowKeys(1) }, // unknown
    { ...base, matricule: 'C001', containerId: containerId(), table: 'births', rows: rowKeys(1, 7) },
  ];
}

async function state(db: Kysely<ServerDatabase>) {
  return {
    ledger: await db
      .selectFrom('xm_system.ledger_entries')
      .select([
        'account_id',
        'kind',
        'amount',
        'balance_after',
        'container_id',
        'quantity',
        'bytes',
        'reason',
      ])
      .orderBy('id')
      .execute(),
    charged: await db
      .selectFrom('xm_system.charged_rows')
      .select(['container_id', 'row_key', 'account_id', 'table_name'])
      .orderBy('container_id')
      .orderBy('row_key')
      .execute(),
    usage: await db
      .selectFrom('xm_system.usage_daily')
      .select(['account_id', 'table_name', 'day', 'rows', 'bytes'])
      .orderBy('account_id')
      .orderBy('table_name')
      .execute(),
  };
}

/** Entry ids are the database's own: compared as present or absent. */
const comparable = (results: ChargeResult[]) =>
  results.map((r) => (r.ok ? { ...r, entryId: r.entryId === null ? null : 'entry' } : r));

test('a batch charges as one call after another would, in one transaction', async () => {
  const list = inputs();
  const reference = await world();
  const batched = await world();
  const expected: ChargeResult[] = [];
  for (const input of list) expected.push(await chargeContainer(reference, input));
  const got = await batched.transaction().execute((trx) => chargeContainers(trx, list));
  expect(comparable(got)).toEqual(comparable(expected));
  expect(await state(batched)).toEqual(await state(reference));
  // The cases the batch is meant to hold are there.
  // [rows charged, amount]: free rows, paid rows and kilobytes once per container, quota, credit.
  expect(expected.map((r) => (r.ok ? [r.rowsCharged, r.charged] : r.reason))).toEqual([
    [2, 3],
    [4, 33],
    [2, 20],
    [2, 40],
    [5, 23],
    'quota-exceeded',
    [1, 13],
    [8, 53],
    'insufficient-credit',
    [0, 0],
    'suspended',
    'unknown-client',
    [1, 13],
  ]);
  for (const accountId of [1, 2, 3]) expect((await verifyLedger(batched, accountId)).ok).toBe(true);

  // Delivered again as a batch: nothing more is charged.
  const again = await chargeContainers(batched, list);
  expect(again.filter((r) => r.ok && r.charged > 0)).toEqual([]);
  // Two migrated server databases in one test: more than the default 30 s on a loaded 2-core machine.
}, 90_000);

test('an empty batch charges nothing; bad input is refused before anything is read', async () => {
  const db = await world();
  expect(await chargeContainers(db, [])).toEqual([]);
  await expect(
    chargeContainers(db, [
      {
        clientId: 1,
        containerId: 'x',
        service: 'sds-export',
        table: 'births',
        rows: [1],
        bytes: 0,
        actor: 'w',
      },
    ]),
  ).rejects.toMatchObject({ code: 'invalid-input' });
});
