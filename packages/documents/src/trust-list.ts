/**
 * The trust list: which certificates may seal documents, which are revoked, under which national
 * CA, until when. A COSE_Sign1 (the same structure as a seal, so one verifier path) whose
 * protected header carries the list signer's certificate (x5chain); every certificate inside is
 * plain X.509 DER that OpenSSL reads.
 */
import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { type PemOrDer, TrustStore } from '@xmcomm/pki';
import type { CborValue } from './cbor.js';
import {
  ALG_ES256,
  asMap,
  type CborMap,
  decodeCbor,
  encodeCbor,
  HEADER_ALG,
  HEADER_KID,
  HEADER_X5CHAIN,
  keyIdentifier,
  parseSign1,
  signSign1,
  verifySign1,
} from './cose.js';
import { DocumentsError } from './errors.js';

export const TRUST_LIST_VERSION = 1;
const ARMOUR = 'XMCOMM TRUST LIST';

export interface TrustListSigner {
  /** X.509 DER of a certificate allowed to seal documents. */
  readonly certificate: Uint8Array;
  /** Who it is: a site's matricule or a signatory's name. */
  readonly label: string;
}

export interface TrustListRevocation {
  /** The revoked certificate's key identifier (first 8 bytes of the SHA-256 of its DER). */
  readonly keyIdentifier: Uint8Array;
  readonly revokedAt: Date;
  readonly reason: string;
}

