import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptTrustList, createSeal, readTrustList, verifySeal } from '@xmcomm/documents';
import { certificateRequestToPem, createCertificateRequest, generateKeyPair } from '@xmcomm/pki';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// The trust list a document verifier needs, exported from the Signataires register and read back
// by the documents package as a verifier would; the signatory's certificate is made with OpenSSL.
let db: TestDatabase<ServerDatabase>;
let dir: string;
const run = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', join(dir, 'data'), ...argv], {
    database: db.db,
    env: { ...asSupervisor, ...env },
  });
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' });

beforeAll(async () => {
  db = await createTestDatabase<ServerDatabase>();
  dir = await mkdtemp(join(tmpdir(), 'xms-trust-list-'));
  await initialiseServer(run);
  expect((await run(['client', 'add', '--name', 'Centre Bafoussam', '--matricule', 'BAF-01'])).code).toBe(0);
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A document-signing key and its certificate, issued by the national CA with OpenSSL. */
async function signatoryCertificate(name: string): Promise<{ key: string; cert: string }> {
  const pki = join(dir, 'data', 'pki');
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const extensions = join(dir, 'signatory.ext');
  await writeFile(
    extensions,
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key);
  openssl('req', '-new', '-key', key, '-subj', `/CN=${name}`, '-out', csr);
  openssl(
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    join(pki, 'ca.pem'),
    '-CAkey',
    join(pki, 'ca.key.pem'),
    '-passin',
    `file:${join(dir, 'data', 'secrets', 'key-passphrase')}`,
    '-set_serial',
    `0x${Date.now().toString(16)}`,
    '-days',
    '365',
    '-extfile',
    extensions,
    '-out',
    cert,
  );
  return { key, cert };
}

test('export names the active signatories; a revocation reaches verifiers in the next list, an older list is refused', async () => {
  const officer = await signatoryCertificate('Kamdem Jean');
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
        '--cert',
        officer.cert,
        '--json',
      ])
    ).stdout,
  );

  const first = join(dir, 'list-1.txt');
  const exported = await run(['trust-list', 'export', '--out', first, '--json']);
  expect(exported.code).toBe(0);
  expect(JSON.parse(exported.stdout)).toMatchObject({ sequence: 1, signers: 1, revoked: 0 });
  const list1 = readTrustList(await readFile(first, 'utf8'));
  expect(list1.content.caCertificate).toEqual(
    new Uint8Array(
      execFileSync('openssl', ['x509', '-in', join(dir, 'data', 'pki', 'ca.pem'), '-outform', 'DER']),
    ),
  );
  expect([...list1.sealers.values()].map((sealer) => sealer.label)).toEqual(['Kamdem Jean (BAF-01)']);

  const seal = createSeal(
    {
      issuer: 'BAF-01',
      recordType: 'birth',
      documentKind: 'extract',
      niu: '2026-BAF-01-000001',
      documentId: 'D-1',
      issuedAt: new Date(),
      fields: { lastName: 'KAMGA' },
    },
    {
      certificate: list1.content.signers[0]!.certificate,
      privateKey: createPrivateKey(await readFile(officer.key)),
    },
  );
  expect(verifySeal(seal, list1).status).toBe('VALID');

  expect((await run(['signatory', 'revoke', String(added.id)])).code).toBe(0);
  const second = join(dir, 'list-2.txt');
  expect(JSON.parse((await run(['trust-list', 'export', '--out', second, '--json'])).stdout)).toMatchObject({
    sequence: 2,
    signers: 0,
    revoked: 1,
  });
  const list2 = acceptTrustList(list1, readTrustList(await readFile(second, 'utf8')));
  expect(verifySeal(seal, list2)).toMatchObject({ status: 'INVALID', reason: 'revoked' });
  expect(() => acceptTrustList(list2, list1)).toThrow(expect.objectContaining({ code: 'trust-list-older' }));
});

test('export refuses a bad --days and needs a supervisor', async () => {
  expect((await run(['trust-list', 'export', '--out', join(dir, 'x.txt'), '--days', '0'])).code).toBe(64);
  expect(
    (await run(['trust-list', 'export', '--out', join(dir, 'x.txt')], { XM_USER: '', XM_PASSWORD: '' })).code,
  ).not.toBe(0);
});

test("a site's document key: its request certified as a signatory's, in the next list, its seals VALID", async () => {
  const keys = await generateKeyPair();
  const request = await createCertificateRequest({
    privateKey: keys.privateKey,
    subject: { commonName: 'BAF-01 documents', matricule: 'BAF-01' },
  });
  const csr = join(dir, 'document.csr.pem');
  await writeFile(csr, certificateRequestToPem(request));
  const out = join(dir, 'document-cert.pem');
  const both = await run([
    'signatory',
    'add',
    '--name',
    'x',
    '--role',
    'document-key',
    '--cert',
    csr,
    '--csr',
    csr,
  ]);
  expect(both.code).not.toBe(0);
  const added = await run([
    ...['signatory', 'add', '--name', 'Centre Bafoussam (documents)', '--role', 'document-key'],
    ...['--client', 'BAF-01', '--csr', csr, '--out', out, '--json'],
  ]);
  expect(added.code, added.stderr).toBe(0);
  expect(JSON.parse(added.stdout)).toMatchObject({ file: out, role: 'document-key' });
  const listFile = join(dir, 'list-documents.txt');
  expect((await run(['trust-list', 'export', '--out', listFile])).code).toBe(0);
  const list = readTrustList(await readFile(listFile, 'utf8'));
  const certificate = new Uint8Array(execFileSync('openssl', ['x509', '-in', out, '-outform', 'DER']));
  expect(list.content.signers.map((signer) => Buffer.from(signer.certificate).toString('hex'))).toContain(
    Buffer.from(certificate).toString('hex'),
  );
  const seal = createSeal(
    {
      issuer: 'BAF-01',
      recordType: 'birth',
      documentKind: 'copy',
      niu: 'N',
      documentId: 'D-2',
      issuedAt: new Date(),
      fields: { lastName: 'KAMGA' },
    },
    { certificate, privateKey: keys.privateKey },
  );
  expect(verifySeal(seal, list).status).toBe('VALID');
});
