/**
 * RFC 5280 path validation, simplified to what this platform uses: build the path from a
 * certificate to a trust anchor, then check each certificate's role, revocation and validity
 * period. The certificates, CRLs and remembered signatures come from a trust store (trust-store.ts).
 */
import { keyIdentifiersOf, type ParsedCertificate } from './certificate.js';
import { equalBytes } from './encoding.js';
import { PkiError } from './errors.js';
import { OID } from './oids.js';
import type { ParsedRevocationList } from './revocation-list.js';

export type ValidationPurpose = 'signature' | 'any';

/** What path validation reads from a trust store. */
export interface PathSource {
  isAnchor(certificate: ParsedCertificate): boolean;
  /** The anchors and intermediates whose subject has this name key. */
  issuersNamed(subjectKey: string): readonly ParsedCertificate[];
  /** The CRL loaded for this issuer, if any. */
  revocationListOf(issuer: ParsedCertificate): ParsedRevocationList | undefined;
  /** Whether the issuer's key verifies the subject's signature. */
  signedBy(subject: ParsedCertificate, issuer: ParsedCertificate): boolean;
  /** Longest path accepted, anchor included. */
  readonly maxPathLength: number;
  /** Extended key usages a signer's certificate must list one of, when it lists any; null: not checked. */
  readonly signerPurposes: ReadonlySet<string> | null;
}

/** The path from `leaf` to an anchor, every certificate of it checked; throws PkiError. */
export function validatePath(
  source: PathSource,
  leaf: ParsedCertificate,
  extra: readonly ParsedCertificate[],
  at: Date,
  purpose: ValidationPurpose,
): ParsedCertificate[] {
  if (purpose === 'signature') checkSignerPurpose(leaf, source.signerPurposes);
  const chain = buildPath(source, leaf, extra);
  const time = at.getTime();
  chain.forEach((certificate, index) => {
    const anchor = index === chain.length - 1 && source.isAnchor(certificate);
    if (!anchor && certificate.unknownCriticalExtensions.length > 0) {
      throw new PkiError('unsupported-critical-extension', {
        detail: `${certificate.subject}: ${certificate.unknownCriticalExtensions.join(', ')}`,
      });
    }
    if (index > 0) {
      checkCaCertificate(certificate);
      const pathLength = certificate.basicConstraints?.pathLength;
      if (pathLength !== undefined && index - 1 > pathLength) {
        throw new PkiError('path-too-long', {
          detail: `${certificate.subject} allows ${pathLength} CA(s) below it`,
        });
      }
    }
  });
  for (let index = 0; index < chain.length - 1; index += 1) {
    const certificate = chain[index]!;
    const list = source.revocationListOf(chain[index + 1]!);
    const revocation = list?.revoked.get(certificate.serialNumber);
    if (revocation) {
      throw new PkiError('revoked', {
        detail: `${certificate.subject}, serial ${certificate.serialNumber}, on ${revocation.revocationDate.toISOString()}${revocation.reason ? ` (${revocation.reason})` : ''}`,
      });
    }
  }
  for (const certificate of chain) {
    if (time < certificate.notBefore.getTime()) {
      throw new PkiError('not-yet-valid', {
        detail: `${certificate.subject} is valid from ${certificate.notBefore.toISOString()}`,
      });
    }
    if (time > certificate.notAfter.getTime()) {
      throw new PkiError('expired', {
        detail: `${certificate.subject} expired on ${certificate.notAfter.toISOString()}`,
      });
    }
  }
  return chain;
}

/** Throws `not-a-ca` unless the certificate is a CA allowed to sign certificates. */
export function checkCaCertificate(certificate: ParsedCertificate): void {
  if (!certificate.isCa)
    throw new PkiError('not-a-ca', { detail: `${certificate.subject} is not a CA certificate` });
  if (certificate.keyUsage && !certificate.keyUsage.has('keyCertSign')) {
    throw new PkiError('not-a-ca', {
      detail: `${certificate.subject} may not sign certificates (no keyCertSign)`,
    });
  }
}

function checkSignerPurpose(certificate: ParsedCertificate, purposes: ReadonlySet<string> | null): void {
  if (certificate.isCa) throw new PkiError('ca-as-end-entity', { detail: certificate.subject });
  if (certificate.keyUsage && !certificate.keyUsage.has('digitalSignature')) {
    throw new PkiError('wrong-key-usage', { detail: `${certificate.subject} lacks digitalSignature` });
  }
  const listed = certificate.extendedKeyUsage;
  if (purposes && listed && !listed.some((oid) => oid === OID.anyExtendedKeyUsage || purposes.has(oid))) {
    throw new PkiError('wrong-key-usage', {
      detail: `${certificate.subject}: extended key usage does not include ${[...purposes].join(' or ')}`,
    });
  }
}

function buildPath(
  source: PathSource,
  leaf: ParsedCertificate,
  extra: readonly ParsedCertificate[],
): ParsedCertificate[] {
  const chain = [leaf];
  const seen = new Set([leaf.fingerprintSha256]);
  let current = leaf;
  while (!source.isAnchor(current)) {
    if (chain.length >= source.maxPathLength)
      throw new PkiError('path-too-long', { detail: `more than ${source.maxPathLength} certificates` });
    const subject = current;
    const candidates = [...source.issuersNamed(subject.issuerKey), ...extra].filter(
      (candidate) =>
        candidate.subjectKey === subject.issuerKey &&
        !seen.has(candidate.fingerprintSha256) &&
        (!subject.authorityKeyIdentifier ||
          keyIdentifiersOf(candidate).some((id) => equalBytes(id, subject.authorityKeyIdentifier!))),
    );
    if (candidates.length === 0)
      throw new PkiError('unknown-issuer', { detail: `issuer of ${subject.subject}: ${subject.issuer}` });
    // Anchors first, then any other issuer whose key verifies the signature.
    candidates.sort((left, right) => Number(source.isAnchor(right)) - Number(source.isAnchor(left)));
    const issuer = candidates.find((candidate) => source.signedBy(subject, candidate));
    if (!issuer)
      throw new PkiError('bad-signature', {
        detail: `${subject.subject} is not signed by ${subject.issuer}`,
      });
    chain.push(issuer);
    seen.add(issuer.fingerprintSha256);
    current = issuer;
  }
  return chain;
}
