import { createHash, type KeyObject } from 'node:crypto';
import {
  keyIdentifiersOf,
  type ParsedCertificate,
  parseCertificateDer,
  readCertificates,
} from './certificate.js';
import { equalBytes, isPem, type PemOrDer, toHex } from './encoding.js';
import { attempt, PkiError, type PkiErrorCode, type Result } from './errors.js';
import {
  type CertificateInfo,
  certificateInfo,
  type RevocationListInfo,
  revocationListInfo,
} from './inspect.js';
import { OID } from './oids.js';
import {
  checkCaCertificate,
  type PathSource,
  type ValidationPurpose,
  validatePath,
} from './path-validation.js';
import { type ParsedRevocationList, readRevocationList } from './revocation-list.js';
import { verifySignature } from './signature.js';

/** A signer whose certificate chains to a trust anchor, is in its validity period, unrevoked and fit to sign. */
export interface TrustedSigner {
  /** The signer's certificate, DER. */
  readonly certificate: Uint8Array;
  /** Its public key, ready for `crypto.verify`. */
  readonly publicKey: KeyObject;
  readonly subjectKeyIdentifier: Uint8Array;
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  /** The matricule given at registration, else the subject's serialNumber attribute. */
  readonly matricule?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly fingerprintSha256: string;
  /** The path, DER, from the signer's certificate to the trust anchor. */
  readonly chain: readonly Uint8Array[];
}

export type SignerCheck =
  | { readonly ok: true; readonly signer: TrustedSigner }
  | { readonly ok: false; readonly error: PkiError };

export interface SignerCheckOptions {
  /** When the signature must be valid; default now. */
  readonly at?: Date;
  /** Certificates that came with the message (the CMS certificate set): the signer's and intermediates. */
  readonly embeddedCertificates?: readonly Uint8Array[];
}

export interface ValidateOptions {
  readonly at?: Date;
  /** `signature` (default) also checks the certificate may sign: not a CA, digitalSignature, EKU. */
  readonly purpose?: ValidationPurpose;
  /** Extra untrusted certificates to build the path with. */
  readonly intermediates?: readonly PemOrDer[];
}

export interface ValidationReport {
  readonly certificate: CertificateInfo;
  /** From the certificate to the trust anchor. */
  readonly chain: readonly CertificateInfo[];
}

export interface TrustStoreOptions {
  /** Only registered certificates may sign (default false: any certificate that chains to an anchor). */
  readonly requireRegistration?: boolean;
  /**
   * Extended key usages a signer's certificate must list one of, when it has that extension
   * (default: emailProtection, as `openssl cms -verify` requires). `null` does not check EKU.
   */
  readonly signerPurposes?: readonly string[] | null;
  /** Most signer results kept (default 200,000); the oldest go first. */
  readonly maxCacheEntries?: number;
  /** Longest path accepted, anchor included (default 6). */
  readonly maxPathLength?: number;
}

interface Registration {
  readonly certificate: ParsedCertificate;
  readonly matricule: string | undefined;
}

interface CacheEntry {
  readonly result: SignerCheck;
  readonly from: number;
  readonly until: number;
}

/** Codes that mean "the path does not reach a trust anchor"; checkSigner reports them as `untrusted-signer`. */
const UNTRUSTED: ReadonlySet<PkiErrorCode> = new Set<PkiErrorCode>([
  'unknown-issuer',
  'bad-signature',
  'not-a-ca',
  'path-too-long',
]);

function revocationKey(issuer: ParsedCertificate): string {
  return `${issuer.subjectKey}#${toHex(issuer.keyIdentifier)}`;
}

/**
 * Trust anchors (the national root, CAs the operator trusts), intermediates, CRLs and registered
 * end-entity certificates; answers "is this signer valid now?".
 *
 * `checkSigner` caches each positive answer by SubjectKeyIdentifier with the validity window of
 * its whole path, so a repeated check is a Map lookup and two number comparisons. Any change to
 * the store (an anchor, an intermediate, a CRL, a registration) empties the cache.
 */
