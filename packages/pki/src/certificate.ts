import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AltName, Certificate, type Extension } from 'pkijs';
import { copyBytes, type PemOrDer, parseAsn1, readAllDer, readDer, toHex, toPem } from './encoding.js';
import { attempt, decoding, PkiError, type Result } from './errors.js';
import { describeKey, type KeyDescription, keyIdentifierOfBits } from './keys.js';
import { formatName, MATRICULE_ATTRIBUTE, nameAttribute, nameKey } from './name.js';
import { OID } from './oids.js';

/** The nine key usage bits of RFC 5280, in bit order. */
export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export type KeyUsage = (typeof KEY_USAGES)[number];

export interface BasicConstraintsValue {
  readonly ca: boolean;
  readonly pathLength?: number;
}

/** Extensions we understand; a critical one outside this list makes a certificate unacceptable. */
const UNDERSTOOD_EXTENSIONS = new Set<string>([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.basicConstraints,
  OID.certificatePolicies,
  OID.authorityKeyIdentifier,
  OID.extKeyUsage,
]);

/** A parsed certificate with everything validation and inspection need, computed once. */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly structure: Certificate;
  readonly publicKey: KeyObject;
  readonly key: KeyDescription;
  readonly subject: string;
  readonly issuer: string;
  /** Name-matching keys (see nameKey). */
  readonly subjectKey: string;
  readonly issuerKey: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The SubjectKeyIdentifier extension's value, if present. */
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  /** RFC 5280 method 1 over the certificate's public key. */
  readonly keyIdentifier: Uint8Array;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  readonly basicConstraints: BasicConstraintsValue | undefined;
  readonly keyUsage: ReadonlySet<KeyUsage> | undefined;
  readonly extendedKeyUsage: readonly string[] | undefined;
  readonly subjectAltNames: readonly string[];
  readonly unknownCriticalExtensions: readonly string[];
  readonly fingerprintSha256: string;
  readonly matricule: string | undefined;
  readonly isCa: boolean;
  readonly selfIssued: boolean;
  readonly x509: X509Certificate;
}

function extensionValue(extension: Extension): asn1js.AsnType {
  return parseAsn1(extension.extnValue.valueBlock.valueHexView, `extension ${extension.extnID}`);
}

function parseKeyUsage(node: asn1js.AsnType): Set<KeyUsage> {
  if (!(node instanceof asn1js.BitString))
    throw new PkiError('malformed-der', { detail: 'keyUsage: expected a BIT STRING' });
  const bytes = node.valueBlock.valueHexView;
  const usages = new Set<KeyUsage>();
  KEY_USAGES.forEach((usage, bit) => {
    const byte = bytes[bit >> 3] ?? 0;
    if (byte & (0x80 >> (bit & 7))) usages.add(usage);
  });
  return usages;
}

