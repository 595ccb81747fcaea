import { type ParsedCertificate, readCertificate } from './certificate.js';
import { type ParsedCertificateRequest, readCertificateRequest } from './certificate-request.js';
import { type PemOrDer, toHex } from './encoding.js';
import { attempt, type Result } from './errors.js';
import { type NameAttribute, nameAttributes } from './name.js';
import { EXTENDED_KEY_USAGE_NAMES, OID } from './oids.js';
import { type ParsedRevocationList, type Revocation, readRevocationList } from './revocation-list.js';

const SIGNATURE_NAMES: Readonly<Record<string, string>> = {
  [OID.ecdsaWithSha256]: 'ecdsa-with-SHA256',
  [OID.ecdsaWithSha384]: 'ecdsa-with-SHA384',
  [OID.ecdsaWithSha512]: 'ecdsa-with-SHA512',
  [OID.ecdsaWithSha1]: 'ecdsa-with-SHA1',
  [OID.sha256WithRsa]: 'sha256WithRSAEncryption',
  [OID.sha384WithRsa]: 'sha384WithRSAEncryption',
  [OID.sha512WithRsa]: 'sha512WithRSAEncryption',
  [OID.sha1WithRsa]: 'sha1WithRSAEncryption',
  [OID.rsaPss]: 'rsassaPss',
};

/** What a certificate says, JSON-friendly: hex strings, ISO dates, names as text and as attributes. */
export interface CertificateInfo {
  readonly subject: string;
  readonly subjectAttributes: readonly NameAttribute[];
  readonly issuer: string;
  /** Lower-case hex, no separators. */
  readonly serialNumber: string;
  /** The SubjectKeyIdentifier extension, hex; null when the certificate has none. */
  readonly subjectKeyIdentifier: string | null;
  /** RFC 5280 method 1 over the public key, hex (equal to subjectKeyIdentifier for our certificates). */
  readonly keyIdentifier: string;
  readonly authorityKeyIdentifier: string | null;
  /** SHA-256 of the DER, lower-case hex. */
  readonly fingerprintSha256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly keyType: 'ec' | 'rsa';
  /** e.g. "EC P-256", "RSA 3072". */
  readonly key: string;
  readonly keyBits: number;
  readonly signatureAlgorithm: string;
  readonly isCa: boolean;
  readonly pathLength: number | null;
  readonly keyUsage: readonly string[];
  readonly extendedKeyUsage: readonly string[];
  readonly subjectAltNames: readonly string[];
  /** The subject's serialNumber attribute (2.5.4.5), where our certificates carry the site's matricule. */
  readonly matricule: string | null;
  readonly selfIssued: boolean;
}

export function certificateInfo(certificate: ParsedCertificate): CertificateInfo {
  return {
    subject: certificate.subject,
    subjectAttributes: nameAttributes(certificate.structure.subject),
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    subjectKeyIdentifier: certificate.subjectKeyIdentifier ? toHex(certificate.subjectKeyIdentifier) : null,
    keyIdentifier: toHex(certificate.keyIdentifier),
    authorityKeyIdentifier: certificate.authorityKeyIdentifier
      ? toHex(certificate.authorityKeyIdentifier)
      : null,
    fingerprintSha256: certificate.fingerprintSha256,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    keyType: certificate.key.type,
    key: certificate.key.label,
    keyBits: certificate.key.bits,
    signatureAlgorithm: algorithmName(certificate.structure.signatureAlgorithm.algorithmId),
    isCa: certificate.isCa,
    pathLength: certificate.basicConstraints?.pathLength ?? null,
    keyUsage: [...(certificate.keyUsage ?? [])],
    extendedKeyUsage: (certificate.extendedKeyUsage ?? []).map((oid) => EXTENDED_KEY_USAGE_NAMES[oid] ?? oid),
    subjectAltNames: certificate.subjectAltNames,
    matricule: certificate.matricule ?? null,
    selfIssued: certificate.selfIssued,
  };
}

function algorithmName(oid: string): string {
  return SIGNATURE_NAMES[oid] ?? oid;
}

/** Inspects a certificate (PEM or DER). */
export function inspectCertificate(input: PemOrDer): Result<CertificateInfo> {
  return attempt(() => certificateInfo(readCertificate(input)));
}

function colons(hex: string): string {
  return (hex.match(/../g) ?? []).join(':').toUpperCase();
}

