import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';
import { CertificateAuthority, generateKeyPair } from '@xmcomm/pki';
import { decodeBase45, encodeBase45 } from '../src/base45.js';
import { CborTag } from '../src/cbor.js';
import { claimsOf, contentOf } from '../src/claims.js';
import { decodeCbor, encodeCbor, parseSign1 } from '../src/cose.js';
import {
  createTrustList,
  DEFAULT_TEMPLATE_FOLDER,
  type DocumentData,
  SEAL_PREFIX,
  type SealContent,
  type TrustListRevocation,
  type TrustListSigner,
} from '../src/index.js';

/** Fixed dates, so the same test data always gives the same seal content and PDF bytes. */
export const ISSUED_AT = new Date('2026-12-01T09:30:00Z');
export const CHECKED_AT = new Date('2026-12-05T12:00:00Z');
const LIST_ISSUED_AT = new Date('2026-11-30T00:00:00Z');
const LIST_EXPIRES_AT = new Date('2027-11-30T00:00:00Z');

export interface Sealer {
  readonly certificate: Uint8Array;
  readonly privateKey: KeyObject;
}

export interface Pki {
  readonly root: Uint8Array;
  readonly rootPem: string;
  readonly site: Sealer;
  readonly other: Sealer;
  readonly lister: Sealer;
}

async function sealer(
  ca: CertificateAuthority,
  profile: 'site' | 'signatory' | 'server',
  name: string,
): Promise<Sealer> {
  const keys = await generateKeyPair();
  const issued = await ca.issueCertificate({
    publicKey: keys.publicKey,
    profile,
    subject: profile === 'site' ? { matricule: name } : { commonName: name },
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2028-01-01T00:00:00Z'),
  });
  return { certificate: issued.der, privateKey: keys.privateKey };
}

export async function makePki(): Promise<Pki> {
  const { ca, certificate } = await CertificateAuthority.createRoot({
    subject: { country: 'SN', organization: 'Etat civil', commonName: 'XMcomm Test Root CA' },
    notBefore: new Date('2025-01-01T00:00:00Z'),
  });
  return {
    root: certificate.der,
    rootPem: certificate.pem,
    site: await sealer(ca, 'site', 'CEC-0042'),
    other: await sealer(ca, 'signatory', 'Awa Diop'),
    lister: await sealer(ca, 'server', 'XMcomm trust list'),
  };
}

export function makeList(
  pki: Pki,
  sequence: number,
  options: { signers?: TrustListSigner[]; revocations?: TrustListRevocation[]; expiresAt?: Date } = {},
): Uint8Array {
  return createTrustList(
    {
      sequence,
      issuedAt: LIST_ISSUED_AT,
      expiresAt: options.expiresAt ?? LIST_EXPIRES_AT,
      issuer: 'xmserver test',
      caCertificate: pki.root,
      signers: options.signers ?? [
        { certificate: pki.site.certificate, label: 'CEC-0042' },
        { certificate: pki.other.certificate, label: 'Awa Diop' },
      ],
      revocations: options.revocations ?? [],
    },
    { privateKey: pki.lister.privateKey, chain: [pki.lister.certificate] },
  );
}

export function sampleData(recordType: 'birth' | 'marriage' | 'death'): DocumentData {
  return JSON.parse(
    readFileSync(`${DEFAULT_TEMPLATE_FOLDER}/${recordType}.sample.json`, 'utf8'),
  ) as DocumentData;
}

/** Re-encodes a seal with other claims but the original signature: what a forger would print. */
export function tamper(seal: string, change: (content: SealContent) => SealContent): string {
  const cose = inflateSync(decodeBase45(seal.slice(SEAL_PREFIX.length))!);
  const message = parseSign1(cose)!;
  const claims = contentOf(decodeCbor(message.payload) as Map<number, never>)!;
  const forged = encodeCbor(claimsOf(change(claims)));
  const bytes = encodeCbor(new CborTag(18, [message.protectedBytes, new Map(), forged, message.signature]));
  return SEAL_PREFIX + encodeBase45(deflateSync(bytes));
}
