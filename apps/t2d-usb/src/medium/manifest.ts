import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { CONTAINER_NAME, isValidParty } from './layout.js';

export const MANIFEST_FORMAT = 'xmcomm-t2d-manifest';
export const MANIFEST_VERSION = 1;

export interface ManifestFile {
  /** `<sha256>.sdc` */
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
}

/** What one batch put on the medium, in the order it must be applied. */
export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  readonly batchId: string;
  readonly sender: string;
  readonly recipient: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly files: readonly ManifestFile[];
}

export const SIGNATURE_ALGORITHMS = [
  'ecdsa-sha256',
  'ecdsa-sha384',
  'ecdsa-sha512',
  'rsa-sha256',
  'ed25519',
] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

export interface ManifestSignature {
  readonly algorithm: SignatureAlgorithm;
  /** Hex SHA-256 of the signer's SubjectPublicKeyInfo (DER). */
  readonly keyId: string;
  /** Base64 signature over the UTF-8 canonical JSON of the manifest. */
  readonly value: string;
}

export interface SignedManifest {
  readonly manifest: Manifest;
  readonly signature: ManifestSignature;
}

/** Signs manifests; an HSM or a KMS can stand in for a key in a file. */
export interface ManifestSigner {
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export interface VerifyInput {
  readonly sender: string;
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}

/** Says whether `sender` signed `data`; the reader never trusts a manifest it cannot verify. */
export interface ManifestVerifier {
  verify(input: VerifyInput): boolean | Promise<boolean>;
}

const HASHES: Readonly<Record<SignatureAlgorithm, string | null>> = {
  'ecdsa-sha256': 'sha256',
  'ecdsa-sha384': 'sha384',
  'ecdsa-sha512': 'sha512',
  'rsa-sha256': 'sha256',
  ed25519: null,
};

export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex');
}

function algorithmFor(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'rsa') return 'rsa-sha256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return 'ecdsa-sha384';
    if (curve === 'secp521r1') return 'ecdsa-sha512';
    if (curve === 'prime256v1') return 'ecdsa-sha256';
  }
  throw new TypeError(`unsupported key for manifests: ${key.asymmetricKeyType ?? 'unknown'}`);
}

/** A signer over a Node private key: the site's (or the server's) own key, the one that signs its containers. */
export function keyManifestSigner(privateKey: KeyObject): ManifestSigner {
  if (privateKey.type !== 'private') throw new TypeError('a manifest signer needs a private key');
  const algorithm = algorithmFor(privateKey);
  return {
    keyId: keyIdOf(privateKey),
    algorithm,
    sign: (data) => new Uint8Array(sign(HASHES[algorithm], data, privateKey)),
  };
}

/**
 * A verifier over known public keys per sender (from certificates the server registered, or the
 * server certificate a site holds). A key only counts for the sender it is registered to.
 */
export function publicKeyVerifier(
  keysOf: (sender: string) => readonly KeyObject[] | undefined | Promise<readonly KeyObject[] | undefined>,
): ManifestVerifier {
  return {
    async verify(input) {
      const keys = (await keysOf(input.sender)) ?? [];
      const key = keys.find((candidate) => keyIdOf(candidate) === input.keyId);
      if (!key) return false;
      let expected: SignatureAlgorithm;
      try {
        expected = algorithmFor(key);
      } catch {
        return false;
      }
      if (expected !== input.algorithm) return false;
      try {
        return verify(HASHES[input.algorithm], input.data, key, input.signature);
      } catch {
        return false;
      }
    },
  };
}

export function manifestBytes(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(
    canonicalJson({
      format: manifest.format,
      version: manifest.version,
      batchId: manifest.batchId,
      sender: manifest.sender,
      recipient: manifest.recipient,
      createdAt: manifest.createdAt,
      files: manifest.files.map((file) => ({ name: file.name, sha256: file.sha256, size: file.size })),
    }),
  );
}

export async function signManifest(manifest: Manifest, signer: ManifestSigner): Promise<SignedManifest> {
  const signature = await signer.sign(manifestBytes(manifest));
  return {
    manifest,
    signature: {
      algorithm: signer.algorithm,
      keyId: signer.keyId,
      value: Buffer.from(signature).toString('base64'),
    },
  };
}

