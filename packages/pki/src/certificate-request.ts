import { createPublicKey, type KeyObject } from 'node:crypto';
import { Attribute, CertificationRequest, Extensions, PublicKeyInfo } from 'pkijs';
import { copyBytes, type PemOrDer, parseAsn1, readDer, toHex, toPem } from './encoding.js';
import { decoding, PkiError } from './errors.js';
import { subjectAltNameExtension } from './extensions.js';
import { computeSubjectKeyIdentifier, describeKey, type KeyDescription } from './keys.js';
import {
  buildName,
  formatName,
  MATRICULE_ATTRIBUTE,
  type NameAttribute,
  type NameInput,
  nameAttribute,
  nameAttributes,
  nameInputAttributes,
} from './name.js';
import { OID } from './oids.js';
import { asSigner, type SigningKey, signatureBits, signingAlgorithm, verifySignature } from './signature.js';

export interface CertificateRequestOptions {
  /** The key the certificate will be for; it signs the request (proof of possession). */
  readonly privateKey: KeyObject | SigningKey;
  /** The subject; for a site, its matricule (CN and serialNumber). */
  readonly subject: NameInput;
  /** Requested e-mail addresses and DNS names (subjectAltName); the CA decides what it keeps. */
  readonly emails?: readonly string[];
  readonly dnsNames?: readonly string[];
}

/** Creates a PKCS#10 certificate request, signed with the key (SHA-256 for P-256 and RSA). DER. */
export async function createCertificateRequest(options: CertificateRequestOptions): Promise<Uint8Array> {
  const signer = asSigner(options.privateKey);
  const spki = new Uint8Array(signer.publicKey.export({ type: 'spki', format: 'der' }));
  const attributes: Attribute[] = [];
  const emails = options.emails ?? [];
  const dnsNames = options.dnsNames ?? [];
  if (emails.length > 0 || dnsNames.length > 0) {
    attributes.push(
      new Attribute({
        type: OID.extensionRequest,
        values: [new Extensions({ extensions: [subjectAltNameExtension(emails, dnsNames)] }).toSchema()],
      }),
    );
  }
  const request = new CertificationRequest({
    version: 0,
    subject: buildName(nameInputAttributes(options.subject)),
    subjectPublicKeyInfo: PublicKeyInfo.fromBER(spki),
    attributes,
  });
  const { hash, algorithm } = signingAlgorithm(signer);
  // encodeTBS is protected in the typings: the first element of the freshly encoded request is its TBS.
  request.tbsView = new Uint8Array(request.toSchema(true).valueBlock.value[0]!.toBER());
  request.signatureAlgorithm = algorithm;
  request.signatureValue = await signatureBits(signer, request.tbsView, hash);
  return new Uint8Array(request.toSchema().toBER());
}

/** A DER certificate request as PEM text. */
export function certificateRequestToPem(der: Uint8Array): string {
  return toPem(der, 'CERTIFICATE REQUEST');
}

/** A verified certificate request: its signature checked (the requester holds the key). */
export interface ParsedCertificateRequest {
  readonly der: Uint8Array;
  readonly structure: CertificationRequest;
  readonly subject: string;
  readonly subjectAttributes: readonly NameAttribute[];
  readonly matricule: string | undefined;
  readonly publicKey: KeyObject;
  readonly key: KeyDescription;
  /** RFC 5280 method 1 over the requested public key, hex. */
  readonly subjectKeyIdentifier: string;
}

/** Reads and verifies a PKCS#10 request (PEM "CERTIFICATE REQUEST" or DER); throws PkiError. */
export function readCertificateRequest(input: PemOrDer): ParsedCertificateRequest {
  return decoding('certificate request', () => readCertificateRequestUnguarded(input));
}

function readCertificateRequestUnguarded(input: PemOrDer): ParsedCertificateRequest {
  const { der: raw } = readDer(input, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
  const der = copyBytes(raw);
  const node = parseAsn1(der, 'certificate request');
  let structure: CertificationRequest;
  let publicKey: KeyObject;
  try {
    structure = new CertificationRequest({ schema: node });
  } catch (cause) {
    throw new PkiError('malformed-der', { detail: 'not a PKCS#10 certificate request', cause });
  }
  const spki = new Uint8Array(structure.subjectPublicKeyInfo.toSchema().toBER());
  try {
    publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new PkiError('malformed-der', { detail: 'certificate request public key', cause });
  }
  const key = describeKey(publicKey);
  const signature = structure.signatureValue.valueBlock.valueHexView;
  if (!verifySignature(publicKey, structure.signatureAlgorithm, structure.tbsView, signature)) {
    throw new PkiError('bad-signature', { detail: 'the certificate request is not signed by its key' });
  }
  return {
    der,
    structure,
    subject: formatName(structure.subject),
    subjectAttributes: nameAttributes(structure.subject),
    matricule: nameAttribute(structure.subject, MATRICULE_ATTRIBUTE),
    publicKey,
    key,
    subjectKeyIdentifier: toHex(computeSubjectKeyIdentifier(spki)),
  };
}
