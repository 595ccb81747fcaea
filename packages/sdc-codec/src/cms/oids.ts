/** The object identifiers the container uses (RFC 5652, 5083, 5084, 5753, 8017, 3565). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  contentTypeAttribute: '1.2.840.113549.1.9.3',
  messageDigestAttribute: '1.2.840.113549.1.9.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecPublicKey: '1.2.840.10045.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  rsassaPss: '1.2.840.113549.1.1.10',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  aes256Wrap: '2.16.840.1.101.3.4.1.45',
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
  ecdhSha256Kdf: '1.3.132.1.11.1',
  subjectKeyIdentifier: '2.5.29.14',
} as const;

export const OID_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(OID).map(([name, oid]) => [oid, name]),
);
