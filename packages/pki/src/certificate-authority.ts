import { type KeyObject, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  Certificate,
  CertificateRevocationList,
  Extension,
  Extensions,
  PublicKeyInfo,
  type RelativeDistinguishedNames,
  RevokedCertificate,
} from 'pkijs';
import { certificateToPem, type KeyUsage, type ParsedCertificate, readCertificate } from './certificate.js';
import { readCertificateRequest } from './certificate-request.js';
import type { PemOrDer } from './encoding.js';
import { PkiError } from './errors.js';
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  crlNumberExtension,
  extendedKeyUsageExtension,
  keyUsageExtension,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from './extensions.js';
import { type CertificateInfo, certificateInfo } from './inspect.js';
import {
  computeSubjectKeyIdentifier,
  describeKey,
  generateKeyPair,
  type KeyPair,
  type KeySpec,
  keysMatch,
  subjectPublicKeyInfo,
} from './keys.js';
import {
  buildName,
  MATRICULE_ATTRIBUTE,
  type NameInput,
  nameAttribute,
  nameInputAttributes,
  x509Time,
} from './name.js';
import { OID } from './oids.js';
import { REVOCATION_REASONS, type Revocation, type RevocationReason } from './revocation-list.js';
import { asSigner, keySigner, type SigningKey, signatureBits, signingAlgorithm } from './signature.js';

/**
 * What a certificate is for. Key usages follow the key: digitalSignature plus keyAgreement (EC)
 * or keyEncipherment (RSA) for end entities; signatories add nonRepudiation.
 * - `server`: the central server; EKU serverAuth, clientAuth, emailProtection.
 * - `site`: a remote site, named by its matricule; EKU clientAuth, emailProtection.
 * - `signatory`: a person whose signature is recognised; EKU emailProtection.
 * - `intermediate-ca`: a subordinate CA; keyCertSign, cRLSign, digitalSignature.
 */
export type CertificateProfile = 'server' | 'site' | 'signatory' | 'intermediate-ca';

const DAY = 24 * 60 * 60 * 1000;
/** Issued certificates start a little in the past, so a site whose clock is slightly behind accepts them. */
const BACKDATE = 5 * 60 * 1000;

const DEFAULT_VALIDITY_DAYS: Readonly<Record<CertificateProfile | 'root', number>> = {
  root: 20 * 365,
  'intermediate-ca': 10 * 365,
  server: 2 * 365,
  site: 2 * 365,
  signatory: 2 * 365,
};

const PROFILE_PURPOSES: Readonly<Record<Exclude<CertificateProfile, 'intermediate-ca'>, readonly string[]>> =
  {
    server: [OID.serverAuth, OID.clientAuth, OID.emailProtection],
    site: [OID.clientAuth, OID.emailProtection],
    signatory: [OID.emailProtection],
  };

/** The key usages an end-entity certificate gets for its key type. */
export function endEntityKeyUsages(publicKey: KeyObject, profile: CertificateProfile): KeyUsage[] {
  const usages: KeyUsage[] = ['digitalSignature'];
  if (profile === 'signatory') usages.push('nonRepudiation');
  usages.push(describeKey(publicKey).type === 'ec' ? 'keyAgreement' : 'keyEncipherment');
  return usages;
}

function randomSerialNumber(): asn1js.Integer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive, minimally encoded, never zero
  return new asn1js.Integer({ valueHex: bytes });
}

export interface IssueOptions {
  /** The site's PKCS#10 request (checked: its signature proves the key), or a bare public key. */
  readonly csr?: PemOrDer;
  readonly publicKey?: KeyObject;
  readonly profile: CertificateProfile;
  /**
   * The subject. Omitted: the request's subject is used as is. `matricule` goes into the
   * `serialNumber` attribute (2.5.4.5) and, unless `commonName` is given, into CN. The CA's
   * `subjectDefaults` (country, organisation) fill what is not given.
   */
  readonly subject?: NameInput;
  readonly emails?: readonly string[];
  readonly dnsNames?: readonly string[];
  /** Default: now minus five minutes. */
  readonly notBefore?: Date;
  /** Default: notBefore plus the profile's validity (2 years; 10 for a CA), never past the CA's own end. */
  readonly notAfter?: Date;
  readonly validityDays?: number;
  /** For `intermediate-ca`: how many CAs may follow it (default 0). */
  readonly pathLength?: number;
}

export interface IssuedCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  /** Lower-case hex, as CertificateInfo and Revocation have it. */
  readonly serialNumber: string;
  /** RFC 5280 method 1: what a CMS SignerInfo names this signer by. */
  readonly subjectKeyIdentifier: Uint8Array;
  readonly info: CertificateInfo;
}

