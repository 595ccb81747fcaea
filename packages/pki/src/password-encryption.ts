import {
  createCipheriv,
  createDecipheriv,
  createHash,
  pbkdf2Sync,
  randomBytes,
  scryptSync,
} from 'node:crypto';
import * as asn1js from 'asn1js';
import { PkiError } from './errors.js';
import { OID } from './oids.js';

/**
 * Password-based encryption of keys at rest (PKCS#8 EncryptedPrivateKeyInfo, PKCS#12 bags):
 * PBES2 (RFC 8018) with PBKDF2 or scrypt and AES-CBC when we write; PBES2 and the PKCS#12
 * triple-DES scheme when we read. Built on Node's crypto and asn1js, so it is synchronous and
 * needs no WebCrypto engine.
 */

export type KeyDerivation = 'pbkdf2' | 'scrypt';

export interface PasswordEncryptionOptions {
  /** `pbkdf2` (HMAC-SHA-256; the default, read by every OpenSSL 3 and Windows) or `scrypt`. */
  readonly kdf?: KeyDerivation;
  /** PBKDF2 iterations; default 600,000 (OWASP 2023 for PBKDF2-HMAC-SHA-256). */
  readonly iterations?: number;
  /** scrypt cost N, a power of two; default 2^14, the most OpenSSL 3 accepts with its default memory cap. */
  readonly scryptCost?: number;
}

export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
const DEFAULT_SCRYPT_COST = 1 << 14;
const SCRYPT_BLOCK_SIZE = 8;
const SCRYPT_PARALLELISM = 1;
/** OpenSSL's scrypt memory cap; larger parameters would not be readable by `openssl`. */
const SCRYPT_MAX_MEMORY = 32 * 1024 * 1024;

const HMAC_HASHES: Readonly<Record<string, string>> = {
  [OID.hmacWithSha1]: 'sha1',
  [OID.hmacWithSha224]: 'sha224',
  [OID.hmacWithSha256]: 'sha256',
  [OID.hmacWithSha384]: 'sha384',
  [OID.hmacWithSha512]: 'sha512',
};

const CBC_CIPHERS: Readonly<Record<string, { name: string; keyLength: number }>> = {
  [OID.aes128Cbc]: { name: 'aes-128-cbc', keyLength: 16 },
  [OID.aes192Cbc]: { name: 'aes-192-cbc', keyLength: 24 },
  [OID.aes256Cbc]: { name: 'aes-256-cbc', keyLength: 32 },
  [OID.desEde3Cbc]: { name: 'des-ede3-cbc', keyLength: 24 },
};

/** A DER-encoded AlgorithmIdentifier and the ciphertext it describes. */
export interface PasswordEncrypted {
  readonly algorithm: asn1js.Sequence;
  readonly ciphertext: Uint8Array;
}

function integer(value: number): asn1js.Integer {
  return new asn1js.Integer({ value });
}

/** Encrypts with PBES2: PBKDF2-HMAC-SHA-256 or scrypt, then AES-256-CBC. */
export function encryptWithPassword(
  plaintext: Uint8Array,
  passphrase: string,
  options: PasswordEncryptionOptions = {},
): PasswordEncrypted {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const kdf = options.kdf ?? 'pbkdf2';
  let key: Buffer;
  let keyDerivation: asn1js.Sequence;
  if (kdf === 'pbkdf2') {
    const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
    if (!Number.isSafeInteger(iterations) || iterations < 1) {
      throw new PkiError('invalid-argument', {
        detail: `iterations must be a positive integer, got ${iterations}`,
      });
    }
    key = pbkdf2Sync(passphrase, salt, iterations, 32, 'sha256');
    keyDerivation = new asn1js.Sequence({
      value: [
        new asn1js.ObjectIdentifier({ value: OID.pbkdf2 }),
        new asn1js.Sequence({
          value: [
            new asn1js.OctetString({ valueHex: salt }),
            integer(iterations),
            new asn1js.Sequence({
              value: [new asn1js.ObjectIdentifier({ value: OID.hmacWithSha256 }), new asn1js.Null()],
            }),
          ],
        }),
      ],
    });
  } else {
    const cost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
    if (!Number.isSafeInteger(cost) || cost < 2 || (cost & (cost - 1)) !== 0) {
      throw new PkiError('invalid-argument', { detail: `scryptCost must be a power of two, got ${cost}` });
    }
    key = scryptSync(passphrase, salt, 32, {
      N: cost,
      r: SCRYPT_BLOCK_SIZE,
      p: SCRYPT_PARALLELISM,
      maxmem: SCRYPT_MAX_MEMORY * 2,
    });
    keyDerivation = new asn1js.Sequence({
      value: [
        new asn1js.ObjectIdentifier({ value: OID.scrypt }),
        new asn1js.Sequence({
          value: [
            new asn1js.OctetString({ valueHex: salt }),
            integer(cost),
            integer(SCRYPT_BLOCK_SIZE),
            integer(SCRYPT_PARALLELISM),
            integer(32),
          ],
        }),
      ],
    });
  }
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const algorithm = new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: OID.pbes2 }),
      new asn1js.Sequence({
        value: [
          keyDerivation,
          new asn1js.Sequence({
            value: [
              new asn1js.ObjectIdentifier({ value: OID.aes256Cbc }),
              new asn1js.OctetString({ valueHex: iv }),
            ],
          }),
        ],
      }),
    ],
  });
  return { algorithm, ciphertext: new Uint8Array(ciphertext) };
}

