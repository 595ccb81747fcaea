import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chargeContainer } from '@xmcomm/billing';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// Per-act billing set from the CLI: `tariff set|list|end`, through billing's tariff functions.
let database: TestDatabase<ServerDatabase>;
let dataDir: string;
const run = (argv: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', dataDir, ...argv], {
    database: database.db,
    env: { ...asSupervisor, ...extra },
  });
const json = async (argv: readonly string[]) => {
  const outcome = await run([...argv, '--json']);
  expect(outcome.stderr).toBe('');
  expect(outcome.code).toBe(0);
  return JSON.parse(outcome.stdout);
};
const count = async (table: 'xm_system.tariffs' | 'xm_system.audit_log') =>
  Number(
    (
      await database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  database = await createTestDatabase<ServerDatabase>();
  dataDir = await mkdtemp(join(tmpdir(), 'xms-tariff-'));
  await initialiseServer(run);
  expect((await run(['client', 'add', '--name', 'Centre Ebolowa', '--matricule', 'EBO-1'])).code).toBe(0);
  expect((await run(['client', 'credit', 'EBO-1', '100000'])).code).toBe(0);
});
afterAll(async () => {
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('tariff set, list, end', () => {
  test('prices per act over time, audited; each charge pays the price in force at its time', async () => {
    const first = await json([
      'tariff',
      'set',
      'sds-export',
      '--per-row',
      '100',
      '--per-kilobyte',
      '0',
      '--free-rows',
      '0',
      '--from',
      '2026-01-01',
    ]);
    expect(first).toMatchObject({
      service: 'sds-export',
      table: '*',
      currency: 'XAF',
      perRow: 100,
      perKilobyte: 0,
      freeRows: 0,
      period: 'month',
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: null,
    });
    const births = await json([
      'tariff',
      'set',
      'sds-export',
      '--table',
      'births',
      '--per-row',
      '150',
      '--from',
      '2099-01-01T06:00:00+01:00',
    ]);
    expect(births).toMatchObject({ table: 'births', perRow: 150, validFrom: '2099-01-01T05:00:00.000Z' });

    // Now: the one in force and the one set for later.
    expect((await json(['tariff', 'list'])).map((t: { id: number }) => t.id)).toEqual([first.id, births.id]);
    expect((await json(['tariff', 'list', '--at', '2026-06-01'])).map((t: { id: number }) => t.id)).toEqual([
      first.id,
    ]);
    const charged = await chargeContainer(database.db, {
      matricule: 'EBO-1',
      containerId: randomUUID(),
      service: 'sds-export',
      table: 'births',
      rows: [1, 2, 3],
      bytes: 900,
      actor: 'test',
      at: new Date('2026-06-01T10:00:00Z'),
    });
    expect(charged).toMatchObject({ ok: true, charged: 300 });

    const ended = await json(['tariff', 'end', 'sds-export', '--at', '2026-12-31']);
    expect(ended).toMatchObject({ id: first.id, validUntil: '2026-12-31T00:00:00.000Z' });
    expect(await json(['tariff', 'list', '--at', '2027-01-01'])).toEqual([]);
    expect((await json(['tariff', 'list', '--all'])).map((t: { id: number }) => t.id)).toEqual([
      first.id,
      births.id,
    ]);
    const cancelled = await json(['tariff', 'end', String(births.id), '--at', '2099-01-01T05:00:00Z']);
    expect(cancelled).toMatchObject({ id: births.id, validUntil: '2099-01-01T05:00:00.000Z' });

    const audit = await json(['audit', '--target', 'sds-export/*/XAF']);
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['tariff.end', 'tariff.set']);
    expect(audit[1]).toMatchObject({
      operator: 'admin',
      details: { id: first.id, perRow: 100, from: '2026-01-01T00:00:00.000Z' },
    });
  });

  test('the text output, in English and French', async () => {
    const set = await run([
      'tariff',
      'set',
      'sds-import',
      '--per-row',
      '10',
      '--free-rows',
      '5',
      '--from',
      '2030-01-01',
    ]);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(
      /^Tariff \d+: sds-import \(table \*, XAF\) 10 per row, 0 per kilobyte, flat fee 0, 5 free rows per month; from 2030-01-01T00:00:00.000Z\.$/m,
    );
    const list = await run(['tariff', 'list', '--at', '2030-02-01']);
    expect(list.stdout).toContain('per row');
    expect(list.stdout).toMatch(/sds-import\s+\*\s+XAF\s+10\s+0\s+0\s+5\s+month\s+2030-01-01T00:00:00.000Z/);
    expect((await run(['tariff', 'list', '--at', '1999-01-01'])).stdout).toBe('No tariff.\n');
    const french = await run(['tariff', 'end', 'sds-import', '--at', '2031-01-01', '--lang', 'fr']);
    expect(french.stdout).toContain('finit le 2031-01-01T00:00:00.000Z');
  });

  test('refusals name the option and the field in English and French; nothing is written', async () => {
    const tariffs = await count('xm_system.tariffs');
    const audits = await count('xm_system.audit_log');
    const negative = await run(['tariff', 'set', 'sds-export', '--per-row', '-5']);
    expect(negative.code).toBe(64);
    expect(negative.stderr).toContain('Invalid --per-row: -5.');
    expect(negative.stderr).toContain('perRow must be an integer >= 0');
    const french = await run(['tariff', 'set', 'sds-export', '--per-row', '-5', '--lang', 'fr']);
    expect(french.stderr).toContain('--per-row invalide : -5.');
    expect(french.stderr).toContain('perRow doit être un entier >= 0');
    for (const [argv, option] of [
      [['tariff', 'set', 'sds-export', '--per-row', 'cent'], '--per-row'],
      [['tariff', 'set', 'sds-export', '--per-kilobyte', '2.5'], '--per-kilobyte'],
      [['tariff', 'set', 'sds-export', '--free-rows', ''], '--free-rows'],
      [['tariff', 'set', 'fax', '--per-row', '1'], '<service>'],
      [['tariff', 'set', 'sds-export', '--currency', 'xaf'], '--currency'],
      [['tariff', 'set', 'sds-export', '--table', 'Births'], '--table'],
      [['tariff', 'set', 'sds-export', '--period', 'week'], '--period'],
      [['tariff', 'set', 'sds-export', '--from', '2026-02-30'], '--from'],
      [['tariff', 'set', 'sds-export', '--from', 'tomorrow'], '--from'],
      [['tariff', 'list', '--at', '2026-13-01'], '--at'],
      [['tariff', 'end', 'sds-export', '--at', '2026-01-01T25:00Z'], '--at'],
    ] as const) {
      const outcome = await run([...argv, '--json']);
      expect(outcome.code, argv.join(' ')).toBe(64);
      const { error } = JSON.parse(outcome.stderr);
      expect(error.code).toBe('invalid-argument');
      expect(error.message, argv.join(' ')).toContain(`Invalid ${option}`);
    }
    const unknown = await run(['tariff', 'end', '999999']);
    expect(unknown.code).toBe(65);
    expect(unknown.stderr).toContain('no tariff 999999');
    const [line] = await json(['tariff', 'list', '--all']);
    const early = await run(['tariff', 'end', String(line.id), '--at', '2000-01-01']);
    expect(early.code).toBe(64);
    expect(early.stderr).toContain('Invalid --at');
    expect(early.stderr).toContain('it cannot end before');
    expect(await count('xm_system.tariffs')).toBe(tariffs);
    expect(await count('xm_system.audit_log')).toBe(audits);
  });
});
