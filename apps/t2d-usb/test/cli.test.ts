import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority, generateKeyPair } from '@xmcomm/pki';
import {
  migrateToLatest,
  openDatabase,
  type ServerDatabase,
  type SiteDatabase,
  serverMigrations,
  siteMigrations,
} from '@xmcomm/schema';
import { createTestDatabase, sampleBirth } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSite } from '../src/setup.js';

// The real thing: the t2d command spawned from source, real certificates from @xmcomm/pki, CMS
// containers from @xmcomm/sdc-codec, databases migrated by the command itself.

const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
const root = join(import.meta.dirname, '..', '..', '..');
const passphrase = 'correct horse battery staple';

let work: string;
let medium: string;
let siteUrl: string;
let serverUrl: string;
const closers: (() => Promise<void>)[] = [];
let env: NodeJS.ProcessEnv;

function t2d(
  args: string[],
  extra: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=@xmcomm/source', cli, ...args],
      { cwd: root, env: { ...env, ...extra }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function databaseUrl(name: string, migrations: typeof siteMigrations): Promise<string> {
  if (process.env.DATABASE_URL) {
    const test = await createTestDatabase({ migrations });
    closers.push(() => test.close());
    // The spawned command opens its own connection; this one only prepared the data.
    return test.url;
  }
  const dir = join(work, name);
  const db = await openDatabase(dir);
  await migrateToLatest(db, migrations);
  await db.destroy();
  return dir;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 't2d-cli-'));
  medium = join(work, 'stick');
  await mkdir(medium);
  const { ca, certificate: caCertificate } = await CertificateAuthority.createRoot({
    subject: { commonName: 'XMcomm test CA' },
  });
  const serverKeys = await generateKeyPair();
  const siteKeys = await generateKeyPair();
  const serverCertificate = await ca.issueCertificate({
    profile: 'server',
    publicKey: serverKeys.publicKey,
    subject: { commonName: 'xmserver' },
  });
  const siteCertificate = await ca.issueCertificate({
    profile: 'site',
    publicKey: siteKeys.publicKey,
    subject: { matricule: 'CEC-001' },
  });
  const encrypted = (key: typeof serverKeys.privateKey) =>
    key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
  await writeFile(join(work, 'ca.pem'), caCertificate.pem);
  await writeFile(join(work, 'server-key.pem'), encrypted(serverKeys.privateKey));
  await writeFile(join(work, 'server.pem'), serverCertificate.pem);
  await writeFile(join(work, 'site-key.pem'), encrypted(siteKeys.privateKey));
  await writeFile(join(work, 'site.pem'), siteCertificate.pem);

  serverUrl = await databaseUrl('server-db', serverMigrations);
  siteUrl = await databaseUrl('site-db', siteMigrations);

  const server = await openDatabase<ServerDatabase>(serverUrl);
  const { id } = await server
    .insertInto('xm_system.clients')
    .values({
      matricule: 'CEC-001',
      centre_code: 'CLI',
      name: 'Centre 1',
      status: 3,
      password_hash: 'not-a-real-hash',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The register as xmserver keeps it: the national CA, and the site's certificate as the client's.
  const record = (certificate: typeof siteCertificate, purpose: 'ca' | 'site', clientId: number | null) => {
    const x509 = new X509Certificate(certificate.der);
    return server
      .insertInto('xm_system.certificates')
      .values({
        client_id: clientId,
        purpose,
        subject: x509.subject,
        issuer: x509.issuer,
        serial_number: certificate.serialNumber,
        subject_key_identifier: Buffer.from(certificate.subjectKeyIdentifier).toString('hex'),
        fingerprint_sha256: createHash('sha256').update(certificate.der).digest('hex'),
        not_before: new Date(x509.validFrom),
        not_after: new Date(x509.validTo),
        der: certificate.der,
      } as never)
      .execute();
  };
  await record(caCertificate, 'ca', null);
  await record(siteCertificate, 'site', id);
  await server.destroy();

  const site = await openDatabase<SiteDatabase>(siteUrl);
  await site
    .insertInto('xm_data.births')
    .values(
      [1, 2, 3].map((n) => ({
        ...sampleBirth,
        child_given_names: `Child ${n}`,
        status: 2,
        niu: `CLI-${n}`,
      })) as never,
    )
    .execute();
  await site.destroy();

  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XM_KEY_PASSPHRASE: passphrase,
    XM_CA_FILE: join(work, 'ca.pem'),
  };
}, 120_000);

