/**
 * COSE_Sign1 (RFC 9052) with ES256 only: the one structure both the seal and the trust list use,
 * so a verifier (this library or the offline page) has a single signature path to get right.
 */
import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { CborTag, type CborValue, decodeCbor, encodeCbor } from './cbor.js';

export { decodeCbor, encodeCbor };

export const COSE_SIGN1_TAG = 18;
export const HEADER_ALG = 1;
export const HEADER_KID = 4;
export const HEADER_X5CHAIN = 33;
export const ALG_ES256 = -7;

export type CborMap = ReadonlyMap<number | string, CborValue>;

export interface Sign1 {
  /** The protected header as it was signed (bytes), and decoded. */
  readonly protectedBytes: Uint8Array;
  readonly protectedHeader: CborMap;
  readonly unprotectedHeader: CborMap;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
}

/** A decoded CBOR map, or null when the value is not one. */
export function asMap(value: CborValue | undefined): CborMap | null {
  return value instanceof Map ? value : null;
}

/** The COSE key identifier of a certificate: the first 8 bytes of the SHA-256 of its DER (as EU DCC). */
export function keyIdentifier(certificateDer: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(certificateDer).digest().subarray(0, 8));
}

function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
}

/** Signs `payload` with an EC P-256 key; the result is the tagged COSE_Sign1 bytes. */
export function signSign1(payload: Uint8Array, privateKey: KeyObject, protectedHeader: CborMap): Uint8Array {
  const protectedBytes = encodeCbor(protectedHeader);
  const signature = sign('sha256', sigStructure(protectedBytes, payload), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return encodeCbor(
    new CborTag(COSE_SIGN1_TAG, [protectedBytes, new Map(), payload, new Uint8Array(signature)]),
  );
}

/** Parses tagged (or untagged) COSE_Sign1 bytes; null when they are not one. */
export function parseSign1(bytes: Uint8Array): Sign1 | null {
  let value: CborValue;
  try {
    value = decodeCbor(bytes);
  } catch {
    return null;
  }
  if (value instanceof CborTag) {
    if (value.tag !== COSE_SIGN1_TAG) return null;
    value = value.value;
  }
  if (!Array.isArray(value) || value.length !== 4) return null;
  const [protectedBytes, unprotected, payload, signature] = value as readonly CborValue[];
  if (!(protectedBytes instanceof Uint8Array) || !(payload instanceof Uint8Array)) return null;
  if (!(signature instanceof Uint8Array)) return null;
  const unprotectedHeader = asMap(unprotected);
  if (!unprotectedHeader) return null;
  let protectedHeader: CborMap | null;
  try {
    protectedHeader = protectedBytes.length === 0 ? new Map() : asMap(decodeCbor(protectedBytes));
  } catch {
    return null;
  }
  if (!protectedHeader) return null;
  return { protectedBytes, protectedHeader, unprotectedHeader, payload, signature };
}

/** Whether the ES256 signature of a COSE_Sign1 verifies with `publicKey`. */
export function verifySign1(message: Sign1, publicKey: KeyObject): boolean {
  if (message.protectedHeader.get(HEADER_ALG) !== ALG_ES256 || message.signature.length !== 64) return false;
  try {
    return verify(
      'sha256',
      sigStructure(message.protectedBytes, message.payload),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      message.signature,
    );
  } catch {
    return false;
  }
}

/** The key identifier a COSE_Sign1 names, protected header first (as EU DCC), then unprotected. */
export function sign1KeyIdentifier(message: Sign1): Uint8Array | null {
  const kid = message.protectedHeader.get(HEADER_KID) ?? message.unprotectedHeader.get(HEADER_KID);
  return kid instanceof Uint8Array ? kid : null;
}