// ---------------------------------------------------------------------------------------------
// Reading

function malformed(detail: string): PkiError {
  return new PkiError('malformed-der', { detail });
}

function children(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(node instanceof asn1js.Sequence)) throw malformed(`${what}: expected a SEQUENCE`);
  return node.valueBlock.value;
}

function oidOf(node: asn1js.AsnType | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) throw malformed(`${what}: expected an OBJECT IDENTIFIER`);
  return node.valueBlock.toString();
}

function octetsOf(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (!(node instanceof asn1js.OctetString)) throw malformed(`${what}: expected an OCTET STRING`);
  return octetStringContent(node);
}

/** The content of an OCTET STRING, primitive or constructed (BER, as Windows writes PKCS#12). */
export function octetStringContent(node: asn1js.BaseBlock): Uint8Array {
  const block = node.valueBlock as unknown as { isConstructed?: boolean; value?: asn1js.BaseBlock[] };
  if (node.idBlock.isConstructed && Array.isArray(block.value)) {
    return Buffer.concat(block.value.map((part) => octetStringContent(part)));
  }
  const hex = (node.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView;
  return new Uint8Array(hex);
}

function smallInteger(node: asn1js.AsnType | undefined, what: string, max: number): number {
  if (!(node instanceof asn1js.Integer)) throw malformed(`${what}: expected an INTEGER`);
  const value = node.valueBlock.valueDec;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new PkiError('unsupported-algorithm', { detail: `${what} ${value} is out of range` });
  }
  return value;
}

const MAX_ITERATIONS = 10_000_000;

function deriveKey(keyDerivation: asn1js.AsnType | undefined, passphrase: string, keyLength: number): Buffer {
  const [kdfOid, kdfParams] = children(keyDerivation, 'PBES2 key derivation');
  const kdf = oidOf(kdfOid, 'PBES2 key derivation');
  const fields = children(kdfParams, 'key derivation parameters');
  const salt = octetsOf(fields[0], 'salt');
  if (kdf === OID.pbkdf2) {
    const iterations = smallInteger(fields[1], 'PBKDF2 iteration count', MAX_ITERATIONS);
    let hash = 'sha1';
    for (const field of fields.slice(2)) {
      if (field instanceof asn1js.Integer) {
        if (field.valueBlock.valueDec !== keyLength)
          throw malformed('PBKDF2 key length does not fit the cipher');
      } else {
        const prf = oidOf(children(field, 'PBKDF2 PRF')[0], 'PBKDF2 PRF');
        const name = HMAC_HASHES[prf];
        if (!name) throw new PkiError('unsupported-algorithm', { detail: `PBKDF2 PRF ${prf}` });
        hash = name;
      }
    }
    return pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, keyLength, hash);
  }
  if (kdf === OID.scrypt) {
    const cost = smallInteger(fields[1], 'scrypt cost', 1 << 22);
    const blockSize = smallInteger(fields[2], 'scrypt block size', 64);
    const parallelism = smallInteger(fields[3], 'scrypt parallelism', 16);
    return scryptSync(Buffer.from(passphrase, 'utf8'), salt, keyLength, {
      N: cost,
      r: blockSize,
      p: parallelism,
      maxmem: 1024 * 1024 * 1024,
    });
  }
  throw new PkiError('unsupported-algorithm', { detail: `key derivation ${kdf}` });
}

function decipher(name: string, key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  try {
    const decipherer = createDecipheriv(name, key, iv);
    return new Uint8Array(Buffer.concat([decipherer.update(ciphertext), decipherer.final()]));
  } catch (cause) {
    throw new PkiError('wrong-passphrase', { cause });
  }
}

/** The BMPString form of a password, with its two-byte terminator, as the PKCS#12 KDF wants it. */
function bmpPassword(passphrase: string): Buffer {
  const bytes = Buffer.alloc(passphrase.length * 2 + 2);
  for (let index = 0; index < passphrase.length; index += 1) {
    bytes.writeUInt16BE(passphrase.charCodeAt(index), index * 2);
  }
  return bytes;
}

const HASH_BLOCK: Readonly<Record<string, { output: number; block: number }>> = {
  sha1: { output: 20, block: 64 },
  sha224: { output: 28, block: 64 },
  sha256: { output: 32, block: 64 },
  sha384: { output: 48, block: 128 },
  sha512: { output: 64, block: 128 },
};

