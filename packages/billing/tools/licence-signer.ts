// Publisher-side: signs licence keys. Lives outside `src`, so it is never part of the shipped package
// ("files": ["dist"] and tsconfig.build.json compile `src` only). Tests import it with their own keys.
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { type Licence, licencePayload, licencePrefix } from '../src/licence.js';

/** Signs a licence with the publisher's Ed25519 private key: `XMLIC1.<payload>.<signature>`. */
export function signLicence(licence: Licence, privateKey: KeyObject): string {
  const payload = Buffer.from(licencePayload(licence)).toString('base64url');
  const signature = sign(null, Buffer.from(`${licencePrefix}.${payload}`), privateKey);
  return `${licencePrefix}.${payload}.${signature.toString('base64url')}`;
}

/** A new publisher key pair; the private key PEM is encrypted PKCS#8 (PBES2: PBKDF2 and AES-256-CBC). */
export function generatePublisherKeys(passphrase: string): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase,
    }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

export function readPrivateKey(pem: string, passphrase: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem', passphrase });
}