afterAll(async () => {
  for (const close of closers) await close();
  await rm(work, { recursive: true, force: true });
});

const siteArgs = () => [
  '--database-url',
  siteUrl,
  '--matricule',
  'CEC-001',
  '--key',
  join(work, 'site-key.pem'),
  '--certificate',
  join(work, 'site.pem'),
  '--server-certificate',
  join(work, 'server.pem'),
];
const serverArgs = () => [
  '--database-url',
  serverUrl,
  '--key',
  join(work, 'server-key.pem'),
  '--certificate',
  join(work, 'server.pem'),
];

describe('t2d command', () => {
  it('carries rows site -> stick -> server -> stick -> site with real certificates and CMS', async () => {
    const exported = await t2d(['--json', 'export', '--to', medium, ...siteArgs()]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({
      command: 'export',
      sealed: 1,
      items: 1,
      rows: 3,
      written: 1,
    });

    const ingested = await t2d(['--json', 'ingest', '--from', medium, ...serverArgs()]);
    expect(ingested.stderr).toBe('');
    expect(JSON.parse(ingested.stdout)).toMatchObject({
      applied: 1,
      rowsAccepted: 3,
      issues: [],
      refused: {},
    });
    expect(ingested.code).toBe(0);

    const imported = await t2d(['--lang', 'fr', 'import', '--from', medium, ...siteArgs()]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('fiches acceptées 3');
    expect(imported.stdout).toContain('0 envoi(s) attendent encore leur accusé');
  }, 180_000);

  it('carries an import request and its answer by stick, through the real codec', async () => {
    // Acts another centre sent earlier, stored on the server at status 2.
    const server = await openDatabase<ServerDatabase>(serverUrl);
    await server
      .insertInto('xm_data.births')
      .values(
        [1, 2, 3].map((n) => ({
          ...sampleBirth,
          child_given_names: `Other ${n}`,
          status: 2,
          niu: `OTHER-${n}`,
          origin_matricule: 'CEC-999',
          origin_numero: n,
        })) as never,
      )
      .execute();
    await server.destroy();
    // The site queues the request itself (ecr import does this), with an operator and an order
    // sdc-codec v1 could not carry before.
    const site = await openSite(
      {
        databaseUrl: siteUrl,
        matricule: 'CEC-001',
        key: join(work, 'site-key.pem'),
        certificate: join(work, 'site.pem'),
        serverCertificate: join(work, 'server.pem'),
      },
      env,
    );
    try {
      const queued = await site.sync.requestImport({
        table: 'births',
        conditions: [
          { field: 'origin_matricule', op: '=', value: 'CEC-999' },
          { field: 'origin_numero', op: 'between', value: [2, 3] },
        ],
        order: [{ field: 'origin_numero', direction: 'desc' }],
      });
      expect(queued.ok).toBe(true);
    } finally {
      await site.db.destroy();
    }

    const exported = await t2d(['--json', 'export', '--to', medium, ...siteArgs()]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ items: 1 });
    const ingested = await t2d(['--json', 'ingest', '--from', medium, ...serverArgs()]);
    expect(ingested.code, ingested.stderr).toBe(0);
    expect(JSON.parse(ingested.stdout)).toMatchObject({ applied: 1, refused: {} });
    const imported = await t2d(['--json', 'import', '--from', medium, ...siteArgs()]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      applied: { receipt: 1, 'import-response': 1 },
      stillWaiting: 0,
    });
    const check = await openDatabase<SiteDatabase>(siteUrl);
    try {
      const rows = await check
        .selectFrom('xm_data.births')
        .select(['origin_matricule', 'origin_numero', 'status'])
        .where('origin_matricule', '=', 'CEC-999')
        .orderBy('origin_numero')
        .execute();
      expect(rows).toEqual([
        { origin_matricule: 'CEC-999', origin_numero: 2, status: 2 },
        { origin_matricule: 'CEC-999', origin_numero: 3, status: 2 },
      ]);
    } finally {
      await check.destroy();
    }
  }, 180_000);

  it('says what is wrong, with the exit code of the table', async () => {
    const missing = await t2d(['ingest', '--from', join(work, 'no-stick'), ...serverArgs()]);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain('is not there');
    const wrongPassphrase = await t2d(['ingest', '--from', medium, ...serverArgs()], {
      XM_KEY_PASSPHRASE: 'wrong',
    });
    expect(wrongPassphrase.code).toBe(77);
    const usage = await t2d(['export']);
    expect(usage.code).toBe(64);
  }, 180_000);
});
