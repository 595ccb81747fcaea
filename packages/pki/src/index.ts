export type { BasicConstraintsValue, KeyUsage } from './certificate.js';
export { certificateDer, certificateToPem, KEY_USAGES } from './certificate.js';
export type {
  CertificateAuthorityOptions,
  CertificateProfile,
  IssuedCertificate,
  IssueOptions,
  RootOptions,
} from './certificate-authority.js';
export { CertificateAuthority, endEntityKeyUsages } from './certificate-authority.js';
export type { CertificateRequestOptions } from './certificate-request.js';
export { certificateRequestToPem, createCertificateRequest } from './certificate-request.js';
export type { PemOrDer } from './encoding.js';
export { toPem } from './encoding.js';
export type { PkiErrorCode, PkiErrorOptions, Result } from './errors.js';
export { describePkiError, PKI_ERROR_CODES, PkiError, unwrap } from './errors.js';
export type { CertificateInfo, CertificateRequestInfo, RevocationListInfo } from './inspect.js';
export {
  formatCertificateInfo,
  formatCertificateRequestInfo,
  formatRevocationListInfo,
  inspectCertificate,
  inspectCertificateRequest,
  inspectRevocationList,
} from './inspect.js';
export type { EcCurve, KeyDescription, KeyPair, KeySpec, RsaModulusLength } from './keys.js';
export {
  computeSubjectKeyIdentifier,
  describeKey,
  exportPrivateKey,
  exportPublicKey,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  keysMatch,
} from './keys.js';
export type { Lock, LockoutPolicy, LockoutState, LoginDecision } from './lockout.js';
export { decideLogin, defaultLockoutPolicy, lockAfterFailure, lockInForce } from './lockout.js';
export type { NameAttribute, NameInput } from './name.js';
export { MATRICULE_ATTRIBUTE } from './name.js';
export type { KeyDerivation, PasswordEncryptionOptions } from './password-encryption.js';
export { hashPassword, verifyPassword } from './password-hash.js';
export type { ValidationPurpose } from './path-validation.js';
export type { Pkcs12Contents, Pkcs12ExportOptions } from './pkcs12.js';
export { exportPkcs12, importPkcs12 } from './pkcs12.js';
export type { Revocation, RevocationReason } from './revocation-list.js';
export { REVOCATION_REASONS, revocationListToPem } from './revocation-list.js';
export type { HashName, SigningKey } from './signature.js';
export type {
  SignerCheck,
  SignerCheckOptions,
  TrustedSigner,
  TrustStoreOptions,
  ValidateOptions,
  ValidationReport,
} from './trust-store.js';
export { TrustStore } from './trust-store.js';
