import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// The centre code is a registered attribute of a client: every NIU of the site begins with it.
let database: TestDatabase<ServerDatabase>;
let dataDir: string;
const run = (argv: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', dataDir, ...argv], {
    database: database.db,
    env: { ...asSupervisor, ...extra },
  });
const codeOf = async (matricule: string) =>
  (
    await database.db
      .selectFrom('xm_system.clients')
      .select('centre_code')
      .where('matricule', '=', matricule)
      .executeTakeFirstOrThrow()
  ).centre_code;

beforeAll(async () => {
  database = await createTestDatabase<ServerDatabase>();
  dataDir = await mkdtemp(join(tmpdir(), 'xms-centre-'));
  await initialiseServer(run);
});
afterAll(async () => {
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('client add registers the given centre code, or gives the next free six-digit one', async () => {
  const given = await run(['client', 'add', '--name', 'Yaoundé 1', '--centre-code', '102034', '--json']);
  expect(given.code).toBe(0);
  expect(JSON.parse(given.stdout)).toMatchObject({ centreCode: '102034' });
  const assigned = await run(['client', 'add', '--name', 'Douala 2', '--json']);
  expect(assigned.code).toBe(0);
  const { matricule, centreCode } = JSON.parse(assigned.stdout) as { matricule: string; centreCode: string };
  expect(centreCode).toMatch(/^\d{6}$/);
  expect(await codeOf(matricule)).toBe(centreCode);
  const shown = await run(['client', 'show', matricule]);
  expect(shown.stdout).toContain(centreCode);
});

test('a centre code with a dash, or one another client has, is refused and nothing is written', async () => {
  const before = await run(['client', 'list', '--json']);
  const dashed = await run(['client', 'add', '--name', 'Tiret', '--centre-code', '10-2034']);
  expect(dashed.code).toBe(64);
  expect(dashed.stderr).toContain('--centre-code');
  const taken = await run(['client', 'add', '--name', 'Copie', '--centre-code', '102034']);
  expect(taken.code).toBe(73);
  expect(taken.stderr).toContain('102034');
  const french = await run(['--lang', 'fr', 'client', 'add', '--name', 'Copie', '--centre-code', '102034']);
  expect(french.stderr).toContain('code de centre');
  expect((await run(['client', 'list', '--json'])).stdout).toBe(before.stdout);
});

test('client update changes the centre code, never to one that is taken', async () => {
  const added = JSON.parse((await run(['client', 'add', '--name', 'Bafoussam', '--json'])).stdout) as {
    matricule: string;
  };
  expect((await run(['client', 'update', added.matricule, '--centre-code', '102034'])).code).toBe(73);
  expect((await run(['client', 'update', added.matricule, '--centre-code', '305001'])).code).toBe(0);
  expect(await codeOf(added.matricule)).toBe('305001');
});
