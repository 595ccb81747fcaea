import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { computeSubjectKeyIdentifier } from '@xmcomm/pki';
import { SdcError } from '../errors.js';
import {
  children,
  derSequence,
  isContext,
  type Node,
  octetString,
  oid,
  parse,
  raw,
  StructureError,
  sequence,
} from './der.js';
import { OID } from './oids.js';

/** A private key as integrators hold it: a KeyObject, or PEM/DER PKCS#8 (encrypted with a passphrase or not). */
export type PrivateKeyInput = KeyObject | string | Uint8Array;
/** A certificate as PEM text or DER bytes. */
export type CertificateInput = string | Uint8Array;

export function loadPrivateKey(key: PrivateKeyInput, passphrase?: string): KeyObject {
  if (key instanceof KeyObject) {
    if (key.type !== 'private') throw new SdcError('invalid-key', 'expected a private key');
    return key;
  }
  try {
    if (typeof key === 'string')
      return createPrivateKey({ key, format: 'pem', ...(passphrase === undefined ? {} : { passphrase }) });
    return createPrivateKey({
      key: Buffer.from(key),
      format: 'der',
      type: 'pkcs8',
      ...(passphrase === undefined ? {} : { passphrase }),
    });
  } catch (error) {
    throw new SdcError('invalid-key', 'the private key cannot be read (wrong passphrase?)', { cause: error });
  }
}

/** RFC 5280 method 1 (SHA-1 of the subjectPublicKey bits): what OpenSSL puts in certificates by default. */
export function subjectKeyIdentifierOf(publicKey: KeyObject): Uint8Array {
  return computeSubjectKeyIdentifier(publicKey);
}

export interface ParsedCertificate {
  der: Uint8Array;
  publicKey: KeyObject;
  /** From the certificate's extension when present, else computed (method 1). */
  subjectKeyIdentifier: Uint8Array;
  /** DER of IssuerAndSerialNumber, to match recipient and signer identifiers made without -keyid. */
  issuerAndSerialNumber: Uint8Array;
  x509: X509Certificate;
}

export function toDerCertificate(certificate: CertificateInput): Uint8Array {
  if (typeof certificate !== 'string') return certificate;
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(certificate);
  if (!match) throw new SdcError('invalid-key', 'no PEM certificate found');
  return Buffer.from((match[1] as string).replace(/\s+/g, ''), 'base64');
}

/** Every certificate in a PEM bundle. */
export function splitPemCertificates(pem: string): Uint8Array[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64'),
  );
}

export function parseCertificate(certificate: CertificateInput): ParsedCertificate {
  const der = toDerCertificate(certificate);
  try {
    const x509 = new X509Certificate(der);
    const tbs = sequence(sequence(parse(der), 'Certificate')[0], 'TBSCertificate');
    let index = tbs[0] && isContext(tbs[0], 0) ? 1 : 0;
    const serial = tbs[index++] as Node;
    index++; // signature algorithm
    const issuer = tbs[index++] as Node;
    const issuerAndSerialNumber = derSequence(raw(issuer), raw(serial));
    const publicKey = x509.publicKey;
    let subjectKeyIdentifier: Uint8Array | undefined;
    for (const field of tbs) {
      if (!isContext(field, 3)) continue;
      for (const extension of sequence(children(field, 'extensions')[0], 'Extensions')) {
        const parts = sequence(extension, 'Extension');
        if (oid(parts[0], 'extnID') === OID.subjectKeyIdentifier) {
          const value = octetString(parts[parts.length - 1], 'extnValue');
          subjectKeyIdentifier = octetString(parse(value), 'SubjectKeyIdentifier');
        }
      }
    }
    return {
      der,
      x509,
      publicKey,
      subjectKeyIdentifier: subjectKeyIdentifier ?? subjectKeyIdentifierOf(publicKey),
      issuerAndSerialNumber,
    };
  } catch (error) {
    if (SdcError.isInstance(error)) throw error;
    throw new SdcError('invalid-key', error instanceof StructureError ? error.message : 'not a certificate', {
      cause: error,
    });
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
