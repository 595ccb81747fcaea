import { constants, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AlgorithmIdentifier, RSASSAPSSParams } from 'pkijs';
import { PkiError } from './errors.js';
import { describeKey, publicKeyOf } from './keys.js';
import { OID } from './oids.js';

export type HashName = 'sha256' | 'sha384' | 'sha512';

/**
 * What signs certificates, CSRs and CRLs: a private key, or anything that can sign with one (an
 * HSM, a KMS) given its public key. Signatures are DER-encoded for ECDSA, PKCS#1 v1.5 for RSA.
 */
export interface SigningKey {
  readonly publicKey: KeyObject;
  sign(data: Uint8Array, hash: HashName): Uint8Array | Promise<Uint8Array>;
}

/** A SigningKey over a Node private key. */
export function keySigner(privateKey: KeyObject): SigningKey {
  if (privateKey.type !== 'private')
    throw new PkiError('invalid-argument', { detail: 'a signer needs a private key' });
  const publicKey = publicKeyOf(privateKey);
  return {
    publicKey,
    sign: (data, hash) => new Uint8Array(nodeSign(hash, data, privateKey)),
  };
}

export function asSigner(key: KeyObject | SigningKey): SigningKey {
  return 'sign' in key && typeof key.sign === 'function' ? key : keySigner(key as KeyObject);
}

/** The hash that goes with a key: SHA-256 for P-256 and RSA, SHA-384 for P-384, SHA-512 for P-521. */
export function hashFor(publicKey: KeyObject): HashName {
  const description = describeKey(publicKey);
  if (description.curve === 'P-384') return 'sha384';
  if (description.curve === 'P-521') return 'sha512';
  return 'sha256';
}

const ECDSA_OIDS: Readonly<Record<HashName, string>> = {
  sha256: OID.ecdsaWithSha256,
  sha384: OID.ecdsaWithSha384,
  sha512: OID.ecdsaWithSha512,
};
const RSA_OIDS: Readonly<Record<HashName, string>> = {
  sha256: OID.sha256WithRsa,
  sha384: OID.sha384WithRsa,
  sha512: OID.sha512WithRsa,
};

/** The signatureAlgorithm for a key and hash: ecdsa-with-SHAx (no parameters) or shaxWithRSAEncryption (NULL). */
export function signatureAlgorithm(publicKey: KeyObject, hash: HashName): AlgorithmIdentifier {
  const { type } = describeKey(publicKey);
  if (type === 'ec') return new AlgorithmIdentifier({ algorithmId: ECDSA_OIDS[hash] });
  return new AlgorithmIdentifier({ algorithmId: RSA_OIDS[hash], algorithmParams: new asn1js.Null() });
}

interface VerifyPlan {
  readonly hash: string | null;
  readonly key: 'ec' | 'rsa' | 'rsa-pss';
}

const VERIFY_PLANS: Readonly<Record<string, VerifyPlan>> = {
  [OID.ecdsaWithSha256]: { hash: 'sha256', key: 'ec' },
  [OID.ecdsaWithSha384]: { hash: 'sha384', key: 'ec' },
  [OID.ecdsaWithSha512]: { hash: 'sha512', key: 'ec' },
  [OID.sha256WithRsa]: { hash: 'sha256', key: 'rsa' },
  [OID.sha384WithRsa]: { hash: 'sha384', key: 'rsa' },
  [OID.sha512WithRsa]: { hash: 'sha512', key: 'rsa' },
  [OID.rsaPss]: { hash: null, key: 'rsa-pss' },
};

const HASH_BY_OID: Readonly<Record<string, string>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/**
 * Checks a signature made by `publicKey` over `data` with the given signatureAlgorithm. Returns
 * false for a signature that does not verify; throws PkiError `unsupported-algorithm` for an
 * algorithm we do not accept (SHA-1 and MD5 among them).
 */
export function verifySignature(
  publicKey: KeyObject,
  algorithm: AlgorithmIdentifier,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const plan = VERIFY_PLANS[algorithm.algorithmId];
  if (!plan)
    throw new PkiError('unsupported-algorithm', { detail: `signature algorithm ${algorithm.algorithmId}` });
  const keyType = publicKey.asymmetricKeyType;
  if ((plan.key === 'ec') !== (keyType === 'ec')) return false;
  if (plan.key === 'rsa-pss') {
    let params: RSASSAPSSParams;
    try {
      params = new RSASSAPSSParams({ schema: algorithm.algorithmParams });
    } catch (cause) {
      throw new PkiError('malformed-der', { detail: 'RSASSA-PSS parameters', cause });
    }
    const hash = HASH_BY_OID[params.hashAlgorithm.algorithmId];
    if (!hash)
      throw new PkiError('unsupported-algorithm', {
        detail: `RSASSA-PSS hash ${params.hashAlgorithm.algorithmId}`,
      });
    try {
      return nodeVerify(
        hash,
        data,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength },
        signature,
      );
    } catch {
      return false;
    }
  }
  try {
    return nodeVerify(plan.hash!, data, publicKey, signature);
  } catch {
    return false;
  }
}

/** The hash and signatureAlgorithm a signer uses (they go into the TBS, so they are fixed before signing). */
export function signingAlgorithm(signer: SigningKey): { hash: HashName; algorithm: AlgorithmIdentifier } {
  const hash = hashFor(signer.publicKey);
  return { hash, algorithm: signatureAlgorithm(signer.publicKey, hash) };
}

/** Signs `tbs` and returns the BIT STRING that carries the signature. */
export async function signatureBits(
  signer: SigningKey,
  tbs: Uint8Array,
  hash: HashName,
): Promise<asn1js.BitString> {
  const signature = await signer.sign(tbs, hash);
  return new asn1js.BitString({ valueHex: signature });
}