export interface RootOptions {
  readonly subject: NameInput;
  /** An existing key pair or what to generate (default: ECDSA P-256). */
  readonly key?: KeyPair | KeySpec;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly validityDays?: number;
  /** How many intermediate CAs may follow the root; default unlimited. */
  readonly pathLength?: number;
}

export interface CertificateAuthorityOptions {
  /** The CA's certificate (PEM or DER) and its key (or any SigningKey for it: an HSM, a KMS). */
  readonly certificate: PemOrDer;
  readonly privateKey: KeyObject | SigningKey;
  /** Revocations issued so far (persist `ca.revocations` and give them back). */
  readonly revocations?: readonly Revocation[];
  /** The number of the last CRL issued (persist `ca.crlNumber`); the next CRL gets this plus one. */
  readonly crlNumber?: bigint;
  /** Attributes added to subjects that do not set them, e.g. `{ country: 'CM', organization: 'Etat civil' }`. */
  readonly subjectDefaults?: Pick<NameInput, 'country' | 'organization' | 'organizationalUnit'>;
}

function validity(
  options: { notBefore?: Date; notAfter?: Date; validityDays?: number },
  defaultDays: number,
  limit?: Date,
) {
  const notBefore = options.notBefore ?? new Date(Date.now() - BACKDATE);
  let notAfter =
    options.notAfter ?? new Date(notBefore.getTime() + (options.validityDays ?? defaultDays) * DAY);
  if (!options.notAfter && limit && notAfter > limit) notAfter = limit;
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime()) || notAfter <= notBefore) {
    throw new PkiError('invalid-argument', { detail: 'notAfter must come after notBefore' });
  }
  return { notBefore, notAfter };
}

async function signCertificate(
  signer: SigningKey,
  fields: {
    issuer: RelativeDistinguishedNames;
    subject: RelativeDistinguishedNames;
    publicKey: KeyObject;
    notBefore: Date;
    notAfter: Date;
    extensions: Extension[];
  },
): Promise<Uint8Array> {
  const { hash, algorithm } = signingAlgorithm(signer);
  const certificate = new Certificate({
    version: 2,
    serialNumber: randomSerialNumber(),
    signature: algorithm,
    issuer: fields.issuer,
    notBefore: x509Time(fields.notBefore),
    notAfter: x509Time(fields.notAfter),
    subject: fields.subject,
    subjectPublicKeyInfo: PublicKeyInfo.fromBER(subjectPublicKeyInfo(fields.publicKey)),
    extensions: fields.extensions,
    signatureAlgorithm: algorithm,
  });
  certificate.tbsView = new Uint8Array(certificate.encodeTBS().toBER());
  certificate.signatureValue = await signatureBits(signer, certificate.tbsView, hash);
  return new Uint8Array(certificate.toSchema().toBER());
}

function issued(certificate: ParsedCertificate): IssuedCertificate {
  return {
    der: certificate.der,
    pem: certificateToPem(certificate.der),
    serialNumber: certificate.serialNumber,
    subjectKeyIdentifier: certificate.subjectKeyIdentifier ?? certificate.keyIdentifier,
    info: certificateInfo(certificate),
  };
}

function caKeyUsages(): KeyUsage[] {
  return ['digitalSignature', 'keyCertSign', 'cRLSign'];
}

function checkPathLength(pathLength: number | undefined): void {
  if (pathLength !== undefined && (!Number.isSafeInteger(pathLength) || pathLength < 0)) {
    throw new PkiError('invalid-argument', {
      detail: `pathLength must be a non-negative integer, got ${pathLength}`,
    });
  }
}

/**
 * A certificate authority: the national root or an intermediate. It issues server, site,
 * signatory and intermediate certificates from PKCS#10 requests, revokes them and issues CRLs.
 * It keeps its revocations in memory: persist `revocations` and `crlNumber` and pass them back.
 */
export class CertificateAuthority {
  /** The CA's own certificate. */
  readonly certificate: IssuedCertificate;
  readonly #issuer: ParsedCertificate;
  readonly #signer: SigningKey;
  readonly #revocations = new Map<string, Revocation>();
  readonly #subjectDefaults: CertificateAuthorityOptions['subjectDefaults'];
  #crlNumber: bigint;