/** A certificate's information as text, one field a line. */
export function formatCertificateInfo(info: CertificateInfo): string {
  const lines = [
    `Subject:            ${info.subject}`,
    `Issuer:             ${info.issuer}`,
    `Serial number:      ${colons(info.serialNumber)}`,
    `Valid from:         ${info.notBefore}`,
    `Valid until:        ${info.notAfter}`,
    `Key:                ${info.key}`,
    `Signature:          ${info.signatureAlgorithm}`,
    `Subject key id:     ${info.subjectKeyIdentifier ? colons(info.subjectKeyIdentifier) : '(none)'}`,
    `Authority key id:   ${info.authorityKeyIdentifier ? colons(info.authorityKeyIdentifier) : '(none)'}`,
    `SHA-256 fingerprint: ${colons(info.fingerprintSha256)}`,
    `CA:                 ${info.isCa ? `yes${info.pathLength === null ? '' : `, path length ${info.pathLength}`}` : 'no'}`,
    `Key usage:          ${info.keyUsage.join(', ') || '(any)'}`,
    `Extended key usage: ${info.extendedKeyUsage.join(', ') || '(any)'}`,
  ];
  if (info.subjectAltNames.length > 0) lines.push(`Alternative names:  ${info.subjectAltNames.join(', ')}`);
  if (info.matricule !== null) lines.push(`Matricule:          ${info.matricule}`);
  return `${lines.join('\n')}\n`;
}

/** What a certificate request says, JSON-friendly (its signature has been checked). */
export interface CertificateRequestInfo {
  readonly subject: string;
  readonly subjectAttributes: readonly NameAttribute[];
  readonly matricule: string | null;
  readonly keyType: 'ec' | 'rsa';
  readonly key: string;
  readonly keyBits: number;
  /** RFC 5280 method 1, what the issued certificate's SubjectKeyIdentifier will be. */
  readonly subjectKeyIdentifier: string;
  readonly signatureAlgorithm: string;
}

export function certificateRequestInfo(request: ParsedCertificateRequest): CertificateRequestInfo {
  return {
    subject: request.subject,
    subjectAttributes: request.subjectAttributes,
    matricule: request.matricule ?? null,
    keyType: request.key.type,
    key: request.key.label,
    keyBits: request.key.bits,
    subjectKeyIdentifier: request.subjectKeyIdentifier,
    signatureAlgorithm: algorithmName(request.structure.signatureAlgorithm.algorithmId),
  };
}

/** Inspects a PKCS#10 request (PEM or DER), checking its signature. */
export function inspectCertificateRequest(input: PemOrDer): Result<CertificateRequestInfo> {
  return attempt(() => certificateRequestInfo(readCertificateRequest(input)));
}

export function formatCertificateRequestInfo(info: CertificateRequestInfo): string {
  const lines = [
    `Subject:          ${info.subject}`,
    `Key:              ${info.key}`,
    `Signature:        ${info.signatureAlgorithm} (verified)`,
    `Subject key id:   ${colons(info.subjectKeyIdentifier)}`,
  ];
  if (info.matricule !== null) lines.push(`Matricule:        ${info.matricule}`);
  return `${lines.join('\n')}\n`;
}

/** What a CRL says, JSON-friendly. */
export interface RevocationListInfo {
  readonly issuer: string;
  readonly thisUpdate: string;
  readonly nextUpdate: string | null;
  /** Decimal. */
  readonly crlNumber: string | null;
  readonly authorityKeyIdentifier: string | null;
  readonly signatureAlgorithm: string;
  readonly revoked: ReadonlyArray<{ serialNumber: string; revocationDate: string; reason: string | null }>;
}

export function revocationListInfo(list: ParsedRevocationList): RevocationListInfo {
  return {
    issuer: list.issuer,
    thisUpdate: list.thisUpdate.toISOString(),
    nextUpdate: list.nextUpdate?.toISOString() ?? null,
    crlNumber: list.crlNumber?.toString() ?? null,
    authorityKeyIdentifier: list.authorityKeyIdentifier ? toHex(list.authorityKeyIdentifier) : null,
    signatureAlgorithm: algorithmName(list.structure.signatureAlgorithm.algorithmId),
    revoked: [...list.revoked.values()].map((revocation: Revocation) => ({
      serialNumber: revocation.serialNumber,
      revocationDate: revocation.revocationDate.toISOString(),
      reason: revocation.reason ?? null,
    })),
  };
}

/** Inspects a CRL (PEM or DER) without checking its signature (TrustStore.loadRevocationList does). */
export function inspectRevocationList(input: PemOrDer): Result<RevocationListInfo> {
  return attempt(() => revocationListInfo(readRevocationList(input)));
}

export function formatRevocationListInfo(info: RevocationListInfo): string {
  const lines = [
    `Issuer:        ${info.issuer}`,
    `CRL number:    ${info.crlNumber ?? '(none)'}`,
    `This update:   ${info.thisUpdate}`,
    `Next update:   ${info.nextUpdate ?? '(none)'}`,
    `Signature:     ${info.signatureAlgorithm}`,
    `Revoked:       ${info.revoked.length === 0 ? '(none)' : ''}`,
    ...info.revoked.map(
      (entry) =>
        `  ${colons(entry.serialNumber)}  ${entry.revocationDate}${entry.reason ? `  ${entry.reason}` : ''}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
