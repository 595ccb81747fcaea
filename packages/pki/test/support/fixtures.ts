import type { KeyObject } from 'node:crypto';
import {
  CertificateAuthority,
  type CertificateProfile,
  createCertificateRequest,
  generateKeyPair,
  type IssuedCertificate,
  type KeySpec,
  type NameInput,
} from '../../src/index.js';

export interface Enrolled {
  readonly privateKey: KeyObject;
  readonly certificate: IssuedCertificate;
  /** The SubjectKeyIdentifier, as a signer would name itself in a CMS SignerInfo. */
  readonly ski: Uint8Array;
}

/** A site enrols as the platform does it: its own key pair, a CSR, a certificate from the CA. */
export async function enrol(
  ca: CertificateAuthority,
  options: {
    subject?: NameInput;
    profile?: CertificateProfile;
    key?: KeySpec;
    notBefore?: Date;
    notAfter?: Date;
  } = {},
): Promise<Enrolled> {
  const { privateKey } = await generateKeyPair(options.key ?? { type: 'ec' });
  const subject = options.subject ?? { matricule: 'CEC-0001' };
  const csr = await createCertificateRequest({ privateKey, subject });
  const certificate = await ca.issueCertificate({
    csr,
    profile: options.profile ?? 'site',
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    ...(options.notAfter ? { notAfter: options.notAfter } : {}),
  });
  return { privateKey, certificate, ski: certificate.subjectKeyIdentifier };
}

export function createRoot(
  commonName = 'XMcomm Test Root',
): ReturnType<typeof CertificateAuthority.createRoot> {
  return CertificateAuthority.createRoot({ subject: { country: 'CM', organization: 'XMcomm', commonName } });
}

export const DAY = 24 * 60 * 60 * 1000;
