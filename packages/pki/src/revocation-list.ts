import * as asn1js from 'asn1js';
import { CertificateRevocationList } from 'pkijs';
import { copyBytes, type PemOrDer, parseAsn1, readDer, toHex, toPem } from './encoding.js';
import { decoding, PkiError } from './errors.js';
import { formatName, nameKey } from './name.js';
import { OID } from './oids.js';

/** RFC 5280 CRLReason, by name. */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

const REASON_NAMES = new Map<number, RevocationReason>(
  Object.entries(REVOCATION_REASONS).map(([name, code]) => [code, name as RevocationReason]),
);

/** One revoked certificate: serial number (lower-case hex, as in CertificateInfo), date, reason. */
export interface Revocation {
  readonly serialNumber: string;
  readonly revocationDate: Date;
  readonly reason?: RevocationReason;
}

const UNDERSTOOD_CRL_EXTENSIONS = new Set<string>([OID.authorityKeyIdentifier, OID.crlNumber]);

export interface ParsedRevocationList {
  readonly der: Uint8Array;
  readonly structure: CertificateRevocationList;
  readonly issuer: string;
  readonly issuerKey: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** The cRLNumber extension, as a decimal string (it may exceed 2^53). */
  readonly crlNumber: bigint | undefined;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  /** Revoked serial numbers (lower-case hex) with their entries. */
  readonly revoked: ReadonlyMap<string, Revocation>;
  readonly unknownCriticalExtensions: readonly string[];
}

function bigIntOf(integer: asn1js.Integer): bigint {
  const bytes = integer.valueBlock.valueHexView;
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

/** Reads a CRL, PEM ("X509 CRL") or DER, without checking its signature; throws PkiError. */
export function readRevocationList(input: PemOrDer): ParsedRevocationList {
  return decoding('CRL', () => readRevocationListUnguarded(input));
}

function readRevocationListUnguarded(input: PemOrDer): ParsedRevocationList {
  const der = copyBytes(readDer(input, ['X509 CRL']).der);
  const node = parseAsn1(der, 'CRL');
  let structure: CertificateRevocationList;
  try {
    structure = new CertificateRevocationList({ schema: node });
  } catch (cause) {
    throw new PkiError('malformed-der', { detail: 'not an X.509 CRL', cause });
  }
  let crlNumber: bigint | undefined;
  let authorityKeyIdentifier: Uint8Array | undefined;
  const unknownCriticalExtensions: string[] = [];
  for (const extension of structure.crlExtensions?.extensions ?? []) {
    const value = parseAsn1(extension.extnValue.valueBlock.valueHexView, `CRL extension ${extension.extnID}`);
    if (extension.extnID === OID.crlNumber) {
      if (!(value instanceof asn1js.Integer)) throw new PkiError('malformed-der', { detail: 'cRLNumber' });
      crlNumber = bigIntOf(value);
    } else if (extension.extnID === OID.authorityKeyIdentifier) {
      const keyIdentifier =
        value instanceof asn1js.Sequence
          ? value.valueBlock.value.find((item) => item.idBlock.tagClass === 3 && item.idBlock.tagNumber === 0)
          : undefined;
      if (keyIdentifier) {
        authorityKeyIdentifier = copyBytes(
          (keyIdentifier.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView,
        );
      }
    } else if (extension.critical && !UNDERSTOOD_CRL_EXTENSIONS.has(extension.extnID)) {
      unknownCriticalExtensions.push(extension.extnID);
    }
  }
  const revoked = new Map<string, Revocation>();
  for (const entry of structure.revokedCertificates ?? []) {
    const serialNumber = toHex(entry.userCertificate.valueBlock.valueHexView);
    let reason: RevocationReason | undefined;
    for (const extension of entry.crlEntryExtensions?.extensions ?? []) {
      if (extension.extnID === OID.crlReason) {
        const value = parseAsn1(extension.extnValue.valueBlock.valueHexView, 'CRL reason');
        if (value instanceof asn1js.Enumerated) reason = REASON_NAMES.get(value.valueBlock.valueDec);
      } else if (extension.critical) {
        unknownCriticalExtensions.push(extension.extnID);
      }
    }
    revoked.set(serialNumber, {
      serialNumber,
      revocationDate: entry.revocationDate.value,
      ...(reason === undefined ? {} : { reason }),
    });
  }
  return {
    der,
    structure,
    issuer: formatName(structure.issuer),
    issuerKey: nameKey(structure.issuer),
    thisUpdate: structure.thisUpdate.value,
    nextUpdate: structure.nextUpdate?.value,
    crlNumber,
    authorityKeyIdentifier,
    revoked,
    unknownCriticalExtensions,
  };
}

/** A DER CRL as PEM text. */
export function revocationListToPem(der: Uint8Array): string {
  return toPem(der, 'X509 CRL');
}
