// The same suite runs on the embedded PGlite (default) and on PostgreSQL (DATABASE_URL set).
import { type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, withRollback } from '@xmcomm/schema/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, test } from 'vitest';
import {
  adjust,
  allowance,
  BillingError,
  balanceOf,
  chargeContainer,
  credit,
  refund,
  setOverdraftLimit,
  setQuota,
  setTariff,
  verifyLedger,
} from '../src/index.js';
import { addClient, containerId, rowKeys, tariffsFrom } from './helpers.js';

const database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
afterAll(() => database.close());
const engine = database.kind;

const charge = (db: Kysely<ServerDatabase>, clientId: number, rows: number[], extra: object = {}) =>
  chargeContainer(db, {
    clientId,
    containerId: containerId(),
    service: 'sds-export',
    table: 'births',
    rows,
    bytes: 0,
    actor: 'worker-1',
    ...extra,
  });

const entries = (db: Kysely<ServerDatabase>) =>
  db.selectFrom('xm_system.ledger_entries').selectAll().orderBy('id').execute();

describe(`charging on ${engine}`, () => {
  test('a container is charged per row and the balance derives from the ledger', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'C001');
      await setTariff(db, { service: 'sds-export', perRow: 10 });
      expect((await credit(db, { clientId, amount: 1000, actor: 'op', reason: 'recharge' })).ok).toBe(true);
      const result = await charge(db, clientId, rowKeys(5));
      expect(result).toMatchObject({
        ok: true,
        charged: 50,
        rowsCharged: 5,
        rowsAlreadyCharged: 0,
        balance: 950,
      });
      expect(await balanceOf(db, { clientId })).toMatchObject({
        balance: 950,
        available: 950,
        currency: 'XAF',
      });
      const ledger = await entries(db);
      expect(ledger.map((e) => [e.kind, e.amount, e.balance_after, e.actor])).toEqual([
        ['credit', 1000, 1000, 'op'],
        ['charge', -50, 950, 'worker-1'],
      ]);
      const account = await balanceOf(db, { matricule: 'C001' });
      expect(await verifyLedger(db, account?.accountId ?? 0)).toEqual({ ok: true, balance: 950, entries: 2 });
    }));

  test('a re-delivered container is never charged twice; new rows of it are, without its bytes again', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'C002');
      await setTariff(db, { service: 'sds-export', perRow: 10, perKilobyte: 1 });
      await credit(db, { clientId, amount: 1000, actor: 'op', reason: 'recharge' });
      const id = containerId();
      const input = {
        clientId,
        containerId: id,
        service: 'sds-export',
        table: 'births',
        bytes: 2049,
        actor: 'w',
      } as const;
      expect(await chargeContainer(db, { ...input, rows: rowKeys(5) })).toMatchObject({
        ok: true,
        charged: 53,
      });
      expect(await chargeContainer(db, { ...input, rows: rowKeys(5) })).toMatchObject({
        ok: true,
        charged: 0,
        rowsCharged: 0,
        rowsAlreadyCharged: 5,
        balance: 947,
        entryId: null,
      });
      expect(await chargeContainer(db, { ...input, rows: [...rowKeys(7), 7, 7] })).toMatchObject({
        ok: true,
        charged: 20,
        rowsCharged: 2,
        rowsAlreadyCharged: 5,
        balance: 927,
      });
      const charged = await db
        .selectFrom('xm_system.charged_rows')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('container_id', '=', id)
        .executeTakeFirstOrThrow();
      expect(Number(charged.n)).toBe(7);
    }));

  test('insufficient credit refuses the whole container and writes nothing; credit lets it through', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'C003');
      await setTariff(db, { service: 'sds-export', perRow: 10 });
      await credit(db, { clientId, amount: 45, actor: 'op', reason: 'recharge' });
      const id = containerId();
      const input = {
        clientId,
        containerId: id,
        service: 'sds-export',
        table: 'births',
        rows: rowKeys(5),
        bytes: 0,
        actor: 'w',
      } as const;
      expect(await chargeContainer(db, input)).toEqual({
        ok: false,
        reason: 'insufficient-credit',
        required: 50,
        available: 45,
      });
      expect((await entries(db)).length).toBe(1);
      expect(await db.selectFrom('xm_system.charged_rows').selectAll().execute()).toEqual([]);
      expect(await db.selectFrom('xm_system.usage_daily').selectAll().execute()).toEqual([]);
      await credit(db, { clientId, amount: 5, actor: 'op', reason: 'top-up' });
      expect(await chargeContainer(db, input)).toMatchObject({ ok: true, charged: 50, balance: 0 });
    }));

  test('the balance goes below zero only as far as the overdraft the operator set', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'C004');
      await setTariff(db, { service: 'sds-export', perRow: 10 });
      expect(await charge(db, clientId, rowKeys(1))).toMatchObject({
        ok: false,
        reason: 'insufficient-credit',
      });
      expect((await setOverdraftLimit(db, { clientId }, 25)).ok).toBe(true);
      expect(await charge(db, clientId, rowKeys(2))).toMatchObject({ ok: true, balance: -20 });
      expect(await charge(db, clientId, rowKeys(1))).toMatchObject({ ok: false, available: 5 });
      const negative = await adjust(db, { clientId, amount: -6, actor: 'op', reason: 'correction' });
      expect(negative.ok ? 'ok' : negative.error.code).toBe('insufficient-credit');
      expect(await adjust(db, { clientId, amount: -5, actor: 'op', reason: 'correction' })).toMatchObject({
        ok: true,
        balance: -25,
      });
    }));

  test('the status gate refuses suspended clients and SDS below status 3', () =>
    withRollback(database.db, async (db) => {
      const suspended = await addClient(db, 'C005', { status: 0 });
      const noSds = await addClient(db, 'C006', { status: 2 });
      expect(await charge(db, suspended, rowKeys(1))).toEqual({ ok: false, reason: 'suspended' });
      expect(await charge(db, noSds, rowKeys(1))).toEqual({ ok: false, reason: 'service-not-allowed' });
      expect(await charge(db, noSds, rowKeys(1), { service: 'messages' })).toMatchObject({
        ok: true,
        charged: 0,
      });
      expect(await charge(db, 999_999, rowKeys(1))).toEqual({ ok: false, reason: 'unknown-client' });
    }));

  test('read quotas per client and period refuse with quota-exceeded, table quotas beside service quotas', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'C007');
      const at = new Date('2026-03-15T10:00:00Z');
      const read = (rows: number[], table = 'births', when = at) =>
        charge(db, clientId, rows, { service: 'sds-import', table, at: when });
      await setQuota(db, { clientId, service: 'sds-import', maxRows: 10 });
      await setQuota(db, { clientId, service: 'sds-import', table: 'deaths', maxRows: 2 });
      expect(await read(rowKeys(8))).toMatchObject({ ok: true, rowsCharged: 8 });
      expect(await read(rowKeys(3))).toEqual({ ok: false, reason: 'quota-exceeded' });
      expect(await read(rowKeys(3), 'deaths')).toEqual({ ok: false, reason: 'quota-exceeded' });
      expect(await read(rowKeys(2), 'deaths')).toMatchObject({ ok: true });
      expect(await read(rowKeys(1), 'marriages')).toEqual({ ok: false, reason: 'quota-exceeded' });
      // A new month starts a new quota period.
      expect(await read(rowKeys(10), 'births', new Date('2026-04-01T00:00:00Z'))).toMatchObject({ ok: true });
      const unknown = await setQuota(db, { matricule: 'NOPE', service: 'sds-import', maxRows: 1 });
      expect(unknown.ok ? 'ok' : unknown.error.code).toBe('unknown-client');
    }));

  test('free rows per period, then per row; a table tariff wins over the service tariff', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'C008');
      await credit(db, { clientId, amount: 1000, actor: 'op', reason: 'recharge' });
      await setTariff(db, { service: 'sds-export', perRow: 10, freeRows: 5, from: tariffsFrom });
      await setTariff(db, { service: 'sds-export', table: 'deaths', perRow: 1, from: tariffsFrom });
      const at = new Date('2026-05-02T08:00:00Z');
      expect(await charge(db, clientId, rowKeys(3), { at })).toMatchObject({ charged: 0, freeRows: 3 });
      expect(await charge(db, clientId, rowKeys(4), { at })).toMatchObject({ charged: 20, freeRows: 2 });
      expect(await charge(db, clientId, rowKeys(4), { at, table: 'deaths' })).toMatchObject({
        charged: 4,
        freeRows: 0,
      });
      // The free allowance is per period: June starts again.
      expect(await charge(db, clientId, rowKeys(6), { at: new Date('2026-06-01T00:00:00Z') })).toMatchObject({
        charged: 10,
        freeRows: 5,
      });
      // A tariff in another currency does not apply to a XAF account.
      await setTariff(db, { service: 'messages', currency: 'EUR', perRow: 100 });
      expect(await charge(db, clientId, rowKeys(1), { service: 'messages' })).toMatchObject({
        ok: true,
        charged: 0,
      });
    }));

  test('refunds name the charge and never exceed it; credits replay once by idempotency key', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'C009');
      await setTariff(db, { service: 'sds-export', perRow: 10 });
      const first = await credit(db, {
        clientId,
        amount: 100,
        actor: 'op',
        reason: 'cash',
        reference: 'R-1',
        idempotencyKey: 'pay-1',
      });
      const again = await credit(db, {
        clientId,
        amount: 100,
        actor: 'op',
        reason: 'cash',
        reference: 'R-1',
        idempotencyKey: 'pay-1',
      });
      expect(again).toMatchObject({ ok: true, replayed: true, balance: 100 });
      expect(first.ok && again.ok && again.entry.id === first.entry.id).toBe(true);
      const charged = await charge(db, clientId, rowKeys(5));
      const entryId = charged.ok ? (charged.entryId ?? 0) : 0;
      expect(
        await refund(db, { clientId, entryId, amount: 20, actor: 'op', reason: 'duplicate act' }),
      ).toMatchObject({
        ok: true,
        balance: 70,
      });
      const tooMuch = await refund(db, { clientId, entryId, amount: 31, actor: 'op', reason: 'x' });
      expect(tooMuch.ok ? 'ok' : tooMuch.error.code).toBe('invalid-input');
      expect(await refund(db, { clientId, entryId, actor: 'op', reason: 'rest' })).toMatchObject({
        ok: true,
        balance: 100,
      });
      const ofCredit = await refund(db, {
        clientId,
        entryId: first.ok ? first.entry.id : 0,
        actor: 'op',
        reason: 'x',
      });
      expect(ofCredit.ok ? 'ok' : ofCredit.error.code).toBe('unknown-entry');
      const account = await balanceOf(db, { clientId });
      expect(await verifyLedger(db, account?.accountId ?? 0)).toMatchObject({ ok: true, balance: 100 });
    }));

  test('bad amounts and inputs are refused; unknown clients are reported', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'C010');
      for (const amount of [0, -5, 1.5, Number.NaN, 2 ** 60]) {
        const result = await credit(db, { clientId, amount, actor: 'op', reason: 'x' });
        expect(result.ok ? 'ok' : result.error.code).toBe('invalid-input');
      }
      const noReason = await credit(db, { clientId, amount: 1, actor: 'op', reason: ' ' });
      expect(noReason.ok ? 'ok' : noReason.error.code).toBe('invalid-input');
      const unknown = await credit(db, { matricule: 'NOPE', amount: 1, actor: 'op', reason: 'x' });
      expect(unknown.ok ? 'ok' : unknown.error.messageFr).toBe('Client ou compte inconnu');
      await expect(charge(db, clientId, rowKeys(1), { containerId: "x'; drop table x" })).rejects.toSatisfy(
        (e) => BillingError.isInstance(e) && e.code === 'invalid-input',
      );
      await expect(charge(db, clientId, [-1])).rejects.toThrow(BillingError);
      await expect(charge(db, clientId, [1], { service: 'everything' })).rejects.toThrow(
        /service must be one/,
      );
    }));

  test('the allowance tells the server how many rows it may answer an import with', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'C013');
      const at = new Date('2026-07-10T00:00:00Z');
      const ask = () => allowance(db, { clientId, service: 'sds-import', table: 'births', at });
      expect(await ask()).toEqual({
        ok: true,
        rows: null,
        byQuota: null,
        byCredit: null,
        freeRowsLeft: 0,
        pricePerRow: 0,
      });
      await setTariff(db, { service: 'sds-import', perRow: 10, freeRows: 3, from: tariffsFrom });
      await credit(db, { clientId, amount: 95, actor: 'op', reason: 'recharge' });
      expect(await ask()).toMatchObject({ rows: 12, byCredit: 12, freeRowsLeft: 3 });
      await setQuota(db, { clientId, service: 'sds-import', maxRows: 8 });
      expect(await ask()).toMatchObject({ rows: 8, byQuota: 8, byCredit: 12 });
      // What the allowance says is what the charge accepts, and one more row is refused.
      const read = (n: number) => charge(db, clientId, rowKeys(n), { service: 'sds-import', at });
      expect(await read(9)).toEqual({ ok: false, reason: 'quota-exceeded' });
      expect(await read(8)).toMatchObject({ ok: true, charged: 50, freeRows: 3 });
      expect(await ask()).toMatchObject({ rows: 0, byQuota: 0, byCredit: 4 });
      await setOverdraftLimit(db, { clientId }, 1);
      expect(await allowance(db, { clientId, service: 'sds-export', table: 'births' })).toMatchObject({
        ok: true,
      });
      const suspended = await addClient(db, 'C014', { status: 1 });
      expect(await allowance(db, { clientId: suspended, service: 'sds-import', table: 'births' })).toEqual({
        ok: false,
        reason: 'service-not-allowed',
      });
    }));

  test("the charge commits or rolls back with the caller's transaction", async () => {
    const clientId = await addClient(database.db, 'C011');
    await credit(database.db, { clientId, amount: 100, actor: 'op', reason: 'recharge' });
    await setTariff(database.db, { service: 'sds-import', table: 'marriages', perRow: 7 });
    const id = containerId();
    const input = {
      clientId,
      containerId: id,
      service: 'sds-import',
      table: 'marriages',
      rows: [1],
      bytes: 0,
      actor: 'w',
    } as const;
    await expect(
      database.db.transaction().execute(async (trx) => {
        expect(await chargeContainer(trx, input)).toMatchObject({ ok: true, charged: 7 });
        throw new Error('the rows could not be stored');
      }),
    ).rejects.toThrow('could not be stored');
    expect(await balanceOf(database.db, { clientId })).toMatchObject({ balance: 100 });
    // Without a transaction of its own caller, chargeContainer opens one.
    expect(await chargeContainer(database.db, input)).toMatchObject({ ok: true, charged: 7, balance: 93 });
  });

  test('the database itself refuses to rewrite the ledger or the charged rows', async () => {
    const clientId = await addClient(database.db, 'C012');
    await credit(database.db, { clientId, amount: 100, actor: 'op', reason: 'recharge' });
    await charge(database.db, clientId, rowKeys(1), { service: 'messages' });
    await expect(
      sql`update xm_system.ledger_entries set amount = 1000000`.execute(database.db),
    ).rejects.toThrow(/append-only/);
    await expect(database.db.deleteFrom('xm_system.ledger_entries').execute()).rejects.toThrow(/append-only/);
    await expect(database.db.deleteFrom('xm_system.charged_rows').execute()).rejects.toThrow(/append-only/);
    await expect(sql`truncate xm_system.charged_rows cascade`.execute(database.db)).rejects.toThrow(
      /append-only/,
    );
    expect(await balanceOf(database.db, { clientId })).toMatchObject({ balance: 100 });
  });
});
