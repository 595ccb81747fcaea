import type { KeyObject } from 'node:crypto';
import { SdcError, type SdcErrorCode } from './errors.js';

/** The signer a resolver vouches for; @xmcomm/pki's TrustStore returns this shape. */
export interface TrustedSigner {
  certificate: Uint8Array;
  publicKey: KeyObject;
  subjectKeyIdentifier: Uint8Array;
  subject: string;
  /** The site the certificate belongs to, when the certificate says so. */
  matricule?: string;
  notAfter: Date;
}

export type SignerCheck =
  | { ok: true; signer: TrustedSigner }
  | { ok: false; error: { code: string; message?: string } };

/**
 * Finds and validates a signer by SubjectKeyIdentifier. @xmcomm/pki's TrustStore satisfies it;
 * any other store with this method will do (sync or async).
 */
export interface SignerResolver {
  checkSigner(
    subjectKeyIdentifier: Uint8Array,
    options?: { at?: Date; embeddedCertificates?: readonly Uint8Array[] },
  ): SignerCheck | Promise<SignerCheck>;
}

const CODE_MAP: Readonly<Record<string, SdcErrorCode>> = {
  'unknown-signer': 'unknown-signer',
  'untrusted-signer': 'untrusted-signer',
  expired: 'expired-signer',
  'not-yet-valid': 'expired-signer',
  'expired-signer': 'expired-signer',
  revoked: 'revoked-signer',
  'revoked-signer': 'revoked-signer',
};

/** A resolver's failure as our code: anything we do not recognise is an untrusted signer, never a pass. */
export function signerFailure(error: { code: string; message?: string }): SdcError {
  return new SdcError(CODE_MAP[error.code] ?? 'untrusted-signer', error.message ?? error.code, {
    cause: error,
  });
}
