import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chargeContainer, setTariff } from '@xmcomm/billing';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// `client bill` over real ledger movements: a credit (never invoiced), then charges written by
// billing's own chargeContainer, as the service writes them.
let database: TestDatabase<ServerDatabase>;
let dataDir: string;
const run = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', dataDir, ...argv], {
    database: database.db,
    env: { ...asSupervisor, ...env },
  });
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  database = await createTestDatabase<ServerDatabase>();
  dataDir = await mkdtemp(join(tmpdir(), 'xms-bill-'));
  await initialiseServer(run);
  expect((await run(['client', 'add', '--name', 'Centre Kribi', '--matricule', 'KRI-1'])).code).toBe(0);
  expect((await run(['client', 'credit', 'KRI-1', '10000', '--reference', 'REC-9'])).code).toBe(0);
  await setTariff(database.db, { service: 'sds-export', perRow: 25 });
  await setTariff(database.db, { service: 'sds-import', perRow: 10, perKilobyte: 2 });
  const charge = (service: 'sds-export' | 'sds-import', table: string, rows: number[], bytes: number) =>
    chargeContainer(database.db, {
      matricule: 'KRI-1',
      containerId: randomUUID(),
      service,
      table,
      rows,
      bytes,
      actor: 'xmserver-test',
    });
  expect((await charge('sds-export', 'births', [1, 2, 3], 3000)).ok).toBe(true);
  expect((await charge('sds-export', 'births', [4, 5], 2000)).ok).toBe(true);
  expect((await charge('sds-import', 'deaths', [7], 2048)).ok).toBe(true);
}, 60_000);

afterAll(async () => {
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('JSON: usage lines per service and table, the credit left out, the total the sum of charges', async () => {
  const outcome = await run(['client', 'bill', 'KRI-1', '--from', today, '--to', today, '--json']);
  expect(outcome.code).toBe(0);
  const bill = JSON.parse(outcome.stdout);
  expect(bill.client.matricule).toBe('KRI-1');
  expect(bill.number).toBe(`KRI-1-${today.replaceAll('-', '')}-${next(today).replaceAll('-', '')}`);
  const lines = bill.lines.map((l: Record<string, unknown>) => [
    l.kind,
    l.service,
    l.table,
    l.quantity,
    l.amount,
  ]);
  expect(lines).toEqual(
    expect.arrayContaining([
      ['usage', 'sds-export', 'births', 5, 125],
      ['usage', 'sds-import', 'deaths', 1, 14],
    ]),
  );
  expect(lines).toHaveLength(2);
  expect(bill.total).toBe(139);
  // The statement agrees: what the bill totals is what left the account.
  const statement = JSON.parse((await run(['client', 'statement', 'KRI-1', '--json'])).stdout);
  expect(statement.closingBalance).toBe(10000 - 139);
});

test('CSV: one line per invoice line then the total, French descriptions with --lang fr', async () => {
  const outcome = await run([
    'client',
    'bill',
    'KRI-1',
    '--from',
    today,
    '--to',
    today,
    '--csv',
    '--lang',
    'fr',
  ]);
  expect(outcome.code).toBe(0);
  const rows = outcome.stdout.trim().split(/\r?\n/);
  expect(rows[0]).toMatch(
    /^invoice,client,from,to,kind,service,table,description,quantity,bytes,amount,currency/,
  );
  expect(rows).toHaveLength(4);
  expect(rows.find((r) => r.includes('sds-export'))).toMatch(
    /,usage,sds-export,births,"?Fiches, sds-export births"?,5,5000,125,/,
  );
  expect(rows[3]).toMatch(/,total,/);
  expect(rows[3]).toContain('139');
});

test('a period before the charges is empty; bad dates (64) and unknown clients (68) are refused', async () => {
  const empty = JSON.parse(
    (await run(['client', 'bill', 'KRI-1', '--from', '2020-01-01', '--to', '2020-01-31', '--json'])).stdout,
  );
  expect(empty).toMatchObject({ lines: [], total: 0 });
  expect((await run(['client', 'bill', 'KRI-1', '--from', '2026-02-30', '--to', today])).code).toBe(64);
  expect((await run(['client', 'bill', 'KRI-1', '--from', today, '--to', '2020-01-01'])).code).toBe(64);
  expect((await run(['client', 'bill', 'KRI-1', '--to', today])).code).toBe(64);
  expect((await run(['client', 'bill', 'NOPE-1', '--from', today, '--to', today])).code).toBe(68);
});

function next(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
