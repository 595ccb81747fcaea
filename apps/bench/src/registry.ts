import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CertificateAuthority, hashPassword, importPrivateKey } from '@xmcomm/pki';
import type { ServerDatabase } from '@xmcomm/schema';
import { centreCodeOf } from '@xmcomm/schema/testing';
import type { Kysely } from 'kysely';
import { type CertificateRecord, createFastIssuer, type FastIssuer } from './fast-issuer.js';

/** The server's key material as `xmserver init` left it in the data directory. */
export interface ServerPki {
  readonly caPem: string;
  readonly serverCertificatePem: string;
  readonly issuer: FastIssuer;
}

/** Matricules of benchmark sites: `S` and seven digits, the fixed length the fast issuer needs. */
export const matriculeOf = (index: number): string => `S${String(index).padStart(7, '0')}`;

export async function openServerPki(dataDir: string): Promise<ServerPki> {
  const read = (path: string) => readFile(join(dataDir, path), 'utf8');
  const passphrase = (await read('secrets/key-passphrase')).trim();
  const [caPem, caKeyPem, serverCertificatePem] = await Promise.all([
    read('pki/ca.pem'),
    read('pki/ca.key.pem'),
    read('pki/server.pem'),
  ]);
  const key = importPrivateKey(caKeyPem, { passphrase });
  if (!key.ok) throw key.error;
  const ca = new CertificateAuthority({ certificate: caPem, privateKey: key.value });
  const issuer = await createFastIssuer(ca, key.value, { matriculeLength: matriculeOf(0).length });
  return { caPem, serverCertificatePem, issuer };
}

export interface SiteKeys {
  readonly matricule: string;
  readonly privateKey: KeyObject;
  readonly certificate: CertificateRecord;
}

export interface RegisterResult {
  /** The sites whose private keys the benchmark kept, to sign containers as them. */
  readonly active: SiteKeys[];
  readonly seconds: number;
}

/**
 * Registers clients `from`..`to - 1` as `client add` + `client enrol` would leave them: status 3,
 * an account, a site certificate from the national CA, the initial password hash. Every client
 * gets a key pair of its own; the private keys of the first `keep` are returned, the others are
 * dropped as soon as their certificate is made. Rows go in by thousands.
 */
export async function registerClients(
  db: Kysely<ServerDatabase>,
  pki: ServerPki,
  range: { readonly from: number; readonly to: number; readonly keep: number },
): Promise<RegisterResult> {
  const started = performance.now();
  // One hash for all: scrypt per client would measure the password hash, not the register.
  const passwordHash = await hashPassword('zerokey');
  const active: SiteKeys[] = [];
  const batch = 1000;
  for (let start = range.from; start < range.to; start += batch) {
    const end = Math.min(range.to, start + batch);
    const sites: SiteKeys[] = [];
    for (let index = start; index < end; index++) {
      const matricule = matriculeOf(index);
      const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const site = {
        matricule,
        privateKey: keys.privateKey,
        certificate: pki.issuer.issue(matricule, keys.publicKey),
      };
      sites.push(site);
      if (index - range.from < range.keep) active.push(site);
    }
    await insertClients(db, sites, passwordHash);
  }
  return { active, seconds: (performance.now() - started) / 1000 };
}

/**
 * The server's rows for sites whose certificates are already made, as `client add` + `client enrol`
 * leave them: status 3, an account, the certificate, the initial password's hash.
 */
export async function insertClients(
  db: Kysely<ServerDatabase>,
  sites: readonly {
    readonly matricule: string;
    readonly certificate: CertificateRecord;
    /** The NIU prefix the client was registered with (default: `centreCodeOf(matricule)`). */
    readonly centreCode?: string;
  }[],
  passwordHash: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const clients = await trx
      .insertInto('xm_system.clients')
      .values(
        sites.map((site) => ({
          matricule: site.matricule,
          centre_code: site.centreCode ?? centreCodeOf(site.matricule),
          name: `Centre d'état civil ${site.matricule}`,
          status: 3,
          region: 'Centre',
          password_hash: passwordHash,
          must_change_password: true,
        })),
      )
      .returning(['id', 'matricule'])
      .execute();
    const ids = new Map(clients.map((c) => [c.matricule, c.id]));
    await trx
      .insertInto('xm_system.accounts')
      .values(clients.map((c) => ({ client_id: c.id })))
      .execute();
    await trx
      .insertInto('xm_system.certificates')
      .values(
        sites.map(({ matricule, certificate: k }) => ({
          client_id: ids.get(matricule) ?? null,
          purpose: 'site',
          subject: k.subject,
          issuer: k.issuer,
          serial_number: k.serialNumber,
          subject_key_identifier: k.subjectKeyIdentifier,
          fingerprint_sha256: k.fingerprintSha256,
          not_before: k.notBefore,
          not_after: k.notAfter,
          der: Buffer.from(k.der),
        })),
      )
      .execute();
  });
}
