import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CertificateAuthority,
  type CertificateInfo,
  describePkiError,
  exportPrivateKey,
  importPrivateKey,
  inspectCertificate,
  PkiError,
  type Revocation,
  type RevocationReason,
} from '@xmcomm/pki';
import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { readSecret } from './config.js';
import { asDate } from './database.js';
import { XmServerError } from './errors.js';
import type { Language } from './messages.js';

type Db = Kysely<ServerDatabase>;

/** Where the server keeps its key material, inside the data directory. Keys are encrypted PKCS#8. */
export function pkiPaths(dataDir: string) {
  const dir = join(dataDir, 'pki');
  return {
    dir,
    caCertificate: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key.pem'),
    serverCertificate: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key.pem'),
    /** Generated at init when the operator gave no passphrase: readable by the service account only. */
    generatedPassphrase: join(dataDir, 'secrets', 'key-passphrase'),
  };
}

/**
 * The passphrase of the server's private keys: `XM_KEY_PASSPHRASE`, the file named by
 * `XM_KEY_PASSPHRASE_FILE`, or the file init generated in the data directory.
 */
export async function keyPassphrase(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  create: boolean,
): Promise<string> {
  const given = await readSecret(env, 'XM_KEY_PASSPHRASE');
  if (given) return given;
  const path = pkiPaths(dataDir).generatedPassphrase;
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    if (!create) {
      throw new XmServerError('key-unavailable', 'no passphrase', {
        params: {
          detail: `set XM_KEY_PASSPHRASE_FILE (no ${path}).`,
          detailFr: `définissez XM_KEY_PASSPHRASE_FILE (pas de ${path}).`,
        },
      });
    }
  }
  const passphrase = randomBytes(32).toString('base64url');
  await mkdir(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  await writeFile(path, `${passphrase}\n`, { mode: 0o600, flag: 'wx' });
  return passphrase;
}

/** Turns a PkiError into the app's error, in both languages; anything else passes through. */
export function fromPki(error: unknown, what: string): unknown {
  if (
    error instanceof PkiError ||
    (typeof error === 'object' && error !== null && Symbol.for('@xmcomm/pki/PkiError') in error)
  ) {
    const pki = error as PkiError;
    const detail = `${describePkiError(pki.code, 'en')}${pki.detail ? ` (${pki.detail})` : ''}`;
    const detailFr = `${describePkiError(pki.code, 'fr')}${pki.detail ? ` (${pki.detail})` : ''}`;
    return new XmServerError('invalid-certificate', `${what}: ${detail}`, {
      cause: error,
      params: { what, detail, detailFr },
    });
  }
  return error;
}

/** Reads and inspects a PEM or DER certificate file. */
export async function readCertificateFile(
  path: string,
  what: string,
): Promise<{ der: Uint8Array; info: CertificateInfo; pem: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new XmServerError('invalid-argument', `cannot read ${path}`, {
      cause,
      params: {
        name: 'file',
        value: path,
        hint: 'The file cannot be read.',
        hintFr: 'Le fichier est illisible.',
      },
    });
  }
  const input = bytes.includes('-----BEGIN') ? bytes.toString('utf8') : new Uint8Array(bytes);
  const inspected = inspectCertificate(input);
  if (!inspected.ok) throw fromPki(inspected.error, what);
  const { certificateDer, certificateToPem } = await import('@xmcomm/pki');
  const der = certificateDer(input);
  if (!der.ok) throw fromPki(der.error, what);
  return { der: der.value, info: inspected.value, pem: certificateToPem(der.value) };
}

/** Inspects a certificate the CA just issued. */
export function certificateFromDer(
  der: Uint8Array,
  what: string,
): { der: Uint8Array; info: CertificateInfo } {
  const inspected = inspectCertificate(der);
  if (!inspected.ok) throw fromPki(inspected.error, what);
  return { der, info: inspected.value };
}

export type CertificatePurpose = 'ca' | 'server' | 'site' | 'signatory';

/**
 * Refuses a key that the register already certifies for anyone but this client: a key belongs to one
 * site. Enrolling site B with site A's request would otherwise make B's receipts readable by A only,
 * and let A sign as B. `keyIdentifiers` are the key's identifiers (RFC 5280 method 1, and the
 * certificate's own SubjectKeyIdentifier when it has another), as the register stores them.
 */