/** The file on the medium: indented for people who open it, the signature covers the canonical form. */
export function serialiseSignedManifest(signed: SignedManifest): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(signed, null, 2)}\n`);
}

/** Why a manifest file is not a usable manifest: a stable code, worded in English or French by the CLI. */
export const MANIFEST_PROBLEMS = [
  'not-json',
  'not-a-signed-manifest',
  'malformed-signature',
  'malformed-manifest',
  'unknown-format',
  'unsupported-version',
  'malformed-batch-id',
  'malformed-sender',
  'malformed-recipient',
  'malformed-date',
  'malformed-file-list',
  'too-many-files',
  'malformed-file-entry',
  'malformed-file-size',
] as const;
export type ManifestProblemCode = (typeof MANIFEST_PROBLEMS)[number];

export interface ManifestProblem {
  readonly code: ManifestProblemCode;
  /** What the sentence quotes: `version` for unsupported-version, `max` for too-many-files. */
  readonly values?: Readonly<Record<string, string | number>>;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ManifestProblem };

const problem = (code: ManifestProblemCode, values?: ManifestProblem['values']) =>
  ({ ok: false, error: values ? { code, values } : { code } }) as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function exactKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const present = Object.keys(value);
  return present.length === keys.length && keys.every((key) => Object.hasOwn(value, key));
}

/** Checks the shape of a manifest file without trusting anything in it; never throws. */
export function parseSignedManifest(bytes: Uint8Array, maxFiles: number): ParseResult<SignedManifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return problem('not-json');
  }
  if (!isRecord(raw) || !exactKeys(raw, ['manifest', 'signature'])) return problem('not-a-signed-manifest');
  const { manifest, signature } = raw;
  if (!isRecord(signature) || !exactKeys(signature, ['algorithm', 'keyId', 'value'])) {
    return problem('malformed-signature');
  }
  if (
    !SIGNATURE_ALGORITHMS.includes(signature.algorithm as SignatureAlgorithm) ||
    typeof signature.keyId !== 'string' ||
    !HEX64.test(signature.keyId) ||
    typeof signature.value !== 'string' ||
    !BASE64.test(signature.value) ||
    signature.value.length === 0
  ) {
    return problem('malformed-signature');
  }
  if (
    !isRecord(manifest) ||
    !exactKeys(manifest, ['format', 'version', 'batchId', 'sender', 'recipient', 'createdAt', 'files'])
  ) {
    return problem('malformed-manifest');
  }
  if (manifest.format !== MANIFEST_FORMAT) return problem('unknown-format');
  if (manifest.version !== MANIFEST_VERSION)
    return problem('unsupported-version', { version: String(manifest.version) });
  if (typeof manifest.batchId !== 'string' || !UUID.test(manifest.batchId))
    return problem('malformed-batch-id');
  if (typeof manifest.sender !== 'string' || !isValidParty(manifest.sender))
    return problem('malformed-sender');
  if (typeof manifest.recipient !== 'string' || !isValidParty(manifest.recipient)) {
    return problem('malformed-recipient');
  }
  if (typeof manifest.createdAt !== 'string' || Number.isNaN(Date.parse(manifest.createdAt))) {
    return problem('malformed-date');
  }
  if (!Array.isArray(manifest.files)) return problem('malformed-file-list');
  if (manifest.files.length > maxFiles) return problem('too-many-files', { max: maxFiles });
  const files: ManifestFile[] = [];
  for (const file of manifest.files as unknown[]) {
    if (!isRecord(file) || !exactKeys(file, ['name', 'sha256', 'size']))
      return problem('malformed-file-entry');
    const { name, sha256, size } = file;
    if (
      typeof sha256 !== 'string' ||
      !HEX64.test(sha256) ||
      name !== `${sha256}.sdc` ||
      !CONTAINER_NAME.test(name)
    ) {
      return problem('malformed-file-entry');
    }
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0)
      return problem('malformed-file-size');
    files.push({ name, sha256, size });
  }
  return {
    ok: true,
    value: {
      manifest: {
        format: MANIFEST_FORMAT,
        version: MANIFEST_VERSION,
        batchId: manifest.batchId,
        sender: manifest.sender,
        recipient: manifest.recipient,
        createdAt: manifest.createdAt,
        files,
      },
      signature: {
        algorithm: signature.algorithm as SignatureAlgorithm,
        keyId: signature.keyId,
        value: signature.value,
      },
    },
  };
}
