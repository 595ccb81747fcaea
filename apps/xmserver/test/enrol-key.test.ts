import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// A key belongs to one site: enrolling site B with site A's request (or importing A's certificate
// for B) is refused, since B's receipts would then be readable by A only, and A could sign as B.
let database: TestDatabase<ServerDatabase>;
let dir: string;
const run = (argv: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', join(dir, 'data'), ...argv], {
    database: database.db,
    env: { ...asSupervisor, ...extra },
  });
const certificatesOf = async (matricule: string) =>
  database.db
    .selectFrom('xm_system.certificates as k')
    .innerJoin('xm_system.clients as c', 'c.id', 'k.client_id')
    .select('k.serial_number')
    .where('c.matricule', '=', matricule)
    .execute();

beforeAll(async () => {
  database = await createTestDatabase<ServerDatabase>();
  dir = await mkdtemp(join(tmpdir(), 'xms-enrol-'));
  await initialiseServer(run);
  for (const matricule of ['SITE-A', 'SITE-B'])
    expect(
      (await run(['client', 'add', '--name', `Centre ${matricule}`, '--matricule', matricule])).code,
    ).toBe(0);
  execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    join(dir, 'a.key'),
  ]);
  execFileSync('openssl', [
    'req',
    '-new',
    '-key',
    join(dir, 'a.key'),
    '-subj',
    '/CN=SITE-A',
    '-out',
    join(dir, 'a.csr'),
  ]);
});
afterAll(async () => {
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

test("enrolling a site with another site's request is refused, naming the site the key belongs to", async () => {
  expect(
    (await run(['client', 'enrol', 'SITE-A', '--csr', join(dir, 'a.csr'), '--out', join(dir, 'a.pem')])).code,
  ).toBe(0);
  const wrong = await run([
    'client',
    'enrol',
    'SITE-B',
    '--csr',
    join(dir, 'a.csr'),
    '--out',
    join(dir, 'b.pem'),
  ]);
  expect(wrong.code).toBe(65);
  expect(wrong.stderr).toContain('SITE-A');
  expect(wrong.stderr).not.toMatch(/\n\s+at /);
  expect(await certificatesOf('SITE-B')).toEqual([]);
  const french = await run(['--lang', 'fr', 'client', 'enrol', 'SITE-B', '--csr', join(dir, 'a.csr')]);
  expect(french.stderr).toContain('déjà certifiée pour SITE-A');
  // The same site may renew its certificate with its own key.
  expect(
    (await run(['client', 'enrol', 'SITE-A', '--csr', join(dir, 'a.csr'), '--out', join(dir, 'a2.pem')]))
      .code,
  ).toBe(0);
  expect(await certificatesOf('SITE-A')).toHaveLength(2);
});

test("importing for a site a certificate of another site's key is refused too", async () => {
  // Made outside xmserver with openssl and the national CA: SITE-B's name on SITE-A's key.
  const data = join(dir, 'data');
  execFileSync('openssl', [
    'req',
    '-new',
    '-key',
    join(dir, 'a.key'),
    '-subj',
    '/serialNumber=SITE-B/CN=SITE-B',
    '-out',
    join(dir, 'b-on-a.csr'),
  ]);
  execFileSync('openssl', [
    'x509',
    '-req',
    '-in',
    join(dir, 'b-on-a.csr'),
    '-CA',
    join(data, 'pki', 'ca.pem'),
    '-CAkey',
    join(data, 'pki', 'ca.key.pem'),
    '-passin',
    `file:${join(data, 'secrets', 'key-passphrase')}`,
    '-days',
    '30',
    '-out',
    join(dir, 'b-on-a.pem'),
  ]);
  const imported = await run(['client', 'cert', 'SITE-B', '--import', join(dir, 'b-on-a.pem')]);
  expect(imported.code).toBe(65);
  expect(imported.stderr).toContain('SITE-A');
  expect(await certificatesOf('SITE-B')).toEqual([]);
});