export async function refuseKeyOfAnother(
  db: Db,
  keyIdentifiers: readonly string[],
  client: { readonly id: number; readonly matricule: string },
): Promise<void> {
  const holder = await db
    .selectFrom('xm_system.certificates as k')
    .leftJoin('xm_system.clients as c', 'c.id', 'k.client_id')
    .select(['k.serial_number', 'k.purpose', 'c.matricule'])
    .where('k.subject_key_identifier', 'in', [...new Set(keyIdentifiers.map((id) => id.toLowerCase()))])
    .where((eb) => eb.or([eb('k.client_id', 'is', null), eb('k.client_id', '!=', client.id)]))
    .orderBy('k.id')
    .executeTakeFirst();
  if (!holder) return;
  throw new XmServerError('key-already-certified', 'key certified for another', {
    params: {
      other: holder.matricule ?? `the ${holder.purpose} certificate`,
      serial: holder.serial_number,
      matricule: client.matricule,
    },
  });
}

/** Records a certificate in `xm_system.certificates`; the same certificate twice is recorded once. */
export async function recordCertificate(
  db: Db,
  input: { der: Uint8Array; info: CertificateInfo; purpose: CertificatePurpose; clientId?: number | null },
): Promise<{ id: number; created: boolean }> {
  const existing = await db
    .selectFrom('xm_system.certificates')
    .select('id')
    .where('fingerprint_sha256', '=', input.info.fingerprintSha256)
    .executeTakeFirst();
  if (existing) return { id: existing.id, created: false };
  const row = await db
    .insertInto('xm_system.certificates')
    .values({
      client_id: input.clientId ?? null,
      purpose: input.purpose,
      subject: input.info.subject,
      issuer: input.info.issuer,
      serial_number: input.info.serialNumber,
      subject_key_identifier: input.info.subjectKeyIdentifier ?? input.info.keyIdentifier,
      fingerprint_sha256: input.info.fingerprintSha256,
      not_before: new Date(input.info.notBefore),
      not_after: new Date(input.info.notAfter),
      der: Buffer.from(input.der),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, created: true };
}

export interface ServerIdentity {
  readonly ca: CertificateAuthority;
  readonly caPem: string;
  readonly serverCertificatePem: string;
  readonly serverKeyPem: string;
  readonly passphrase: string;
}

/** Opens the national CA with the revocations recorded so far and the last CRL number. */
export async function openIdentity(db: Db, dataDir: string, env: NodeJS.ProcessEnv): Promise<ServerIdentity> {
  const paths = pkiPaths(dataDir);
  const passphrase = await keyPassphrase(dataDir, env, false);
  let caPem: string;
  let caKeyPem: string;
  let serverCertificatePem: string;
  let serverKeyPem: string;
  try {
    [caPem, caKeyPem, serverCertificatePem, serverKeyPem] = (await Promise.all(
      [paths.caCertificate, paths.caKey, paths.serverCertificate, paths.serverKey].map((p) =>
        readFile(p, 'utf8'),
      ),
    )) as [string, string, string, string];
  } catch (cause) {
    throw new XmServerError('not-initialised', 'no CA', { cause, params: { dataDir } });
  }
  const key = importPrivateKey(caKeyPem, { passphrase });
  if (!key.ok) {
    throw new XmServerError('key-unavailable', 'CA key', {
      cause: key.error,
      params: {
        detail: describePkiError(key.error.code, 'en'),
        detailFr: describePkiError(key.error.code, 'fr'),
      },
    });
  }
  const caInfo = inspectCertificate(caPem);
  const caSubject = caInfo.ok ? caInfo.value.subject : '';
  const revoked = await db
    .selectFrom('xm_system.certificates')
    .select(['serial_number', 'revoked_at', 'revocation_reason'])
    .where('issuer', '=', caSubject)
    .where('revoked_at', 'is not', null)
    .execute();
  const revocations: Revocation[] = revoked.map((r) => ({
    serialNumber: r.serial_number,
    revocationDate: asDate(r.revoked_at),
    ...(r.revocation_reason ? { reason: r.revocation_reason as RevocationReason } : {}),
  }));
  const setting = await db
    .selectFrom('xm_system.settings')
    .select('value')
    .where('key', '=', 'crl-number')
    .executeTakeFirst();
  const crlNumber = BigInt(
    typeof setting?.value === 'string' || typeof setting?.value === 'number' ? setting.value : 0,
  );
  const ca = new CertificateAuthority({ certificate: caPem, privateKey: key.value, revocations, crlNumber });
  return { ca, caPem, serverCertificatePem, serverKeyPem, passphrase };
}

export const caSubject = { commonName: 'XMcomm National CA', organization: 'XMcomm' } as const;

/**
 * Creates the national CA and the server certificate unless they exist (init is idempotent), or
 * imports an existing CA given as certificate and key files. Returns what it created.
 */
export async function ensureIdentity(
  db: Db,
  options: {
    dataDir: string;
    env: NodeJS.ProcessEnv;
    serverName: string;
    importCa?: { certificate: string; key: string } | undefined;
    lang: Language;
  },
): Promise<{ createdCa: boolean; createdServer: boolean }> {
  const paths = pkiPaths(options.dataDir);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const exists = async (p: string) =>
    readFile(p).then(
      () => true,
      () => false,
    );
  const passphrase = await keyPassphrase(options.dataDir, options.env, true);
  let createdCa = false;
  let createdServer = false;
  try {
    if (!(await exists(paths.caCertificate))) {
      let certificatePem: string;
      let keyPem: string;
      if (options.importCa) {
        const certificate = await readCertificateFile(options.importCa.certificate, 'CA certificate');
        const importPassphrase = await readSecret(options.env, 'XM_IMPORT_KEY_PASSPHRASE');
        const key = importPrivateKey(
          await readFile(options.importCa.key, 'utf8'),
          importPassphrase ? { passphrase: importPassphrase } : {},
        );
        if (!key.ok) throw key.error;
        // Constructing the CA checks that the key belongs to the certificate and that it may sign certificates.
        new CertificateAuthority({ certificate: certificate.pem, privateKey: key.value });
        certificatePem = certificate.pem;
        keyPem = exportPrivateKey(key.value, { passphrase });
      } else {
        const root = await CertificateAuthority.createRoot({ subject: caSubject });
        certificatePem = root.certificate.pem;
        keyPem = exportPrivateKey(root.privateKey, { passphrase });
      }
      await writeFile(paths.caKey, keyPem, { mode: 0o600 });
      await writeFile(paths.caCertificate, certificatePem, { mode: 0o644 });
      createdCa = true;
    }
    const caFile = await readCertificateFile(paths.caCertificate, 'CA certificate');
    await recordCertificate(db, { der: caFile.der, info: caFile.info, purpose: 'ca' });
    if (!(await exists(paths.serverCertificate))) {
      const { generateKeyPair } = await import('@xmcomm/pki');
      const identity = await openCaOnly(paths, passphrase);
      const key = await generateKeyPair();
      const issued = await identity.issueCertificate({
        publicKey: key.publicKey,
        profile: 'server',
        subject: { commonName: options.serverName, matricule: options.serverName, organization: 'XMcomm' },
      });
      await writeFile(paths.serverKey, exportPrivateKey(key.privateKey, { passphrase }), { mode: 0o600 });
      await writeFile(paths.serverCertificate, issued.pem, { mode: 0o644 });
      createdServer = true;
    }
    const serverFile = await readCertificateFile(paths.serverCertificate, 'server certificate');
    await recordCertificate(db, { der: serverFile.der, info: serverFile.info, purpose: 'server' });
  } catch (error) {
    throw fromPki(error, 'PKI');
  }
  return { createdCa, createdServer };
}

async function openCaOnly(
  paths: ReturnType<typeof pkiPaths>,
  passphrase: string,
): Promise<CertificateAuthority> {
  const key = importPrivateKey(await readFile(paths.caKey, 'utf8'), { passphrase });
  if (!key.ok) throw key.error;
  return new CertificateAuthority({
    certificate: await readFile(paths.caCertificate, 'utf8'),
    privateKey: key.value,
  });
}
