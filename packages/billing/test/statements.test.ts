import { type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, withRollback } from '@xmcomm/schema/testing';
import { afterAll, expect, test } from 'vitest';
import {
  adjust,
  chargeContainer,
  chargePeriodicFees,
  credit,
  invoice,
  invoiceToCsv,
  refund,
  setTariff,
  statement,
  statementToCsv,
} from '../src/index.js';
import { addClient, containerId, rowKeys, tariffsFrom } from './helpers.js';

const database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
afterAll(() => database.close());

const may = { from: new Date('2026-05-01T00:00:00Z'), to: new Date('2026-06-01T00:00:00Z') };
const day = (d: number, month = 5) => new Date(Date.UTC(2026, month - 1, d, 9));

test(`a month's statement and invoice, as JSON and CSV (${database.kind})`, () =>
  withRollback(database.db, async (db) => {
    const clientId = await addClient(db, 'STMT1');
    const idle = await addClient(db, 'STMT2', { status: 1 });
    const broke = await addClient(db, 'STMT3');
    await setTariff(db, { service: 'sds-export', perRow: 10, from: tariffsFrom });
    await setTariff(db, {
      service: 'sds-import',
      table: 'deaths',
      perRow: 5,
      perKilobyte: 2,
      from: tariffsFrom,
    });
    await setTariff(db, { service: 'messages', flatFee: 100, from: tariffsFrom });
    await credit(db, {
      clientId,
      amount: 1000,
      actor: 'op',
      reason: 'Payment, cash',
      reference: 'R-77',
      at: day(20, 4),
    });

    const fees = await chargePeriodicFees(db, { actor: 'scheduler', at: day(1) });
    expect(fees.charged).toEqual([{ clientId, service: 'messages', amount: 100 }]);
    expect(fees.refused).toEqual([{ clientId: broke, service: 'messages', amount: 100 }]);
    expect(fees.charged.some((c) => c.clientId === idle)).toBe(false);
    const again = await chargePeriodicFees(db, { actor: 'scheduler', at: day(20) });
    expect(again).toEqual({
      charged: [],
      refused: [{ clientId: broke, service: 'messages', amount: 100 }],
      alreadyCharged: 1,
    });

    const exported = await chargeContainer(db, {
      clientId,
      containerId: containerId(),
      service: 'sds-export',
      table: 'births',
      rows: rowKeys(5),
      bytes: 900,
      actor: 'w',
      at: day(3),
    });
    await chargeContainer(db, {
      clientId,
      containerId: containerId(),
      service: 'sds-import',
      table: 'deaths',
      rows: rowKeys(3),
      bytes: 3000,
      actor: 'w',
      at: day(10),
    });
    await refund(db, {
      clientId,
      entryId: exported.ok ? (exported.entryId ?? 0) : 0,
      amount: 20,
      actor: 'op',
      reason: 'Duplicate act',
      at: day(12),
    });
    await adjust(db, {
      clientId,
      amount: -5,
      actor: 'op',
      reason: '=HYPERLINK("http://evil"), fee',
      at: day(15),
    });
    await chargeContainer(db, {
      clientId,
      containerId: containerId(),
      service: 'sds-export',
      table: 'births',
      rows: rowKeys(1),
      bytes: 0,
      actor: 'w',
      at: day(2, 6),
    });

    const result = await statement(db, { clientId, ...may });
    if (!result.ok) throw result.error;
    const s = result.value;
    expect(s.client).toMatchObject({ id: clientId, matricule: 'STMT1' });
    expect(s.openingBalance).toBe(1000);
    expect(s.entries.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ['charge', -100, 900],
      ['charge', -50, 850],
      ['charge', -21, 829],
      ['refund', 20, 849],
      ['adjustment', -5, 844],
    ]);
    expect(s.totals).toEqual({ credit: 0, charge: -171, refund: 20, adjustment: -5 });
    expect(s.closingBalance).toBe(844);

    const csv = statementToCsv(s).split('\r\n');
    expect(csv[0]).toBe(
      'date,kind,amount,balance,currency,service,table,rows,bytes,reference,reason,actor,entry',
    );
    expect(csv[1]).toBe('2026-05-01T00:00:00.000Z,opening-balance,,1000,XAF');
    expect(csv[3]).toMatch(
      /^2026-05-03T09:00:00.000Z,charge,-50,850,XAF,sds-export,births,5,900,[0-9a-f-]{36},/,
    );
    // Text that a spreadsheet would run as a formula is defused, and quoted because of its comma.
    expect(csv[6]).toContain(`,"'=HYPERLINK(""http://evil""), fee",op,`);
    expect(csv[7]).toBe('2026-06-01T00:00:00.000Z,closing-balance,,844,XAF');

    const billed = await invoice(db, { matricule: 'STMT1', ...may });
    if (!billed.ok) throw billed.error;
    expect(billed.value.number).toBe('STMT1-20260501-20260601');
    expect(
      billed.value.lines.map((l) => [l.kind, l.service, l.table, l.quantity, l.bytes, l.amount]),
    ).toEqual([
      ['flat-fee', 'messages', '*', 1, 0, 100],
      ['usage', 'sds-export', 'births', 5, 900, 50],
      ['usage', 'sds-import', 'deaths', 3, 3000, 21],
      ['refund', null, null, 1, 0, -20],
    ]);
    expect(billed.value.total).toBe(151);
    const lines = invoiceToCsv(billed.value, 'fr').split('\r\n');
    expect(lines[2]).toBe(
      'STMT1-20260501-20260601,STMT1,2026-05-01T00:00:00.000Z,2026-06-01T00:00:00.000Z,usage,sds-export,births,"Fiches, sds-export births",5,900,50,XAF',
    );
    expect(lines[5]).toMatch(/,total,,,Total,,,151,XAF$/);

    const unknown = await statement(db, { matricule: 'NOPE', ...may });
    expect(unknown.ok ? '' : unknown.error.code).toBe('unknown-client');
    const backwards = await invoice(db, { clientId, from: may.to, to: may.from });
    expect(backwards.ok ? '' : backwards.error.code).toBe('invalid-input');
  }));