function parseBasicConstraints(node: asn1js.AsnType): BasicConstraintsValue {
  if (!(node instanceof asn1js.Sequence))
    throw new PkiError('malformed-der', { detail: 'basicConstraints: expected a SEQUENCE' });
  let ca = false;
  let pathLength: number | undefined;
  for (const item of node.valueBlock.value) {
    if (item instanceof asn1js.Boolean) ca = item.valueBlock.value;
    else if (item instanceof asn1js.Integer) pathLength = item.valueBlock.valueDec;
    else throw new PkiError('malformed-der', { detail: 'basicConstraints: unexpected field' });
  }
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

function parseExtendedKeyUsage(node: asn1js.AsnType): string[] {
  if (!(node instanceof asn1js.Sequence))
    throw new PkiError('malformed-der', { detail: 'extKeyUsage: expected a SEQUENCE' });
  return node.valueBlock.value.map((item) => {
    if (!(item instanceof asn1js.ObjectIdentifier))
      throw new PkiError('malformed-der', { detail: 'extKeyUsage: expected OIDs' });
    return item.valueBlock.toString();
  });
}

function parseAuthorityKeyIdentifier(node: asn1js.AsnType): Uint8Array | undefined {
  if (!(node instanceof asn1js.Sequence))
    throw new PkiError('malformed-der', { detail: 'authorityKeyIdentifier: expected a SEQUENCE' });
  const keyIdentifier = node.valueBlock.value.find(
    (item) => item.idBlock.tagClass === 3 && item.idBlock.tagNumber === 0,
  );
  if (!keyIdentifier) return undefined;
  return copyBytes((keyIdentifier.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView);
}

function parseSubjectAltNames(node: asn1js.AsnType): string[] {
  const names = new AltName({ schema: node });
  return names.altNames.map((name) => {
    switch (name.type) {
      case 1:
        return `email:${name.value}`;
      case 2:
        return `DNS:${name.value}`;
      case 6:
        return `URI:${name.value}`;
      case 7: {
        const bytes = (name.value as asn1js.OctetString).valueBlock.valueHexView;
        return `IP:${bytes.length === 4 ? Array.from(bytes).join('.') : toHex(bytes)}`;
      }
      default:
        return `other:${name.type}`;
    }
  });
}

/** Parses one DER certificate; throws PkiError (`malformed-der`, `unsupported-key`). */
export function parseCertificateDer(input: Uint8Array): ParsedCertificate {
  return decoding('certificate', () => parseCertificateUnguarded(input));
}

function parseCertificateUnguarded(input: Uint8Array): ParsedCertificate {
  const der = copyBytes(input);
  const node = parseAsn1(der, 'certificate');
  let structure: Certificate;
  let x509: X509Certificate;
  try {
    structure = new Certificate({ schema: node });
    x509 = new X509Certificate(der);
  } catch (cause) {
    throw new PkiError('malformed-der', { detail: 'not an X.509 certificate', cause });
  }
  if (structure.signature.algorithmId !== structure.signatureAlgorithm.algorithmId) {
    throw new PkiError('malformed-der', { detail: 'the signed and the outer signature algorithms differ' });
  }
  const publicKey = x509.publicKey;
  const key = describeKey(publicKey);
  let subjectKeyIdentifier: Uint8Array | undefined;
  let authorityKeyIdentifier: Uint8Array | undefined;
  let basicConstraints: BasicConstraintsValue | undefined;
  let keyUsage: Set<KeyUsage> | undefined;
  let extendedKeyUsage: string[] | undefined;
  let subjectAltNames: string[] = [];
  const unknownCriticalExtensions: string[] = [];
  const seen = new Set<string>();
  try {
    for (const extension of structure.extensions ?? []) {
      if (seen.has(extension.extnID))
        throw new PkiError('malformed-der', { detail: `duplicate extension ${extension.extnID}` });
      seen.add(extension.extnID);
      switch (extension.extnID) {
        case OID.subjectKeyIdentifier: {
          const value = extensionValue(extension);
          if (!(value instanceof asn1js.OctetString))
            throw new PkiError('malformed-der', { detail: 'subjectKeyIdentifier' });
          subjectKeyIdentifier = copyBytes(value.valueBlock.valueHexView);
          break;
        }
        case OID.authorityKeyIdentifier:
          authorityKeyIdentifier = parseAuthorityKeyIdentifier(extensionValue(extension));
          break;
        case OID.basicConstraints:
          basicConstraints = parseBasicConstraints(extensionValue(extension));
          break;
        case OID.keyUsage:
          keyUsage = parseKeyUsage(extensionValue(extension));
          break;
        case OID.extKeyUsage:
          extendedKeyUsage = parseExtendedKeyUsage(extensionValue(extension));
          break;
        case OID.subjectAltName:
          subjectAltNames = parseSubjectAltNames(extensionValue(extension));
          break;
        default:
          if (extension.critical && !UNDERSTOOD_EXTENSIONS.has(extension.extnID)) {
            unknownCriticalExtensions.push(extension.extnID);
          }
      }
    }
  } catch (cause) {
    if (PkiError.isInstance(cause)) throw cause;
    throw new PkiError('malformed-der', { detail: 'certificate extensions', cause });
  }
  const subjectKey = nameKey(structure.subject);
  const issuerKey = nameKey(structure.issuer);
  return {
    der,
    structure,
    publicKey,
    key,
    subject: formatName(structure.subject),
    issuer: formatName(structure.issuer),
    subjectKey,
    issuerKey,
    serialNumber: toHex(structure.serialNumber.valueBlock.valueHexView),
    notBefore: structure.notBefore.value,
    notAfter: structure.notAfter.value,
    subjectKeyIdentifier,
    keyIdentifier: keyIdentifierOfBits(
      structure.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView,
    ),
    authorityKeyIdentifier,
    basicConstraints,
    keyUsage,
    extendedKeyUsage,
    subjectAltNames,
    unknownCriticalExtensions,
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
    matricule: nameAttribute(structure.subject, MATRICULE_ATTRIBUTE),
    isCa: basicConstraints?.ca === true,
    selfIssued: subjectKey === issuerKey,
    x509,
  };
}

/** Reads one certificate, PEM ("CERTIFICATE") or DER; throws PkiError. */
export function readCertificate(input: PemOrDer): ParsedCertificate {
  return parseCertificateDer(readDer(input, ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']).der);
}

/** Reads every certificate of a PEM bundle (or one DER certificate); throws PkiError. */
export function readCertificates(input: PemOrDer): ParsedCertificate[] {
  return readAllDer(input, ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']).map(
    parseCertificateDer,
  );
}

/** The DER of a certificate given as PEM or DER, checked to be a certificate. */
export function certificateDer(input: PemOrDer): Result<Uint8Array> {
  return attempt(() => readCertificate(input).der);
}

/** A DER certificate as PEM text. */
export function certificateToPem(der: Uint8Array): string {
  return toPem(der, 'CERTIFICATE');
}

/** The identifiers under which a signer with this certificate may be named: the SKI extension and method 1. */
export function keyIdentifiersOf(certificate: ParsedCertificate): Uint8Array[] {
  const identifiers = [certificate.keyIdentifier];
  const declared = certificate.subjectKeyIdentifier;
  if (declared && Buffer.compare(declared, certificate.keyIdentifier) !== 0) identifiers.push(declared);
  return identifiers;
}