/** The PKCS#12 key derivation (RFC 7292 appendix B.2); id 1 = key, 2 = IV, 3 = MAC key. */
export function pkcs12Kdf(
  hash: string,
  passphrase: string,
  salt: Uint8Array,
  id: 1 | 2 | 3,
  iterations: number,
  length: number,
): Buffer {
  const sizes = HASH_BLOCK[hash];
  if (!sizes) throw new PkiError('unsupported-algorithm', { detail: `PKCS#12 KDF hash ${hash}` });
  const { output: u, block: v } = sizes;
  const password = bmpPassword(passphrase);
  const fill = (source: Uint8Array): Buffer => {
    const length = v * Math.ceil(source.length / v);
    const out = Buffer.alloc(length);
    for (let index = 0; index < length; index += 1) out[index] = source[index % source.length]!;
    return out;
  };
  const diversifier = Buffer.alloc(v, id);
  const input = Buffer.concat([fill(salt), fill(password)]);
  const result = Buffer.alloc(Math.ceil(length / u) * u);
  for (let round = 0; round * u < length; round += 1) {
    let digest = createHash(hash).update(diversifier).update(input).digest();
    for (let iteration = 1; iteration < iterations; iteration += 1) {
      digest = createHash(hash).update(digest).digest();
    }
    digest.copy(result, round * u);
    const expanded = fill(digest);
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1;
      for (let index = v - 1; index >= 0; index -= 1) {
        const sum = input[offset + index]! + expanded[index]! + carry;
        input[offset + index] = sum & 0xff;
        carry = sum >>> 8;
      }
    }
  }
  return result.subarray(0, length);
}

/**
 * Decrypts password-encrypted content given its AlgorithmIdentifier: PBES2 (PBKDF2 with any
 * HMAC-SHA, or scrypt; AES-CBC or 3DES) or pbeWithSHAAnd3-KeyTripleDES-CBC. Throws PkiError
 * `wrong-passphrase` when the padding does not check, `unsupported-algorithm` for RC2 and others.
 */
export function decryptWithPassword(
  algorithm: asn1js.AsnType | undefined,
  ciphertext: Uint8Array,
  passphrase: string,
): Uint8Array {
  const [schemeOid, schemeParams] = children(algorithm, 'encryption algorithm');
  const scheme = oidOf(schemeOid, 'encryption algorithm');
  if (scheme === OID.pbes2) {
    const [keyDerivation, encryptionScheme] = children(schemeParams, 'PBES2 parameters');
    const [cipherOid, ivNode] = children(encryptionScheme, 'PBES2 encryption scheme');
    const cipherId = oidOf(cipherOid, 'PBES2 cipher');
    const cipher = CBC_CIPHERS[cipherId];
    if (!cipher) throw new PkiError('unsupported-algorithm', { detail: `cipher ${cipherId}` });
    const iv = octetsOf(ivNode, 'cipher IV');
    const key = deriveKey(keyDerivation, passphrase, cipher.keyLength);
    return decipher(cipher.name, key, iv, ciphertext);
  }
  if (scheme === OID.pbeWithSha1And3KeyTripleDesCbc) {
    const [saltNode, iterationNode] = children(schemeParams, 'PKCS#12 PBE parameters');
    const salt = octetsOf(saltNode, 'salt');
    const iterations = smallInteger(iterationNode, 'PKCS#12 PBE iteration count', MAX_ITERATIONS);
    const key = pkcs12Kdf('sha1', passphrase, salt, 1, iterations, 24);
    const iv = pkcs12Kdf('sha1', passphrase, salt, 2, iterations, 8);
    return decipher('des-ede3-cbc', key, iv, ciphertext);
  }
  const legacy = scheme.startsWith('1.2.840.113549.1.12.1.') ? ' (legacy RC2/RC4 PKCS#12 encryption)' : '';
  throw new PkiError('unsupported-algorithm', {
    detail: `encryption ${scheme}${legacy}; re-export with \`openssl pkcs12 -export\` (OpenSSL 3 defaults to AES-256)`,
  });
}

/** Wraps a DER PrivateKeyInfo into an EncryptedPrivateKeyInfo (DER). */
export function encryptPrivateKeyInfo(
  privateKeyInfo: Uint8Array,
  passphrase: string,
  options: PasswordEncryptionOptions = {},
): Uint8Array {
  const { algorithm, ciphertext } = encryptWithPassword(privateKeyInfo, passphrase, options);
  const encoded = new asn1js.Sequence({
    value: [algorithm, new asn1js.OctetString({ valueHex: ciphertext })],
  }).toBER();
  return new Uint8Array(encoded);
}

/** True when the DER is an EncryptedPrivateKeyInfo (SEQUENCE { AlgorithmIdentifier, OCTET STRING }). */
export function isEncryptedPrivateKeyInfo(node: asn1js.AsnType): boolean {
  if (!(node instanceof asn1js.Sequence)) return false;
  const [first, second] = node.valueBlock.value;
  return (
    first instanceof asn1js.Sequence &&
    second instanceof asn1js.OctetString &&
    node.valueBlock.value.length === 2
  );
}

/** Decrypts a parsed EncryptedPrivateKeyInfo into the DER PrivateKeyInfo it holds. */
export function decryptPrivateKeyInfo(node: asn1js.AsnType, passphrase: string): Uint8Array {
  const [algorithm, data] = children(node, 'EncryptedPrivateKeyInfo');
  return decryptWithPassword(algorithm, octetsOf(data, 'encrypted key'), passphrase);
}
