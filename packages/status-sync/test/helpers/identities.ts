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
import {
  type ContainerCodec,
  createSdcCodec,
  createServerSigners,
  type ServerSigners,
  serverRecipients,
} from '../../src/index.js';

export interface Identity {
  readonly matricule: string;
  readonly keys: KeyPair;
  readonly certificate: IssuedCertificate;
}

export interface Identities {
  /** The national CA, to issue more certificates with. */
  readonly ca: CertificateAuthority;
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
    ca,
    root,
    server: await issue(serverMatricule, 'server'),
    sites: await Promise.all(siteMatricules.map((m) => issue(m, 'site'))),
  };
}

/** Records a certificate in the server's register, as xmserver does. */
async function record(
  db: Kysely<ServerDatabase>,
  certificate: IssuedCertificate,
  purpose: 'ca' | 'site',
  clientId: number | null,
): Promise<void> {
  const info = certificate.info;
  await db
    .insertInto('xm_system.certificates')
    .values({
      client_id: clientId,
      purpose,
      subject: info.subject,
      issuer: info.issuer,
      serial_number: certificate.serialNumber,
      subject_key_identifier: Buffer.from(certificate.subjectKeyIdentifier).toString('hex'),
      fingerprint_sha256: createHash('sha256').update(certificate.der).digest('hex'),
      not_before: new Date(info.notBefore) as never,
      not_after: new Date(info.notAfter) as never,
      der: certificate.der,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** What xmserver does when it enrols a site: the national CA is in the register, the site's certificate is the client's. */
export async function registerCertificate(
  db: Kysely<ServerDatabase>,
  site: Identity,
  ids: Pick<Identities, 'root'>,
): Promise<void> {
  const client = await db
    .selectFrom('xm_system.clients')
    .select('id')
    .where('matricule', '=', site.matricule)
    .executeTakeFirstOrThrow();
  await record(db, ids.root, 'ca', null);
  await record(db, site.certificate, 'site', client.id);
}

/** The server's codec: signers from its register, replies encrypted for the site's registered certificate. */
export async function serverCodec(
  db: Kysely<ServerDatabase>,
  ids: Identities,
): Promise<ContainerCodec & { readonly signers: ServerSigners }> {
  const signers = await createServerSigners(db);
  const codec = createSdcCodec({
    signer: { privateKey: ids.server.keys.privateKey, certificate: ids.server.certificate.der },
    recipient: { privateKey: ids.server.keys.privateKey, certificate: ids.server.certificate.der },
    signers,
    recipientsFor: serverRecipients(db),
  });
  return Object.assign(codec, { signers });
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