  constructor(options: CertificateAuthorityOptions) {
    const certificate = readCertificate(options.certificate);
    const signer = asSigner(options.privateKey);
    if (!keysMatch(signer.publicKey, certificate.publicKey)) {
      throw new PkiError('key-mismatch', { detail: `the key does not belong to ${certificate.subject}` });
    }
    if (!certificate.isCa) throw new PkiError('not-a-ca', { detail: certificate.subject });
    if (certificate.keyUsage && !certificate.keyUsage.has('keyCertSign')) {
      throw new PkiError('wrong-key-usage', { detail: `${certificate.subject} lacks keyCertSign` });
    }
    this.#issuer = certificate;
    this.certificate = issued(certificate);
    this.#signer = signer;
    this.#subjectDefaults = options.subjectDefaults;
    this.#crlNumber = options.crlNumber ?? 0n;
    for (const revocation of options.revocations ?? [])
      this.#revocations.set(revocation.serialNumber, revocation);
  }

  /** Creates a self-signed root CA (ECDSA P-256 unless told otherwise), valid 20 years by default. */
  static async createRoot(
    options: RootOptions,
  ): Promise<{ ca: CertificateAuthority; privateKey: KeyObject; certificate: IssuedCertificate }> {
    const key = options.key && 'privateKey' in options.key ? options.key : await generateKeyPair(options.key);
    checkPathLength(options.pathLength);
    const name = buildName(nameInputAttributes(options.subject));
    const { notBefore, notAfter } = validity(options, DEFAULT_VALIDITY_DAYS.root);
    const identifier = computeSubjectKeyIdentifier(key.publicKey);
    const der = await signCertificate(keySigner(key.privateKey), {
      issuer: name,
      subject: name,
      publicKey: key.publicKey,
      notBefore,
      notAfter,
      extensions: [
        basicConstraintsExtension(true, options.pathLength),
        keyUsageExtension(caKeyUsages()),
        subjectKeyIdentifierExtension(identifier),
        authorityKeyIdentifierExtension(identifier),
      ],
    });
    const ca = new CertificateAuthority({ certificate: der, privateKey: key.privateKey });
    return { ca, privateKey: key.privateKey, certificate: ca.certificate };
  }

  /** The number of the last CRL issued (0 before the first). */
  get crlNumber(): bigint {
    return this.#crlNumber;
  }

