import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { type CertificateAuthority, computeSubjectKeyIdentifier, type IssuedCertificate } from '@xmcomm/pki';
import { BenchError } from './errors.js';

/** What `xm_system.certificates` records of a certificate, as xmserver's `recordCertificate` writes it. */
export interface CertificateRecord {
  readonly der: Uint8Array;
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly subjectKeyIdentifier: string;
  readonly fingerprintSha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface FastIssuer {
  /** Matricules must have the template's length (`matriculeLength`). */
  readonly matriculeLength: number;
  issue(matricule: string, publicKey: KeyObject): CertificateRecord;
}

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

function readTlv(bytes: Uint8Array, offset: number): Tlv {
  const tag = bytes[offset] ?? -1;
  let length = bytes[offset + 1] ?? 0;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[contentStart + i] ?? 0);
    contentStart += count;
  }
  return { tag, start: offset, contentStart, end: contentStart + length };
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

function replaceAll(haystack: Buffer, needle: Buffer, replacement: Buffer): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
    replacement.copy(haystack, at);
    count += 1;
  }
  return count;
}

/** The 65-byte uncompressed P-256 point at the end of a SubjectPublicKeyInfo. */
function publicPoint(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 65);
}

/**
 * Issues site certificates by the thousand: the CA issues one template through @xmcomm/pki, then
 * each certificate is that template's TBSCertificate with the serial number, the matricule (same
 * length), the public key and its key identifier replaced, signed with the CA key by node:crypto.
 * pkijs takes about 17 ms per certificate here, which is half an hour for 100,000 clients; this
 * takes well under a millisecond. The result is an ordinary certificate (the tests check it with
 * node:crypto and @xmcomm/pki); the benchmark uses it only to fill the register.
 */
export async function createFastIssuer(
  ca: CertificateAuthority,
  caPrivateKey: KeyObject,
  options: { readonly matriculeLength: number; readonly validityDays?: number },
): Promise<FastIssuer> {
  const templateMatricule = 'Q'.repeat(options.matriculeLength);
  const templateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const template: IssuedCertificate = await ca.issueCertificate({
    publicKey: templateKey.publicKey,
    profile: 'site',
    subject: { matricule: templateMatricule, commonName: templateMatricule },
    validityDays: options.validityDays ?? 365,
  });
  const der = Buffer.from(template.der);
  const certificate = readTlv(der, 0);
  const tbs = readTlv(der, certificate.contentStart);
  const algorithm = readTlv(der, tbs.end);
  const tbsBytes = der.subarray(tbs.start, tbs.end);
  const algorithmBytes = der.subarray(algorithm.start, algorithm.end);
  // Inside the TBSCertificate: [0] version, then the serial number INTEGER.
  const version = readTlv(der, tbs.contentStart);
  const serial = readTlv(der, version.end);
  if (version.tag !== 0xa0 || serial.tag !== 0x02)
    throw new BenchError('template-mismatch', 'no version and serial where expected');
  const serialOffset = serial.contentStart - tbs.start;
  const serialLength = serial.end - serial.contentStart;
  const templatePoint = publicPoint(templateKey.publicKey);
  const templateSki = Buffer.from(template.subjectKeyIdentifier);
  const templateName = Buffer.from(templateMatricule, 'latin1');
  const check = Buffer.from(tbsBytes);
  const names = replaceAll(check, templateName, templateName);
  if (
    names < 1 ||
    check.indexOf(templatePoint) === -1 ||
    check.indexOf(templateSki) === -1 ||
    !template.info.subject.includes(templateMatricule)
  )
    throw new BenchError('template-mismatch', 'the template lacks the matricule, key or key identifier');

  return {
    matriculeLength: options.matriculeLength,
    issue(matricule, publicKey) {
      if (matricule.length !== options.matriculeLength || !/^[A-Za-z0-9]+$/.test(matricule))
        throw new BenchError('invalid-argument', `matricule ${matricule} does not fit the template`);
      const body = Buffer.from(tbsBytes);
      const serialBytes = randomBytes(serialLength);
      serialBytes[0] = 0x01 + ((serialBytes[0] ?? 0) % 0x7e); // positive, no leading zero: same length
      serialBytes.copy(body, serialOffset);
      replaceAll(body, templateName, Buffer.from(matricule, 'latin1'));
      const point = publicPoint(publicKey);
      replaceAll(body, templatePoint, point);
      const ski = Buffer.from(computeSubjectKeyIdentifier(publicKey));
      replaceAll(body, templateSki, ski);
      const signature = sign('sha256', body, { key: caPrivateKey, dsaEncoding: 'der' });
      const issued = tlv(
        0x30,
        Buffer.concat([body, algorithmBytes, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]),
      );
      return {
        der: new Uint8Array(issued),
        subject: template.info.subject.split(templateMatricule).join(matricule),
        issuer: template.info.issuer,
        serialNumber: serialBytes.toString('hex'),
        subjectKeyIdentifier: ski.toString('hex'),
        fingerprintSha256: createHash('sha256').update(issued).digest('hex'),
        notBefore: new Date(template.info.notBefore),
        notAfter: new Date(template.info.notAfter),
      };
    },
  };
}
