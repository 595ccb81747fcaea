import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority, generateKeyPair } from '@xmcomm/pki';
import type { SiteDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exitCodes, jurisMigrations, runCli } from '../src/index.js';

// The court's key, certificate and link, from the site kit's CLI (`@xmcomm/site-kit/cli`), in-process.

let database: TestDatabase<SiteDatabase>;
let scratch: string;
let dataDir: string;
let ca: Awaited<ReturnType<typeof CertificateAuthority.createRoot>>;
const clerk = { XMJURIS_USER: 'greffier', XMJURIS_PASSWORD: 'Greffier-2026!' };
const passphrase = { XMJURIS_KEY_PASSPHRASE: 'court key passphrase' };

async function xmjuris(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dataDir, ...args], {
    env,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    today: () => '2026-12-08',
    openDatabase: async () => ({ db: database.db, close: async () => {} }),
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  database = await createTestDatabase<SiteDatabase>({ migrations: jurisMigrations });
  scratch = await mkdtemp(join(tmpdir(), 'xmjuris-link-'));
  dataDir = join(scratch, 'court');
  ca = await CertificateAuthority.createRoot({ subject: { commonName: 'Test National CA' } });
  const server = await ca.ca.issueCertificate({
    publicKey: (await generateKeyPair()).publicKey,
    profile: 'server',
    subject: { commonName: 'CJN', matricule: 'CJN' },
  });
  await writeFile(join(scratch, 'server.pem'), server.pem);
  await writeFile(join(scratch, 'ca.pem'), ca.certificate.pem);
});
afterAll(async () => {
  await database?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("the court's key, certificate and synchronisation", () => {
  test('init makes the key encrypted at rest and its CSR; cert import installs only a certificate for it', async () => {
    const init = ['init', '--matricule', 'TGI-YDE-01', '--centre-code', '200702', '--clerk', 'greffier'];
    const links = ['--server-cert', join(scratch, 'server.pem'), '--ca-cert', join(scratch, 'ca.pem')];
    const noPassphrase = await xmjuris([...init, ...links], { XMJURIS_NEW_PASSWORD: clerk.XMJURIS_PASSWORD });
    expect(noPassphrase.code).toBe(exitCodes['password-required']);
    expect(noPassphrase.stderr).toContain('XMJURIS_KEY_PASSPHRASE');

    const made = await xmjuris([...init, ...links], {
      XMJURIS_NEW_PASSWORD: clerk.XMJURIS_PASSWORD,
      ...passphrase,
    });
    expect(made).toMatchObject({ code: 0, stderr: '' });
    expect(made.stdout).toContain('xmjuris cert import');
    const key = await readFile(join(dataDir, 'centre-key.pem'), 'utf8');
    expect(key).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect((await stat(join(dataDir, 'centre-key.pem'))).mode & 0o777).toBe(0o600);

    // Not yet a certificate: sync says which step is missing.
    const noCertificate = await xmjuris(['sync', '--once'], { ...clerk, ...passphrase });
    expect(noCertificate.code).toBe(exitCodes.configuration);
    expect(noCertificate.stderr).toContain('the court has no certificate yet');
    expect(noCertificate.stderr).toContain('xmjuris cert import');

    const other = await ca.ca.issueCertificate({
      publicKey: (await generateKeyPair()).publicKey,
      profile: 'site',
      subject: { commonName: 'TGI-YDE-01', matricule: 'TGI-YDE-01' },
    });
    await writeFile(join(scratch, 'other.pem'), other.pem);
    const refused = await xmjuris(['--lang', 'fr', 'cert', 'import', join(scratch, 'other.pem')], clerk);
    expect(refused.code).toBe(exitCodes.configuration);
    expect(refused.stderr).toContain('une autre clé que celle de ce tribunal');

    const issued = await ca.ca.issueCertificate({
      csr: await readFile(join(dataDir, 'centre.csr.pem'), 'utf8'),
      profile: 'site',
      subject: { commonName: 'TGI-YDE-01', matricule: 'TGI-YDE-01' },
    });
    await writeFile(join(scratch, 'issued.pem'), issued.pem);
    const installed = await xmjuris(['cert', 'import', join(scratch, 'issued.pem')], clerk);
    expect(installed).toMatchObject({ code: 0, stderr: '' });
    expect(await readFile(join(dataDir, 'centre-cert.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  test('sync opens the key only with its passphrase, and needs a broker', async () => {
    const wrong = await xmjuris(['sync', '--once'], {
      ...clerk,
      XMJURIS_KEY_PASSPHRASE: 'not the passphrase',
    });
    expect(wrong.code).toBe(exitCodes['key-unavailable']);
    expect(wrong.stderr).toContain("court's key does not open");
    const noBroker = await xmjuris(['sync', '--once'], { ...clerk, ...passphrase });
    expect(noBroker.code).toBe(exitCodes.configuration);
    expect(noBroker.stderr).toContain('XMJURIS_BROKER_URL');
  });

  test('an agent may not synchronise; --sync-every is checked like --interval', async () => {
    const agent = await xmjuris(['user', 'add', 'ngono', '--role', 'agent'], {
      ...clerk,
      XMJURIS_NEW_PASSWORD: 'Agent-ngono-2026!',
    });
    expect(agent.code).toBe(0);
    const refused = await xmjuris(['sync', '--once'], {
      XMJURIS_USER: 'ngono',
      XMJURIS_PASSWORD: 'Agent-ngono-2026!',
      ...passphrase,
    });
    expect(refused.code).toBe(exitCodes.forbidden);
    const badEvery = await xmjuris(['serve', '--sync-every', '5'], clerk);
    expect(badEvery.code).toBe(exitCodes.usage);
  });
});
