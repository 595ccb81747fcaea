import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  generateKeyPair as nodeGenerateKeyPair,
} from 'node:crypto';
import * as asn1js from 'asn1js';
import { type PemOrDer, parseAsn1, readDer, toPem } from './encoding.js';
import { attempt, decoding, PkiError, type Result } from './errors.js';
import {
  decryptPrivateKeyInfo,
  encryptPrivateKeyInfo,
  isEncryptedPrivateKeyInfo,
  type PasswordEncryptionOptions,
} from './password-encryption.js';

export type EcCurve = 'P-256' | 'P-384' | 'P-521';
export type RsaModulusLength = 2048 | 3072 | 4096;

/** What key to make: ECDSA P-256 unless told otherwise. */
export type KeySpec =
  | { readonly type: 'ec'; readonly curve?: EcCurve }
  | { readonly type: 'rsa'; readonly modulusLength?: RsaModulusLength };

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A key's algorithm and size, e.g. `{ type: 'ec', curve: 'P-256', bits: 256, label: 'EC P-256' }`. */
export interface KeyDescription {
  readonly type: 'ec' | 'rsa';
  readonly curve?: EcCurve;
  readonly bits: number;
  readonly label: string;
}

const NODE_CURVES: Readonly<Record<string, EcCurve>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};
const CURVE_BITS: Readonly<Record<EcCurve, number>> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };
const MIN_RSA_BITS = 2048;

/** Generates a key pair (ECDSA P-256 by default; RSA 2048/3072/4096), off the main thread. */
export function generateKeyPair(spec: KeySpec = { type: 'ec' }): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      error
        ? reject(new PkiError('invalid-argument', { detail: error.message, cause: error }))
        : resolve({ publicKey, privateKey });
    if (spec.type === 'ec') {
      const curve = spec.curve ?? 'P-256';
      if (!(curve in CURVE_BITS)) {
        reject(new PkiError('unsupported-key', { detail: `curve ${curve}` }));
        return;
      }
      nodeGenerateKeyPair('ec', { namedCurve: curve }, done);
    } else if (spec.type === 'rsa') {
      const modulusLength = spec.modulusLength ?? 3072;
      if (![2048, 3072, 4096].includes(modulusLength)) {
        reject(new PkiError('unsupported-key', { detail: `RSA modulus length ${modulusLength}` }));
        return;
      }
      nodeGenerateKeyPair('rsa', { modulusLength, publicExponent: 0x10001 }, done);
    } else {
      reject(new PkiError('unsupported-key', { detail: `key type ${(spec as { type: string }).type}` }));
    }
  });
}

/** The algorithm and size of a key; throws PkiError `unsupported-key` for anything but EC P-256/384/521 and RSA >= 2048. */
export function describeKey(key: KeyObject): KeyDescription {
  if (key.asymmetricKeyType === 'ec') {
    const curve = NODE_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve)
      throw new PkiError('unsupported-key', { detail: `EC curve ${key.asymmetricKeyDetails?.namedCurve}` });
    return { type: 'ec', curve, bits: CURVE_BITS[curve], label: `EC ${curve}` };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw new PkiError('unsupported-key', { detail: `RSA ${bits} bits` });
    return { type: 'rsa', bits, label: `RSA ${bits}` };
  }
  throw new PkiError('unsupported-key', { detail: `key type ${key.asymmetricKeyType ?? key.type}` });
}

/** The public half of a key (a public key is returned as is). */
export function publicKeyOf(key: KeyObject): KeyObject {
  return key.type === 'public' ? key : createPublicKey(key);
}

/** The SubjectPublicKeyInfo DER of a key (private keys give their public half). */
export function subjectPublicKeyInfo(key: KeyObject): Uint8Array {
  return new Uint8Array(publicKeyOf(key).export({ type: 'spki', format: 'der' }));
}

/** True when both keys have the same public half. */
export function keysMatch(left: KeyObject, right: KeyObject): boolean {
  return Buffer.compare(subjectPublicKeyInfo(left), subjectPublicKeyInfo(right)) === 0;
}

/**
 * The SubjectKeyIdentifier by RFC 5280 section 4.2.1.2 method 1: the SHA-1 of the subjectPublicKey
 * BIT STRING's bits (not of the whole SubjectPublicKeyInfo). This is what pkijs's SignedData and
 * OpenSSL (`subjectKeyIdentifier=hash`) use to match a signer.
 */
export function computeSubjectKeyIdentifier(spki: Uint8Array | KeyObject): Uint8Array {
  const der = spki instanceof Uint8Array ? spki : subjectPublicKeyInfo(spki);
  const node = parseAsn1(der, 'SubjectPublicKeyInfo');
  const bits = node instanceof asn1js.Sequence ? node.valueBlock.value[1] : undefined;
  if (!(bits instanceof asn1js.BitString)) {
    throw new PkiError('malformed-der', {
      detail: 'SubjectPublicKeyInfo: expected SEQUENCE { algorithm, BIT STRING }',
    });
  }
  return keyIdentifierOfBits(bits.valueBlock.valueHexView);
}

/** Method 1 from the subjectPublicKey bits themselves (for callers that already parsed the SPKI). */
export function keyIdentifierOfBits(subjectPublicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(subjectPublicKey).digest());
}

