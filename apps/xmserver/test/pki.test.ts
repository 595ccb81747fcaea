import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// The CA, the server certificate and a site's certificate, checked by OpenSSL rather than by our own code.
let db: TestDatabase<ServerDatabase>;
let dir: string;
const run = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', join(dir, 'data'), ...argv], {
    database: db.db,
    env: { ...asSupervisor, ...env },
  });
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

beforeAll(async () => {
  db = await createTestDatabase<ServerDatabase>();
  dir = await mkdtemp(join(tmpdir(), 'xms-pki-'));
  await initialiseServer(run);
  expect((await run(['client', 'add', '--name', 'Centre Bafoussam', '--matricule', 'BAF-01'])).code).toBe(0);
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

test('init creates a CA and a server certificate that OpenSSL verifies, keys encrypted at rest, once', async () => {
  const pki = join(dir, 'data', 'pki');
  expect(openssl('verify', '-CAfile', join(pki, 'ca.pem'), join(pki, 'server.pem'))).toContain('OK');
  expect(await readFile(join(pki, 'ca.key.pem'), 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
  expect(await readFile(join(pki, 'server.key.pem'), 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
  const before = await readFile(join(pki, 'ca.pem'), 'utf8');
  const again = JSON.parse((await run(['init', '--json'])).stdout);
  expect(again).toMatchObject({ changed: false, createdCa: false, createdServerCertificate: false });
  expect(await readFile(join(pki, 'ca.pem'), 'utf8')).toBe(before);
});

test('enrol issues a site certificate naming the matricule; revoke and crl put it on a CRL OpenSSL reads', async () => {
  const key = join(dir, 'site.key');
  const csr = join(dir, 'site.csr');
  const cert = join(dir, 'site.pem');
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key);
  openssl('req', '-new', '-key', key, '-subj', '/CN=whatever the site typed', '-out', csr);
  const enrolled = await run(['client', 'enrol', 'BAF-01', '--csr', csr, '--out', cert, '--json']);
  expect(enrolled.code).toBe(0);
  const { serialNumber } = JSON.parse(enrolled.stdout);
  const subject = openssl('x509', '-in', cert, '-noout', '-subject');
  expect(subject).toContain('serialNumber = BAF-01');
  expect(subject).toContain('CN = Centre Bafoussam');
  const ca = join(dir, 'data', 'pki', 'ca.pem');
  expect(openssl('verify', '-CAfile', ca, cert)).toContain('OK');
  const row = await db.db
    .selectFrom('xm_system.certificates')
    .selectAll()
    .where('serial_number', '=', serialNumber)
    .executeTakeFirstOrThrow();
  expect(row.purpose).toBe('site');

  expect((await run(['pki', 'revoke', serialNumber, '--reason', 'keyCompromise'])).code).toBe(0);
  const crl = join(dir, 'crl.pem');
  const issued = JSON.parse((await run(['pki', 'crl', '--out', crl, '--json'])).stdout);
  expect(issued).toMatchObject({ crlNumber: '1', revoked: 1 });
  const text = openssl('crl', '-in', crl, '-noout', '-text');
  expect(text).toContain(serialNumber.toUpperCase());
  expect(text).toContain('Key Compromise');
  expect(() =>
    execFileSync('openssl', ['verify', '-crl_check', '-CAfile', ca, '-CRLfile', crl, cert], {
      stdio: 'pipe',
    }),
  ).toThrow();
  expect(JSON.parse((await run(['pki', 'crl', '--json', '--out', crl])).stdout).crlNumber).toBe('2');
});

test('bad input: unknown matricule 68, a key given as a CSR 65, an unknown serial 65, nothing recorded', async () => {
  const before = await db.db.selectFrom('xm_system.certificates').select('id').execute();
  expect((await run(['client', 'enrol', 'NOPE-9', '--csr', join(dir, 'site.csr')])).code).toBe(68);
  const wrong = await run(['client', 'enrol', 'BAF-01', '--csr', join(dir, 'site.key')]);
  expect(wrong.code).toBe(65);
  expect(wrong.stderr).toContain('certificate request refused');
  expect((await run(['pki', 'revoke', 'abcdef'])).code).toBe(65);
  expect(await db.db.selectFrom('xm_system.certificates').select('id').execute()).toHaveLength(before.length);
});

test('signatories: add with a site, list, revoke', async () => {
  const added = JSON.parse(
    (
      await run([
        'signatory',
        'add',
        '--name',
        'Kamdem Jean',
        '--role',
        'officer',
        '--client',
        'BAF-01',
        '--json',
      ])
    ).stdout,
  );
  expect(added.active).toBe(true);
  expect((await run(['signatory', 'revoke', String(added.id)])).code).toBe(0);
  const listed = JSON.parse((await run(['signatory', 'list', '--json'])).stdout);
  expect(listed).toEqual([expect.objectContaining({ id: added.id, active: false, matricule: 'BAF-01' })]);
});

test('init imports an outside CA (checked: the key must match) and issues the server certificate from it', async () => {
  const other = await createTestDatabase<ServerDatabase>();
  try {
    const caKey = join(dir, 'outside.key');
    const caCert = join(dir, 'outside.pem');
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      caKey,
      '-out',
      caCert,
      '-subj',
      '/CN=Outside Root',
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    const data = join(dir, 'imported');
    const runOther = (argv: readonly string[]) =>
      runInProcess(['--data-dir', data, ...argv], {
        database: other.db,
        env: { XM_NEW_PASSWORD: 'imported supervisor password' },
      });
    const wrongKey = join(dir, 'site.key');
    expect((await runOther(['init', '--import-ca-cert', caCert, '--import-ca-key', wrongKey])).code).toBe(65);
    const imported = await runOther(['init', '--import-ca-cert', caCert, '--import-ca-key', caKey, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ createdCa: true, createdServerCertificate: true });
    expect(openssl('verify', '-CAfile', caCert, join(data, 'pki', 'server.pem'))).toContain('OK');
  } finally {
    await other.close();
  }
});