export class TrustStore {
  readonly #anchors = new Map<string, ParsedCertificate>();
  readonly #intermediates = new Map<string, ParsedCertificate>();
  /** Anchors and intermediates by subject name key, for issuer lookup. */
  readonly #bySubject = new Map<string, ParsedCertificate[]>();
  readonly #revocationLists = new Map<string, ParsedRevocationList>();
  readonly #registered = new Map<string, Registration>();
  readonly #cache = new Map<string, CacheEntry>();
  /**
   * What survives store changes, because it depends on the certificates' bytes alone: parsed
   * certificates from messages (by SHA-256 of their DER) and issuer signatures already checked
   * (child and issuer fingerprints). After a CRL load, revalidation needs neither parsing nor crypto.
   */
  readonly #parsed = new Map<string, ParsedCertificate>();
  readonly #verifiedSignatures = new Set<string>();
  readonly #requireRegistration: boolean;
  readonly #maxCacheEntries: number;
  /** This store's certificates and CRLs, as path validation reads them. */
  readonly #paths: PathSource;
  #version = 0;

  constructor(options: TrustStoreOptions = {}) {
    this.#requireRegistration = options.requireRegistration ?? false;
    this.#maxCacheEntries = options.maxCacheEntries ?? 200_000;
    this.#paths = {
      isAnchor: (certificate) => this.#anchors.has(certificate.fingerprintSha256),
      issuersNamed: (subjectKey) => this.#bySubject.get(subjectKey) ?? [],
      revocationListOf: (issuer) => this.#revocationLists.get(revocationKey(issuer)),
      signedBy: (subject, issuer) => this.#signedBy(subject, issuer),
      maxPathLength: options.maxPathLength ?? 6,
      signerPurposes:
        options.signerPurposes === null ? null : new Set(options.signerPurposes ?? [OID.emailProtection]),
    };
  }

  /** Increases on every change; a cached answer never outlives the version it was computed in. */
  get version(): number {
    return this.#version;
  }

  /** Forgets every cached answer (the store itself does this on every change). */
  clearCache(): void {
    this.#cache.clear();
  }

  #changed(): void {
    this.#version += 1;
    this.#cache.clear();
  }

  #index(certificate: ParsedCertificate): void {
    const list = this.#bySubject.get(certificate.subjectKey) ?? [];
    if (!list.some((known) => known.fingerprintSha256 === certificate.fingerprintSha256))
      list.push(certificate);
    this.#bySubject.set(certificate.subjectKey, list);
  }

  #unindex(certificate: ParsedCertificate): void {
    const list = (this.#bySubject.get(certificate.subjectKey) ?? []).filter(
      (known) => known.fingerprintSha256 !== certificate.fingerprintSha256,
    );
    if (list.length === 0) this.#bySubject.delete(certificate.subjectKey);
    else this.#bySubject.set(certificate.subjectKey, list);
  }

  /**
   * Trusts CA certificates (PEM bundle or DER): the national root, or another CA whose
   * certificates the operator accepts. They must be CA certificates.
   */
  addTrustAnchor(input: PemOrDer): Result<CertificateInfo[]> {
    return attempt(() => {
      const certificates = readCertificates(input);
      for (const certificate of certificates) checkCaCertificate(certificate);
      for (const certificate of certificates) {
        this.#anchors.set(certificate.fingerprintSha256, certificate);
        this.#index(certificate);
      }
      this.#changed();
      return certificates.map(certificateInfo);
    });
  }

  /** Adds intermediate CA certificates, used to build paths; they are trusted only through an anchor. */
  addIntermediate(input: PemOrDer): Result<CertificateInfo[]> {
    return attempt(() => {
      const certificates = readCertificates(input);
      for (const certificate of certificates) checkCaCertificate(certificate);
      for (const certificate of certificates) {
        this.#intermediates.set(certificate.fingerprintSha256, certificate);
        this.#index(certificate);
      }
      this.#changed();
      return certificates.map(certificateInfo);
    });
  }

  /**
   * Loads a CRL. Its signature must verify with a CA certificate of this store (anchor or
   * intermediate) allowed to sign CRLs. From now on, every certificate it lists fails validation,
   * for any `at`. A CRL older than the one already loaded for that CA (by cRLNumber, then
   * thisUpdate) is ignored: the result says whether it was applied.
   */
  loadRevocationList(input: PemOrDer): Result<RevocationListInfo & { readonly applied: boolean }> {
    return attempt(() => {
      const list = readRevocationList(input);
      if (list.unknownCriticalExtensions.length > 0) {
        throw new PkiError('unsupported-critical-extension', {
          detail: `CRL of ${list.issuer}: ${list.unknownCriticalExtensions.join(', ')}`,
        });
      }
      const candidates = (this.#bySubject.get(list.issuerKey) ?? []).filter(
        (issuer) =>
          !list.authorityKeyIdentifier ||
          keyIdentifiersOf(issuer).some((id) => equalBytes(id, list.authorityKeyIdentifier!)),
      );
      if (candidates.length === 0)
        throw new PkiError('unknown-issuer', { detail: `CRL issuer ${list.issuer}` });
      const signature = list.structure.signatureValue.valueBlock.valueHexView;
      const issuer = candidates.find((candidate) =>
        verifySignature(
          candidate.publicKey,
          list.structure.signatureAlgorithm,
          list.structure.tbsView,
          signature,
        ),
      );
      if (!issuer) throw new PkiError('bad-signature', { detail: `CRL of ${list.issuer}` });
      if (issuer.keyUsage && !issuer.keyUsage.has('cRLSign')) {
        throw new PkiError('wrong-key-usage', { detail: `${issuer.subject} may not sign CRLs (no cRLSign)` });
      }
      const key = revocationKey(issuer);
      const current = this.#revocationLists.get(key);
      const applied = !current || isNewer(list, current);
      if (applied) {
        this.#revocationLists.set(key, list);
        this.#changed();
      }
      return { ...revocationListInfo(list), applied };
    });
  }

  /**
   * Registers an end-entity certificate (a site's or a signatory's), so that checkSigner finds it
   * by SubjectKeyIdentifier without the message carrying it. `matricule` overrides the subject's.
   */
  registerCertificate(
    input: PemOrDer,
    options: { readonly matricule?: string } = {},
  ): Result<CertificateInfo> {
    return attempt(() => {
      const [certificate] = readCertificates(input);
      if (!certificate) throw new PkiError('malformed-pem', { detail: 'no certificate' });
      if (certificate.isCa) throw new PkiError('ca-as-end-entity', { detail: certificate.subject });
      const registration: Registration = {
        certificate,
        matricule: options.matricule ?? certificate.matricule,
      };
      for (const identifier of keyIdentifiersOf(certificate))
        this.#registered.set(toHex(identifier), registration);
      this.#changed();
      return certificateInfo(certificate);
    });
  }

  /** Forgets a registered certificate (by its certificate or SubjectKeyIdentifier); true if it was there. */
  unregisterCertificate(target: Uint8Array | string): boolean {
    let identifiers: string[];
    if (typeof target === 'string' && /^[0-9a-fA-F]+$/.test(target)) identifiers = [target.toLowerCase()];
    else if (target instanceof Uint8Array && target.length === 20) identifiers = [toHex(target)];
    else {
      const parsed = attempt(() => readCertificates(target));
      if (!parsed.ok) return false;
      identifiers = parsed.value.flatMap((certificate) => keyIdentifiersOf(certificate).map(toHex));
    }
    const found = identifiers
      .map((id) => this.#registered.get(id))
      .find((registration) => registration !== undefined);
    if (!found) return false;
    for (const identifier of keyIdentifiersOf(found.certificate)) this.#registered.delete(toHex(identifier));
    this.#changed();
    return true;
  }

  /** Removes an anchor or an intermediate by SHA-256 fingerprint (hex); true if it was there. */
  removeCaCertificate(fingerprintSha256: string): boolean {
    const fingerprint = fingerprintSha256.toLowerCase().replace(/:/g, '');
    const certificate = this.#anchors.get(fingerprint) ?? this.#intermediates.get(fingerprint);
    if (!certificate) return false;
    this.#anchors.delete(fingerprint);
    this.#intermediates.delete(fingerprint);
    this.#unindex(certificate);
    this.#changed();
    return true;
  }

  /** The registered certificate (DER) of a matricule, the one valid longest if several. */
  certificateForMatricule(matricule: string): Uint8Array | undefined {
    let best: ParsedCertificate | undefined;
    for (const registration of this.#registered.values()) {
      if (registration.matricule !== matricule) continue;
      if (!best || registration.certificate.notAfter > best.notAfter) best = registration.certificate;
    }
    return best?.der;
  }

  /** What the store holds, JSON-friendly. */
  describe(): {
    anchors: CertificateInfo[];
    intermediates: CertificateInfo[];
    revocationLists: RevocationListInfo[];
    registered: CertificateInfo[];
  } {
    const registered = new Map<string, ParsedCertificate>();
    for (const { certificate } of this.#registered.values())
      registered.set(certificate.fingerprintSha256, certificate);
    return {
      anchors: [...this.#anchors.values()].map(certificateInfo),
      intermediates: [...this.#intermediates.values()].map(certificateInfo),
      revocationLists: [...this.#revocationLists.values()].map(revocationListInfo),
      registered: [...registered.values()].map(certificateInfo),
    };
  }

  /**
   * Is the signer named by this SubjectKeyIdentifier valid at `at` (default now)? The signer's
   * certificate is a registered one or, unless `requireRegistration`, one of the message's
   * embedded certificates. Warm path: one Map lookup and a time comparison.
   */
  checkSigner(subjectKeyIdentifier: Uint8Array, options: SignerCheckOptions = {}): SignerCheck {
    const time = options.at === undefined ? Date.now() : options.at.getTime();
    const key = toHex(subjectKeyIdentifier);
    const cached = this.#cache.get(key);
    if (cached !== undefined && time >= cached.from && time <= cached.until) return cached.result;
    return this.#checkSignerCold(
      key,
      subjectKeyIdentifier,
      new Date(time),
      options.embeddedCertificates ?? [],
    );
  }

  #checkSignerCold(
    key: string,
    identifier: Uint8Array,
    at: Date,
    embedded: readonly Uint8Array[],
  ): SignerCheck {
    if (Number.isNaN(at.getTime()))
      return { ok: false, error: new PkiError('invalid-argument', { detail: 'invalid date' }) };
    const extra: ParsedCertificate[] = [];
    for (const der of embedded) {
      try {
        extra.push(this.#parse(der));
      } catch {
        // A malformed embedded certificate cannot name the signer; the others may still do.
      }
    }
    const candidates: Registration[] = [];
    const registered = this.#registered.get(key);
    if (registered) candidates.push(registered);
    if (!this.#requireRegistration) {
      // After the registered certificate: a renewal for the same key may come with the message.
      for (const certificate of extra) {
        if (
          certificate.fingerprintSha256 !== registered?.certificate.fingerprintSha256 &&
          keyIdentifiersOf(certificate).some((id) => equalBytes(id, identifier))
        ) {
          candidates.push({ certificate, matricule: registered?.matricule ?? certificate.matricule });
        }
      }
    }
    if (candidates.length === 0) {
      return {
        ok: false,
        error: new PkiError('unknown-signer', { detail: `subject key identifier ${key}` }),
      };
    }
    let firstError: PkiError | undefined;
    for (const candidate of candidates) {
      try {
        const chain = validatePath(this.#paths, candidate.certificate, extra, at, 'signature');
        const signer = trustedSigner(candidate, chain);
        const result: SignerCheck = { ok: true, signer };
        this.#remember(key, result, chain);
        return result;
      } catch (error) {
        if (!PkiError.isInstance(error)) throw error;
        firstError ??= error;
      }
    }
    const error = firstError!;
    if (UNTRUSTED.has(error.code)) {
      return { ok: false, error: new PkiError('untrusted-signer', { detail: error.detail, cause: error }) };
    }
    return { ok: false, error };
  }

  #remember(key: string, result: SignerCheck, chain: readonly ParsedCertificate[]): void {
    let from = Number.NEGATIVE_INFINITY;
    let until = Number.POSITIVE_INFINITY;
    for (const certificate of chain) {
      from = Math.max(from, certificate.notBefore.getTime());
      until = Math.min(until, certificate.notAfter.getTime());
    }
    bounded(this.#cache, this.#maxCacheEntries);
    this.#cache.set(key, { result, from, until });
  }

  #parse(der: Uint8Array): ParsedCertificate {
    const fingerprint = createHash('sha256').update(der).digest('hex');
    const known = this.#parsed.get(fingerprint);
    if (known) return known;
    const certificate = parseCertificateDer(der);
    bounded(this.#parsed, this.#maxCacheEntries);
    this.#parsed.set(fingerprint, certificate);
    return certificate;
  }

  #signedBy(subject: ParsedCertificate, issuer: ParsedCertificate): boolean {
    const edge = `${subject.fingerprintSha256}>${issuer.fingerprintSha256}`;
    if (this.#verifiedSignatures.has(edge)) return true;
    const { structure } = subject;
    const valid = verifySignature(
      issuer.publicKey,
      structure.signatureAlgorithm,
      structure.tbsView,
      structure.signatureValue.valueBlock.valueHexView,
    );
    if (valid) {
      bounded(this.#verifiedSignatures, this.#maxCacheEntries);
      this.#verifiedSignatures.add(edge);
    }
    return valid;
  }

  /** Full path validation of any certificate, uncached. */
  validateCertificate(input: PemOrDer, options: ValidateOptions = {}): Result<ValidationReport> {
    return attempt(() => {
      const [certificate] = readCertificates(input);
      if (!certificate) throw new PkiError('malformed-pem', { detail: 'no certificate' });
      const extra = (options.intermediates ?? []).flatMap((item) =>
        item instanceof Uint8Array && !isPem(item) ? [this.#parse(item)] : readCertificates(item),
      );
      const chain = validatePath(
        this.#paths,
        certificate,
        extra,
        options.at ?? new Date(),
        options.purpose ?? 'signature',
      );
      return { certificate: certificateInfo(certificate), chain: chain.map(certificateInfo) };
    });
  }
}

/** Makes room for one more entry by dropping the oldest (Maps and Sets iterate in insertion order). */
function bounded(collection: Map<string, unknown> | Set<string>, limit: number): void {
  if (collection.size < limit) return;
  const oldest = collection.keys().next();
  if (!oldest.done) collection.delete(oldest.value);
}

function isNewer(candidate: ParsedRevocationList, current: ParsedRevocationList): boolean {
  if (
    candidate.crlNumber !== undefined &&
    current.crlNumber !== undefined &&
    candidate.crlNumber !== current.crlNumber
  ) {
    return candidate.crlNumber > current.crlNumber;
  }
  return candidate.thisUpdate.getTime() >= current.thisUpdate.getTime();
}

function trustedSigner(registration: Registration, chain: readonly ParsedCertificate[]): TrustedSigner {
  const { certificate } = registration;
  return {
    certificate: certificate.der,
    publicKey: certificate.publicKey,
    subjectKeyIdentifier: certificate.subjectKeyIdentifier ?? certificate.keyIdentifier,
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    ...(registration.matricule === undefined ? {} : { matricule: registration.matricule }),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    fingerprintSha256: certificate.fingerprintSha256,
    chain: chain.map((item) => item.der),
  };
}