// ---------------------------------------------------------------------------------------------
// Private keys at rest

interface EncryptedExport extends PasswordEncryptionOptions {
  /** The passphrase that encrypts the key (PBES2, AES-256-CBC); `null` writes it in clear, deliberately. */
  readonly passphrase: string | null;
}

/**
 * A private key as PKCS#8: encrypted with the passphrase (PBES2: PBKDF2-HMAC-SHA-256 or scrypt,
 * AES-256-CBC) unless the passphrase is explicitly `null`. PEM ("ENCRYPTED PRIVATE KEY") by default.
 */
export function exportPrivateKey(
  key: KeyObject,
  options: EncryptedExport & { readonly format?: 'pem' },
): string;
export function exportPrivateKey(
  key: KeyObject,
  options: EncryptedExport & { readonly format: 'der' },
): Uint8Array;
export function exportPrivateKey(
  key: KeyObject,
  options: EncryptedExport & { readonly format?: 'pem' | 'der' },
): string | Uint8Array {
  if (key.type !== 'private')
    throw new PkiError('invalid-argument', { detail: 'exportPrivateKey needs a private key' });
  if (options.passphrase !== null && typeof options.passphrase !== 'string') {
    throw new PkiError('passphrase-required', {
      detail: 'pass a passphrase, or null to write the key in clear',
    });
  }
  if (options.passphrase === '') {
    throw new PkiError('invalid-argument', {
      detail: 'an empty passphrase does not protect the key; pass null to mean it',
    });
  }
  const plain = new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
  const der = options.passphrase === null ? plain : encryptPrivateKeyInfo(plain, options.passphrase, options);
  if (options.format === 'der') return der;
  return toPem(der, options.passphrase === null ? 'PRIVATE KEY' : 'ENCRYPTED PRIVATE KEY');
}

const PRIVATE_KEY_LABELS = ['ENCRYPTED PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY'];

/** Reads a DER or PEM private key; throws PkiError. */
export function readPrivateKey(input: PemOrDer, passphrase?: string): KeyObject {
  const { der, label } = readDer(input, PRIVATE_KEY_LABELS);
  let plain = der;
  let decrypted = false;
  if (label === 'EC PRIVATE KEY' || label === 'RSA PRIVATE KEY') {
    return checked(() =>
      createPrivateKey({
        key: Buffer.from(der),
        format: 'der',
        type: label === 'EC PRIVATE KEY' ? 'sec1' : 'pkcs1',
      }),
    );
  }
  const node = parseAsn1(der, 'private key');
  if (label === 'ENCRYPTED PRIVATE KEY' || (label === undefined && isEncryptedPrivateKeyInfo(node))) {
    if (passphrase === undefined) throw new PkiError('passphrase-required');
    plain = decryptPrivateKeyInfo(node, passphrase);
    decrypted = true;
  }
  const types =
    label === undefined && !decrypted ? (['pkcs8', 'sec1', 'pkcs1'] as const) : (['pkcs8'] as const);
  let lastError: unknown;
  for (const type of types) {
    try {
      const key = createPrivateKey({ key: Buffer.from(plain), format: 'der', type });
      describeKey(key);
      return key;
    } catch (error) {
      if (PkiError.isInstance(error)) throw error;
      lastError = error;
    }
  }
  // A wrong passphrase sometimes decrypts to well-padded garbage: that is still a wrong passphrase.
  if (decrypted) throw new PkiError('wrong-passphrase', { cause: lastError });
  throw new PkiError('malformed-der', {
    detail: 'not a PKCS#8, SEC1 or PKCS#1 private key',
    cause: lastError,
  });
}

function checked(make: () => KeyObject): KeyObject {
  let key: KeyObject;
  try {
    key = make();
  } catch (cause) {
    throw new PkiError('malformed-der', { detail: 'private key', cause });
  }
  describeKey(key);
  return key;
}

/**
 * Reads a private key: PKCS#8 (encrypted with PBES2 or PKCS#12 3DES, or clear), or OpenSSL's
 * traditional "EC PRIVATE KEY"/"RSA PRIVATE KEY" in clear; PEM or DER.
 */
export function importPrivateKey(
  input: PemOrDer,
  options: { readonly passphrase?: string } = {},
): Result<KeyObject> {
  return attempt(() => decoding('private key', () => readPrivateKey(input, options.passphrase)));
}

/** A public key as SubjectPublicKeyInfo, PEM ("PUBLIC KEY") by default. */
export function exportPublicKey(key: KeyObject, format?: 'pem'): string;
export function exportPublicKey(key: KeyObject, format: 'der'): Uint8Array;
export function exportPublicKey(key: KeyObject, format: 'pem' | 'der' = 'pem'): string | Uint8Array {
  const der = subjectPublicKeyInfo(key);
  return format === 'der' ? der : toPem(der, 'PUBLIC KEY');
}

/** Reads a SubjectPublicKeyInfo, PEM or DER. */
export function importPublicKey(input: PemOrDer): Result<KeyObject> {
  return attempt(() => {
    const { der } = readDer(input, ['PUBLIC KEY']);
    parseAsn1(der, 'public key');
    let key: KeyObject;
    try {
      key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    } catch (cause) {
      throw new PkiError('malformed-der', { detail: 'public key', cause });
    }
    describeKey(key);
    return key;
  });
}