  /** Every revocation so far, oldest first. */
  get revocations(): readonly Revocation[] {
    return [...this.#revocations.values()];
  }

  /** Issues a certificate for the key of a request (or a bare public key), as the profile says. */
  async issueCertificate(options: IssueOptions): Promise<IssuedCertificate> {
    const { profile } = options;
    if (!['server', 'site', 'signatory', 'intermediate-ca'].includes(profile)) {
      throw new PkiError('invalid-argument', { detail: `unknown profile ${profile}` });
    }
    checkPathLength(options.pathLength);
    let publicKey: KeyObject;
    let subject: RelativeDistinguishedNames | undefined;
    if (options.csr !== undefined) {
      const request = readCertificateRequest(options.csr);
      publicKey = request.publicKey;
      subject = request.structure.subject;
    } else if (options.publicKey?.type === 'public') {
      publicKey = options.publicKey;
    } else {
      throw new PkiError('invalid-argument', { detail: 'give a csr or a public key' });
    }
    describeKey(publicKey);
    if (options.subject)
      subject = buildName(nameInputAttributes({ ...this.#subjectDefaults, ...options.subject }));
    if (!subject) throw new PkiError('invalid-argument', { detail: 'a bare public key needs a subject' });
    if (profile === 'site' && !nameAttribute(subject, MATRICULE_ATTRIBUTE)) {
      throw new PkiError('invalid-argument', {
        detail: 'a site certificate needs the matricule (subject.matricule)',
      });
    }
    if (!nameAttribute(subject, 'CN'))
      throw new PkiError('invalid-argument', { detail: 'the subject needs a commonName' });
    if (keysMatch(publicKey, this.#issuer.publicKey)) {
      throw new PkiError('invalid-argument', { detail: "a certificate for the CA's own key" });
    }

    const { notBefore, notAfter } = validity(options, DEFAULT_VALIDITY_DAYS[profile], this.#issuer.notAfter);
    const extensions: Extension[] = [];
    if (profile === 'intermediate-ca') {
      extensions.push(
        basicConstraintsExtension(true, options.pathLength ?? 0),
        keyUsageExtension(caKeyUsages()),
      );
    } else {
      extensions.push(
        basicConstraintsExtension(false),
        keyUsageExtension(endEntityKeyUsages(publicKey, profile)),
        extendedKeyUsageExtension(PROFILE_PURPOSES[profile]),
      );
    }
    extensions.push(
      subjectKeyIdentifierExtension(computeSubjectKeyIdentifier(publicKey)),
      authorityKeyIdentifierExtension(this.certificate.subjectKeyIdentifier),
    );
    const emails = options.emails ?? [];
    const dnsNames = options.dnsNames ?? [];
    if (emails.length > 0 || dnsNames.length > 0) extensions.push(subjectAltNameExtension(emails, dnsNames));
    const der = await signCertificate(this.#signer, {
      issuer: this.#issuer.structure.subject,
      subject,
      publicKey,
      notBefore,
      notAfter,
      extensions,
    });
    return issued(readCertificate(der));
  }

  /**
   * Records a revocation (by certificate or serial number). It reaches validators with the next
   * CRL: call `issueRevocationList` and load that CRL into their trust stores.
   */
  revoke(
    target: PemOrDer | { readonly serialNumber: string },
    options: { readonly reason?: RevocationReason; readonly at?: Date } = {},
  ): Revocation {
    let serialNumber: string;
    if (typeof target === 'object' && 'serialNumber' in target && !(target instanceof Uint8Array)) {
      serialNumber = target.serialNumber.toLowerCase().replace(/:/g, '');
      if (!/^[0-9a-f]+$/.test(serialNumber))
        throw new PkiError('invalid-argument', { detail: `serial number ${target.serialNumber}` });
    } else {
      const certificate = readCertificate(target);
      if (certificate.issuerKey !== this.#issuer.subjectKey) {
        throw new PkiError('invalid-argument', {
          detail: `${certificate.subject} was not issued by this CA`,
        });
      }
      serialNumber = certificate.serialNumber;
    }
    if (options.reason !== undefined && !(options.reason in REVOCATION_REASONS)) {
      throw new PkiError('invalid-argument', { detail: `unknown revocation reason ${options.reason}` });
    }
    const existing = this.#revocations.get(serialNumber);
    if (existing) return existing;
    const revocation: Revocation = {
      serialNumber,
      revocationDate: new Date(Math.floor((options.at ?? new Date()).getTime() / 1000) * 1000),
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    };
    this.#revocations.set(serialNumber, revocation);
    return revocation;
  }

  /** Issues the next CRL (v2, with cRLNumber and authorityKeyIdentifier), valid 7 days by default. DER. */
  async issueRevocationList(
    options: { readonly thisUpdate?: Date; readonly nextUpdate?: Date; readonly validityDays?: number } = {},
  ): Promise<Uint8Array> {
    const thisUpdate = options.thisUpdate ?? new Date();
    const nextUpdate =
      options.nextUpdate ?? new Date(thisUpdate.getTime() + (options.validityDays ?? 7) * DAY);
    if (nextUpdate <= thisUpdate)
      throw new PkiError('invalid-argument', { detail: 'nextUpdate must come after thisUpdate' });
    const crlNumber = this.#crlNumber + 1n;
    const { hash, algorithm } = signingAlgorithm(this.#signer);
    const revoked = [...this.#revocations.values()].map(
      (revocation) =>
        new RevokedCertificate({
          userCertificate: new asn1js.Integer({ valueHex: Buffer.from(revocation.serialNumber, 'hex') }),
          revocationDate: x509Time(revocation.revocationDate),
          ...(revocation.reason === undefined || revocation.reason === 'unspecified'
            ? {}
            : {
                crlEntryExtensions: new Extensions({
                  extensions: [
                    new Extension({
                      extnID: OID.crlReason,
                      critical: false,
                      extnValue: new asn1js.Enumerated({
                        value: REVOCATION_REASONS[revocation.reason],
                      }).toBER(),
                    }),
                  ],
                }),
              }),
        }),
    );
    const list = new CertificateRevocationList({
      version: 1,
      signature: algorithm,
      issuer: this.#issuer.structure.subject,
      thisUpdate: x509Time(thisUpdate),
      nextUpdate: x509Time(nextUpdate),
      ...(revoked.length === 0 ? {} : { revokedCertificates: revoked }),
      crlExtensions: new Extensions({
        extensions: [
          authorityKeyIdentifierExtension(this.certificate.subjectKeyIdentifier),
          crlNumberExtension(crlNumber),
        ],
      }),
      signatureAlgorithm: algorithm,
    });
    const tbs = new Uint8Array((list.toSchema(true) as asn1js.Sequence).valueBlock.value[0]!.toBER());
    list.tbsView = tbs;
    list.signatureValue = await signatureBits(this.#signer, tbs, hash);
    this.#crlNumber = crlNumber;
    return new Uint8Array(list.toSchema().toBER());
  }
}