export interface TrustListContent {
  /** Grows by one with each list; a verifier refuses a lower one than it holds. */
  readonly sequence: number;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** Who publishes it (the central server's name). */
  readonly issuer: string;
  /** The national CA's certificate (DER): every certificate in the list chains to it. */
  readonly caCertificate: Uint8Array;
  readonly signers: readonly TrustListSigner[];
  readonly revocations: readonly TrustListRevocation[];
}

const KEY = {
  version: 1,
  sequence: 2,
  issuedAt: 3,
  expiresAt: 4,
  issuer: 5,
  caCertificate: 6,
  signers: 7,
  revocations: 8,
} as const;

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export interface TrustListSigningKey {
  /** An EC P-256 key whose certificate chains to the national CA. */
  readonly privateKey: KeyObject;
  /** Its certificate, DER; then any intermediate between it and the CA. */
  readonly chain: readonly Uint8Array[];
}

/** Signs a trust list; the bytes are what `trustListToText` armours and `readTrustList` reads. */
export function createTrustList(content: TrustListContent, key: TrustListSigningKey): Uint8Array {
  const [signerCertificate] = key.chain;
  if (!signerCertificate)
    throw new DocumentsError('invalid-argument', { detail: 'the list signer certificate' });
  if (key.privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new DocumentsError('invalid-argument', {
      detail: 'a trust list is signed with an EC P-256 key (ES256)',
    });
  }
  if (!Number.isSafeInteger(content.sequence) || content.sequence < 1) {
    throw new DocumentsError('invalid-argument', { detail: 'sequence must be a positive integer' });
  }
  const payload = encodeCbor(
    new Map<number, CborValue>([
      [KEY.version, TRUST_LIST_VERSION],
      [KEY.sequence, content.sequence],
      [KEY.issuedAt, seconds(content.issuedAt)],
      [KEY.expiresAt, seconds(content.expiresAt)],
      [KEY.issuer, content.issuer],
      [KEY.caCertificate, content.caCertificate],
      [KEY.signers, content.signers.map((signer) => [signer.certificate, signer.label])],
      [
        KEY.revocations,
        content.revocations.map((revocation) => [
          revocation.keyIdentifier,
          seconds(revocation.revokedAt),
          revocation.reason,
        ]),
      ],
    ]),
  );
  const header = new Map<number, CborValue>([
    [HEADER_ALG, ALG_ES256],
    [HEADER_KID, keyIdentifier(signerCertificate)],
    [HEADER_X5CHAIN, key.chain.length === 1 ? signerCertificate : [...key.chain]],
  ]);
  return signSign1(payload, key.privateKey, header);
}

/** The list as text (base64 between armour lines), for files, sticks and e-mail. */
export function trustListToText(bytes: Uint8Array): string {
  const lines =
    Buffer.from(bytes)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${ARMOUR}-----\n${lines.join('\n')}\n-----END ${ARMOUR}-----\n`;
}

function unarmour(input: Uint8Array | string): Uint8Array {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const match = /-----BEGIN XMCOMM TRUST LIST-----([\s\S]*?)-----END XMCOMM TRUST LIST-----/.exec(text);
  if (match) return new Uint8Array(Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64'));
  if (typeof input === 'string')
    throw new DocumentsError('invalid-trust-list', { detail: 'no armour lines' });
  return input;
}

/** A certificate allowed to seal, ready to verify with. */
export interface TrustedSealer {
  readonly keyIdentifier: Uint8Array;
  readonly label: string;
  readonly certificate: Uint8Array;
  readonly publicKey: KeyObject;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A trust list whose signature and certificates were checked. */
export interface TrustList {
  readonly bytes: Uint8Array;
  readonly content: TrustListContent;
  /** SHA-256 of the national CA's DER, lower-case hex. */
  readonly caFingerprint: string;
  /** Subject of the certificate that signed the list. */
  readonly signedBy: string;
  readonly sealers: ReadonlyMap<string, TrustedSealer>;
  readonly revoked: ReadonlyMap<string, TrustListRevocation>;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function fail(detail: string, cause?: unknown): never {
  throw new DocumentsError('invalid-trust-list', { detail, cause });
}

function bytesArray(value: unknown): Uint8Array[] | null {
  if (value instanceof Uint8Array) return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((item) => item instanceof Uint8Array))
    return value;
  return null;
}

function dateAt(map: CborMap, key: number, what: string): Date {
  const value = map.get(key);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(what);
  return new Date(value * 1000);
}

function decodeContent(payload: Uint8Array): TrustListContent {
  let decoded: CborValue;
  try {
    decoded = decodeCbor(payload);
  } catch (cause) {
    fail('payload is not CBOR', cause);
  }
  const map = asMap(decoded);
  if (!map || map.get(KEY.version) !== TRUST_LIST_VERSION) fail('unknown version');
  const sequence = map.get(KEY.sequence);
  const issuer = map.get(KEY.issuer);
  const caCertificate = map.get(KEY.caCertificate);
  const signers = map.get(KEY.signers);
  const revocations = map.get(KEY.revocations);
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence)) fail('sequence');
  if (typeof issuer !== 'string') fail('issuer');
  if (!(caCertificate instanceof Uint8Array)) fail('CA certificate');
  if (!Array.isArray(signers) || !Array.isArray(revocations)) fail('signers or revocations');
  return {
    sequence,
    issuedAt: dateAt(map, KEY.issuedAt, 'issue date'),
    expiresAt: dateAt(map, KEY.expiresAt, 'expiry date'),
    issuer,
    caCertificate,
    signers: signers.map((item: unknown) => {
      if (!Array.isArray(item) || !(item[0] instanceof Uint8Array) || typeof item[1] !== 'string')
        fail('signer');
      return { certificate: item[0], label: item[1] };
    }),
    revocations: revocations.map((item: unknown) => {
      if (!Array.isArray(item) || !(item[0] instanceof Uint8Array) || typeof item[1] !== 'number')
        fail('revocation');
      if (typeof item[2] !== 'string') fail('revocation reason');
      return { keyIdentifier: item[0], revokedAt: new Date(item[1] * 1000), reason: item[2] };
    }),
  };
}

function chainTo(
  store: TrustStore,
  certificate: Uint8Array,
  intermediates: readonly PemOrDer[],
  at: Date,
  what: string,
) {
  const report = store.validateCertificate(certificate, { at, purpose: 'signature', intermediates });
  if (!report.ok) fail(`${what}: ${report.error.message}`, report.error);
}

/**
 * Reads a trust list (armoured text or bytes) and checks it: its signature, the list signer's
 * certificate and every sealer's certificate up to the national CA named inside, as at the list's
 * issue date. Throws DocumentsError `invalid-trust-list`; expiry is the verifier's business.
 * `pinnedCa` (DER) refuses a list under any other CA with `trust-list-other-ca`.
 */
export function readTrustList(
  input: Uint8Array | string,
  options: { pinnedCa?: Uint8Array } = {},
): TrustList {
  const bytes = unarmour(input);
  const message = parseSign1(bytes);
  if (!message) fail('not a COSE_Sign1');
  const chain = bytesArray(message.protectedHeader.get(HEADER_X5CHAIN));
  if (!chain) fail('no signer certificate');
  const [signerDer, ...intermediates] = chain as [Uint8Array, ...Uint8Array[]];
  let signerCertificate: X509Certificate;
  try {
    signerCertificate = new X509Certificate(signerDer);
  } catch (cause) {
    fail('signer certificate', cause);
  }
  if (!verifySign1(message, signerCertificate.publicKey)) fail('the signature does not verify');
  const content = decodeContent(message.payload);
  const caFingerprint = createHash('sha256').update(content.caCertificate).digest('hex');
  if (options.pinnedCa && hex(options.pinnedCa) !== hex(content.caCertificate)) {
    throw new DocumentsError('trust-list-other-ca', { detail: `CA ${caFingerprint.slice(0, 16)}` });
  }
  const store = new TrustStore();
  const anchor = store.addTrustAnchor(content.caCertificate);
  if (!anchor.ok) fail(`national CA: ${anchor.error.message}`, anchor.error);
  chainTo(store, signerDer, intermediates, content.issuedAt, 'list signer');
  const sealers = new Map<string, TrustedSealer>();
  for (const signer of content.signers) {
    chainTo(store, signer.certificate, intermediates, content.issuedAt, `sealer ${signer.label}`);
    const certificate = new X509Certificate(signer.certificate);
    const kid = keyIdentifier(signer.certificate);
    sealers.set(hex(kid), {
      keyIdentifier: kid,
      label: signer.label,
      certificate: signer.certificate,
      publicKey: certificate.publicKey,
      subject: certificate.subject.replace(/\n/g, ', '),
      notBefore: new Date(certificate.validFrom),
      notAfter: new Date(certificate.validTo),
    });
  }
  const revoked = new Map(content.revocations.map((item) => [hex(item.keyIdentifier), item]));
  return {
    bytes,
    content,
    caFingerprint,
    signedBy: signerCertificate.subject.replace(/\n/g, ', '),
    sealers,
    revoked,
  };
}

/**
 * Which list a verifier keeps when offered one: the offered list unless it is older (lower
 * sequence: `trust-list-older`) or under another national CA (`trust-list-other-ca`) than held.
 */
export function acceptTrustList(held: TrustList | undefined, offered: TrustList): TrustList {
  if (!held) return offered;
  if (held.caFingerprint !== offered.caFingerprint) {
    throw new DocumentsError('trust-list-other-ca', { detail: `CA ${offered.caFingerprint.slice(0, 16)}` });
  }
  if (offered.content.sequence < held.content.sequence) {
    throw new DocumentsError('trust-list-older', {
      detail: `offered ${offered.content.sequence}, held ${held.content.sequence}`,
    });
  }
  return offered;
}
