import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// `xmserver forms install|list`: a Docstream definition file checked by the sites' validator,
// its table made, the version recorded with the audit line; refusals as exit 65 with the file's lines.

const examples = new URL('../../docstream/examples/', import.meta.url);
let database: TestDatabase<ServerDatabase>;
let dataDir: string;
const run = (argv: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', dataDir, ...argv], {
    database: database.db,
    env: { ...asSupervisor, ...extra },
  });

beforeAll(async () => {
  database = await createTestDatabase<ServerDatabase>();
  dataDir = await mkdtemp(join(tmpdir(), 'xms-forms-'));
  await initialiseServer(run);
});
afterAll(async () => {
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('forms install creates the table and records the version; again, nothing changes; list shows it', async () => {
  const diploma = new URL('diploma.json', examples).pathname;
  const installed = await run(['forms', 'install', diploma, '--json']);
  expect(installed.code, installed.stderr).toBe(0);
  expect(JSON.parse(installed.stdout)).toMatchObject({ name: 'diploma', version: 1, outcome: 'installed' });
  const again = await run(['forms', 'install', diploma]);
  expect(again.stdout).toContain('already installed, unchanged');
  const listed = JSON.parse((await run(['forms', 'list', '--json'])).stdout) as {
    forms: { name: string; fingerprint: string }[];
  };
  expect(listed.forms.map((form) => form.name)).toEqual(['diploma']);
  const audit = await database.db
    .selectFrom('xm_system.audit_log')
    .select(['action', 'target'])
    .where('action', '=', 'forms.install')
    .execute();
  expect(audit.length).toBe(2);
  await database.db
    .selectFrom('xm_data.diplomas' as never)
    .selectAll()
    .execute();
});

test('a broken or incompatible definition is refused, exit 65, with its lines in French', async () => {
  const bad = join(dataDir, 'bad.json');
  await writeFile(bad, '{\n  "format": "xmcomm-form/1",\n  "name": "Bad Name"\n}\n');
  const refused = await run(['--lang', 'fr', 'forms', 'install', bad]);
  expect(refused.code).toBe(65);
  expect(refused.stderr).toContain('ligne 3, colonne 11 ($.name)');
  const changed = JSON.parse(await readFile(new URL('diploma.json', examples), 'utf8'));
  changed.fields[0].maxLength = 50;
  await writeFile(bad, JSON.stringify(changed));
  const conflict = await run(['forms', 'install', bad]);
  expect(conflict.code).toBe(65);
  expect(conflict.stderr).toContain('give the changed file a higher version');
  expect(JSON.parse((await run(['forms', 'list', '--json'])).stdout).forms).toHaveLength(1);
});
