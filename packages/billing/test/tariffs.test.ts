import { type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, withRollback } from '@xmcomm/schema/testing';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, test } from 'vitest';
import {
  allowance,
  BillingError,
  chargeContainer,
  chargePeriodicFees,
  credit,
  endTariff,
  listTariffs,
  setTariff,
} from '../src/index.js';
import { addClient, containerId, rowKeys } from './helpers.js';

const database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
afterAll(() => database.close());

const on = (day: string) => new Date(`${day}T00:00:00Z`);
const export3 = (db: Kysely<ServerDatabase>, clientId: number, at: string, table = 'births') =>
  chargeContainer(db, {
    clientId,
    containerId: containerId(),
    service: 'sds-export',
    table,
    rows: rowKeys(3),
    bytes: 0,
    actor: 'w',
    at: new Date(`${at}T12:00:00Z`),
  });

async function refusal(promise: Promise<unknown>): Promise<BillingError> {
  try {
    await promise;
  } catch (error) {
    if (BillingError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a BillingError');
}

describe(`tariffs over time (${database.kind})`, () => {
  test('a new price ends the one before it; each charge pays the price in force at its time', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'T001');
      await credit(db, { clientId, amount: 1_000, actor: 'op', reason: 'recharge' });
      const first = await setTariff(db, { service: 'sds-export', perRow: 10, from: on('2026-01-01') });
      const second = await setTariff(db, { service: 'sds-export', perRow: 20, from: on('2026-03-01') });
      expect(second).toMatchObject({ perRow: 20, validFrom: on('2026-03-01'), validUntil: null });
      expect(await export3(db, clientId, '2026-02-15')).toMatchObject({ ok: true, charged: 30 });
      expect(await export3(db, clientId, '2026-03-15')).toMatchObject({ ok: true, charged: 60 });
      // Before any tariff: free.
      expect(await export3(db, clientId, '2025-12-31')).toMatchObject({ ok: true, charged: 0 });

      expect(await listTariffs(db)).toEqual([
        { ...first, validUntil: on('2026-03-01') },
        expect.objectContaining({ id: second.id, perRow: 20 }),
      ]);
      expect((await listTariffs(db, { at: on('2026-02-15') })).map((t) => t.id)).toEqual([first.id]);
      expect((await listTariffs(db, { at: on('2026-03-01') })).map((t) => t.id)).toEqual([second.id]);
      expect((await listTariffs(db, { from: on('2026-03-05') })).map((t) => t.id)).toEqual([second.id]);
      expect(await listTariffs(db, { at: on('2025-06-01') })).toEqual([]);
    }));

  test('a price set for later ends the current one then; one set in between runs until it; the same start replaces', () =>
    withRollback(database.db, async (db) => {
      const now = await setTariff(db, { service: 'sds-export', perRow: 10, from: on('2026-01-01') });
      const june = await setTariff(db, { service: 'sds-export', perRow: 30, from: on('2026-06-01') });
      const may = await setTariff(db, { service: 'sds-export', perRow: 25, from: on('2026-05-01') });
      expect(may.validUntil).toEqual(on('2026-06-01'));
      const replaced = await setTariff(db, {
        service: 'sds-export',
        perRow: 26,
        freeRows: 4,
        from: on('2026-05-01'),
      });
      expect(replaced).toMatchObject({ id: may.id, perRow: 26, freeRows: 4, validUntil: on('2026-06-01') });
      const lines = await listTariffs(db);
      expect(lines.map((t) => [t.id, t.perRow, t.validFrom, t.validUntil])).toEqual([
        [now.id, 10, on('2026-01-01'), on('2026-05-01')],
        [may.id, 26, on('2026-05-01'), on('2026-06-01')],
        [june.id, 30, on('2026-06-01'), null],
      ]);
      // Other tables and currencies have periods of their own.
      await setTariff(db, { service: 'sds-export', table: 'deaths', perRow: 1, from: on('2026-05-15') });
      await setTariff(db, { service: 'sds-export', currency: 'EUR', perRow: 1, from: on('2026-05-15') });
      expect((await listTariffs(db)).filter((t) => t.table === '*' && t.currency === 'XAF')).toHaveLength(3);
    }));

  test('ending a tariff: its service is free from then on, or falls back to the * tariff; refusals name the field', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'T002');
      await credit(db, { clientId, amount: 1_000, actor: 'op', reason: 'recharge' });
      const all = await setTariff(db, { service: 'sds-export', perRow: 10, from: on('2026-01-01') });
      const deaths = await setTariff(db, {
        service: 'sds-export',
        table: 'deaths',
        perRow: 50,
        from: on('2026-01-01'),
      });
      const ended = await endTariff(db, { service: 'sds-export', table: 'deaths' }, { at: on('2026-04-01') });
      expect(ended).toEqual({
        ok: true,
        tariff: expect.objectContaining({ id: deaths.id, validUntil: on('2026-04-01') }),
      });
      expect(await export3(db, clientId, '2026-03-31', 'deaths')).toMatchObject({ charged: 150 });
      expect(await export3(db, clientId, '2026-04-02', 'deaths')).toMatchObject({ charged: 30 });
      expect(await endTariff(db, { id: all.id }, { at: on('2026-05-01') })).toMatchObject({ ok: true });
      expect(await export3(db, clientId, '2026-05-02')).toMatchObject({ ok: true, charged: 0 });
      // Ending again at the same instant changes nothing; a tariff set for later is cancelled at its start.
      expect(await endTariff(db, { id: all.id }, { at: on('2026-05-01') })).toMatchObject({ ok: true });
      const later = await setTariff(db, { service: 'sds-import', perRow: 5, from: on('2027-01-01') });
      expect(await endTariff(db, { id: later.id }, { at: on('2027-01-01') })).toMatchObject({ ok: true });
      expect(await listTariffs(db, { at: on('2027-02-01') })).toEqual([]);

      const early = await refusal(endTariff(db, { id: deaths.id }, { at: on('2025-12-01') }));
      expect([early.code, early.field]).toEqual(['invalid-input', 'at']);
      expect(early.message).toContain('begins at 2026-01-01');
      expect(early.messageFr).toContain('commence le 2026-01-01');
      const extended = await refusal(endTariff(db, { id: deaths.id }, { at: on('2026-06-01') }));
      expect([extended.code, extended.field]).toEqual(['invalid-input', 'at']);
      expect(extended.message).toContain('already ends at 2026-04-01');
      const unknown = await endTariff(db, { id: 999_999 });
      expect(unknown.ok ? 'ok' : unknown.error.code).toBe('unknown-tariff');
      const none = await endTariff(db, { service: 'messages' });
      expect(none.ok ? 'ok' : none.error.message).toContain('no messages tariff for * in XAF in force');
    }));

  test('bad input is refused before anything is written, the field named in English and French', () =>
    withRollback(database.db, async (db) => {
      const cases: [Parameters<typeof setTariff>[1], string][] = [
        [{ service: 'sds-export', perRow: -1 }, 'perRow'],
        [{ service: 'sds-export', perKilobyte: 1.5 }, 'perKilobyte'],
        [{ service: 'sds-export', freeRows: Number.NaN }, 'freeRows'],
        [{ service: 'sds-export', flatFee: -3 }, 'flatFee'],
        [{ service: 'sds-export', currency: 'xaf' }, 'currency'],
        [{ service: 'sds-export', table: 'Births' }, 'table'],
        [{ service: 'sds-export', period: 'week' as never }, 'period'],
        [{ service: 'sds-export', from: new Date(Number.NaN) }, 'from'],
        [{ service: 'fax' as never }, 'service'],
      ];
      for (const [input, field] of cases) {
        const error = await refusal(setTariff(db, input));
        expect([error.code, error.field]).toEqual(['invalid-input', field]);
        expect(error.message).toContain(field);
        expect(error.messageFr).toContain(field);
      }
      expect(await listTariffs(db)).toEqual([]);
    }));

  test('a flat fee is charged once per period, even when its price changes within the period', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'T003');
      await credit(db, { clientId, amount: 1_000, actor: 'op', reason: 'recharge' });
      await setTariff(db, { service: 'messages', flatFee: 100, from: on('2026-01-01') });
      const february = await chargePeriodicFees(db, { actor: 'timer', at: on('2026-02-01') });
      expect(february.charged).toEqual([{ clientId, service: 'messages', amount: 100 }]);
      await setTariff(db, { service: 'messages', flatFee: 150, from: on('2026-02-10') });
      const again = await chargePeriodicFees(db, { actor: 'timer', at: on('2026-02-20') });
      expect(again).toEqual({ charged: [], refused: [], alreadyCharged: 1 });
      const march = await chargePeriodicFees(db, { actor: 'timer', at: on('2026-03-01') });
      expect(march.charged).toEqual([{ clientId, service: 'messages', amount: 150 }]);
      // No fee before the first tariff began.
      expect(await chargePeriodicFees(db, { actor: 'timer', at: on('2025-12-01') })).toMatchObject({
        charged: [],
      });
    }));

  test('the allowance reads the tariff in force at its time', () =>
    withRollback(database.db, async (db) => {
      const clientId = await addClient(db, 'T004');
      await credit(db, { clientId, amount: 100, actor: 'op', reason: 'recharge' });
      await setTariff(db, { service: 'sds-import', perRow: 10, from: on('2026-01-01') });
      await setTariff(db, { service: 'sds-import', perRow: 25, from: on('2026-07-01') });
      const ask = (day: string) =>
        allowance(db, { clientId, service: 'sds-import', table: 'births', at: on(day) });
      expect(await ask('2026-06-30')).toMatchObject({ rows: 10, pricePerRow: 10 });
      expect(await ask('2026-07-01')).toMatchObject({ rows: 4, pricePerRow: 25 });
    }));
});
