import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { registerClient } from '@xmcomm/billing';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import { CertificateAuthority, generateKeyPair } from '@xmcomm/pki';
import {
  migrateToLatest,
  openDatabase,
  type ServerDatabase,
  type SiteDatabase,
  serverMigrations,
  siteMigrations,
} from '@xmcomm/schema';
import { centreCodeOf, createTestDatabase, sampleBirth } from '@xmcomm/schema/testing';
import type { Kysely } from 'kysely';
import { run } from '../../src/program.js';

// What the `t2d` command needs to run for real: certificates from @xmcomm/pki, encrypted keys,
// a server and a site database migrated, the site registered on the server as `xmserver client add`
// and `client enrol` leave it (billing's account included), a medium folder.

const cli = join(import.meta.dirname, '..', '..', 'src', 'cli.ts');
const root = join(import.meta.dirname, '..', '..', '..', '..');
export const passphrase = 'correct horse battery staple';
export const SITE = 'CEC-001';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliWorld {
  readonly work: string;
  readonly medium: string;
  readonly env: NodeJS.ProcessEnv;
  readonly siteUrl: string;
  readonly serverUrl: string;
  /** The site's client id in the server's register. */
  readonly clientId: number;
  siteArgs(): string[];
  serverArgs(): string[];
  /** The command spawned from source, as a user runs it. */
  spawn(args: readonly string[], extra?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** The command's own entry point, in this process (faster; the same code from `run` on). */
  run(args: readonly string[], extra?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Opens the server's database for the time of `use` (the command opens its own meanwhile). */
  withServer<T>(use: (db: Kysely<ServerDatabase>) => Promise<T>): Promise<T>;
  withSite<T>(use: (db: Kysely<SiteDatabase>) => Promise<T>): Promise<T>;
  /** Validated births (status 2) at the site, their NIUs `<centre code>-<prefix>-<n>`. */
  addBirths(count: number, niuPrefix: string): Promise<void>;
  close(): Promise<void>;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

export async function openCliWorld(name: string): Promise<CliWorld> {
  const work = await mkdtemp(join(tmpdir(), `t2d-${name}-`));
  const medium = join(work, 'stick');
  await mkdir(medium);
  const closers: (() => Promise<void>)[] = [];

  const databaseUrl = async (folder: string, migrations: typeof siteMigrations) => {
    if (process.env.DATABASE_URL) {
      const test = await createTestDatabase({ migrations });
      closers.push(() => test.close());
      // The command opens its own connection; this one only prepared the data.
      return test.url;
    }
    const dir = join(work, folder);
    const db = await openDatabase(dir);
    await migrateToLatest(db, migrations);
    await db.destroy();
    return dir;
  };

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
    subject: { matricule: SITE },
  });
  const encrypted = (key: typeof serverKeys.privateKey) =>
    key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
  await writeFile(join(work, 'ca.pem'), caCertificate.pem);
  await writeFile(join(work, 'server-key.pem'), encrypted(serverKeys.privateKey));
  await writeFile(join(work, 'server.pem'), serverCertificate.pem);
  await writeFile(join(work, 'site-key.pem'), encrypted(siteKeys.privateKey));
  await writeFile(join(work, 'site.pem'), siteCertificate.pem);

  const serverUrl = await databaseUrl('server-db', serverMigrations);
  const siteUrl = await databaseUrl('site-db', siteMigrations);

  const withServer = async <T>(use: (db: Kysely<ServerDatabase>) => Promise<T>): Promise<T> => {
    const db = await openDatabase<ServerDatabase>(serverUrl);
    try {
      return await use(db);
    } finally {
      await db.destroy();
    }
  };
  const withSite = async <T>(use: (db: Kysely<SiteDatabase>) => Promise<T>): Promise<T> => {
    const db = await openDatabase<SiteDatabase>(siteUrl);
    try {
      return await use(db);
    } finally {
      await db.destroy();
    }
  };

  const clientId = await withServer(async (server) => {
    const registered = await registerClient(server, {
      matricule: SITE,
      centreCode: centreCodeOf(SITE),
      name: 'Centre 1',
      status: 3,
      passwordHash: 'not-a-real-hash',
    });
    if (!registered.ok) throw registered.error;
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
    await record(siteCertificate, 'site', registered.clientId);
    return registered.clientId;
  });

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XM_KEY_PASSPHRASE: passphrase,
    XM_CA_FILE: join(work, 'ca.pem'),
  };

  return {
    work,
    medium,
    env,
    siteUrl,
    serverUrl,
    clientId,
    siteArgs: () => [
      '--database-url',
      siteUrl,
      '--matricule',
      SITE,
      '--key',
      join(work, 'site-key.pem'),
      '--certificate',
      join(work, 'site.pem'),
      '--server-certificate',
      join(work, 'server.pem'),
    ],
    serverArgs: () => [
      '--database-url',
      serverUrl,
      '--key',
      join(work, 'server-key.pem'),
      '--certificate',
      join(work, 'server.pem'),
    ],
    spawn: (args, extra = {}) =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [...entryArguments(cli), ...args],
          { cwd: root, env: { ...env, ...extra }, timeout: 120_000 },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      }),
    async run(args, extra = {}) {
      const stdout = new Capture();
      const stderr = new Capture();
      const code = await run(args, { env: { ...env, ...extra }, stdout, stderr });
      return { code, stdout: stdout.text, stderr: stderr.text };
    },
    withServer,
    withSite,
    addBirths: (count, niuPrefix) =>
      withSite(async (site) => {
        await site
          .insertInto('xm_data.births')
          .values(
            Array.from({ length: count }, (_, index) => ({
              ...sampleBirth,
              child_given_names: `Child ${niuPrefix} ${index + 1}`,
              status: 2,
              niu: `${centreCodeOf(SITE)}-${niuPrefix}-${index + 1}`,
            })) as never,
          )
          .execute();
      }),
    async close() {
      for (const close of closers) await close();
      await rm(work, { recursive: true, force: true });
    },
  };
}
