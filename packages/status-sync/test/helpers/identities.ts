import { createHash } from 'node:crypto';
import {
  CertificateAuthority,
  generateKeyPair,
  type IssuedCertificate,
  type KeyPair,
  TrustStore,
  unwrap,
} from '@xmcomm/pki';
import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { type ContainerCodec, createDatabaseSignerResolver, createSdcCodec } from '../../src/index.js';

export interface Identity {
  readonly matricule: string;
  readonly keys: KeyPair;
  readonly certificate: IssuedCertificate;
}

export interface Identities {
  readonly root: IssuedCertificate;
  readonly server: Identity;
  readonly sites: readonly Identity[];
}

/** A national CA, the server's certificate and site certificates, as the operator would issue them. */
export async function issueIdentities(
  serverMatricule: string,
  siteMatricules: readonly string[],
): Promise<Identities> {
  const { ca, certificate: root } = await CertificateAuthority.createRoot({
    subject: { country: 'CM', organization: 'Etat civil', commonName: 'Test Root CA' },
  });
  const issue = async (matricule: string, profile: 'server' | 'site'): Promise<Identity> => {
    const keys = await generateKeyPair();
    const certificate = await ca.issueCertificate({
      publicKey: keys.publicKey,
      profile,
      subject: { matricule },
    });
    return { matricule, keys, certificate };
  };
  return {
    root,
    server: await issue(serverMatricule, 'server'),
    sites: await Promise.all(siteMatricules.map((m) => issue(m, 'site'))),
  };
}

/** What xmserver does when it registers a site's certificate. */
export async function registerCertificate(db: Kysely<ServerDatabase>, site: Identity): Promise<void> {
  const client = await db
    .selectFrom('xm_system.clients')
    .select('id')
    .where('matricule', '=', site.matricule)
    .executeTakeFirstOrThrow();
  const info = site.certificate.info;
  await db
    .insertInto('xm_system.certificates')
    .values({
      client_id: client.id,
      purpose: 'site',
      subject: site.matricule,
      issuer: 'Test Root CA',
      serial_number: site.certificate.serialNumber,
      subject_key_identifier: Buffer.from(site.certificate.subjectKeyIdentifier).toString('hex'),
      fingerprint_sha256: createHash('sha256').update(site.certificate.der).digest('hex'),
      not_before: new Date(info.notBefore) as never,
      not_after: new Date(info.notAfter) as never,
      der: site.certificate.der,
    })
    .execute();
}

/** The server's codec: signers from its register, replies encrypted for the site's registered certificate. */
export function serverCodec(
  db: Kysely<ServerDatabase>,
  ids: Identities,
  options: { cacheMs?: number } = {},
): ContainerCodec {
  return createSdcCodec({
    signer: { privateKey: ids.server.keys.privateKey, certificate: ids.server.certificate.der },
    recipient: { privateKey: ids.server.keys.privateKey, certificate: ids.server.certificate.der },
    signers: createDatabaseSignerResolver(db, options),
    recipientsFor: async (matricule) => {
      const rows = await db
        .selectFrom('xm_system.certificates as c')
        .innerJoin('xm_system.clients as k', 'k.id', 'c.client_id')
        .select('c.der')
        .where('k.matricule', '=', String(matricule))
        .where('c.revoked_at', 'is', null)
        .execute();
      return rows.map((row) => ({ certificate: new Uint8Array(row.der) }));
    },
  });
}

/** A site's codec: it trusts the national CA and the server's certificate, and encrypts for the server. */
export function siteCodec(site: Identity, ids: Identities): ContainerCodec {
  const trust = new TrustStore();
  unwrap(trust.addTrustAnchor(ids.root.der));
  unwrap(trust.registerCertificate(ids.server.certificate.der));
  return createSdcCodec({
    signer: { privateKey: site.keys.privateKey, certificate: site.certificate.der },
    recipient: { privateKey: site.keys.privateKey, certificate: site.certificate.der },
    signers: trust,
    recipientsFor: () => [{ certificate: ids.server.certificate.der }],
  });
}
