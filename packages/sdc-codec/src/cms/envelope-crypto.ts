import { createHash, type KeyObject } from 'node:crypto';
import { SdcError } from '../errors.js';
import { derAlgorithm, derContext, derOctetString, derSequence } from './der.js';

// What both ends of an envelope share: the curves, the key-encryption key of ECDH
// ephemeral-static (RFC 5753), AES key wrap's IV, and joining a cipher's output.

export const WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const SUPPORTED_CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'prime256v1',
  secp384r1: 'secp384r1',
  secp521r1: 'secp521r1',
};

export function curveOf(key: KeyObject): string {
  const curve = SUPPORTED_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (!curve) throw new SdcError('invalid-key', `unsupported curve ${key.asymmetricKeyDetails?.namedCurve}`);
  return curve;
}

/**
 * ANSI X9.63 KDF with SHA-256 over ECC-CMS-SharedInfo (RFC 5753 7.2). entityUInfo is written only
 * when a ukm is present: an empty one (what pkijs does, issue #335) breaks interop with OpenSSL.
 */
export function deriveKek(
  sharedSecret: Uint8Array,
  wrapOid: string,
  keyBytes: number,
  ukm?: Uint8Array,
): Buffer {
  const sharedInfo = ukm ? buildSharedInfo(wrapOid, keyBytes, ukm) : cachedSharedInfo(wrapOid, keyBytes);
  const counter = Buffer.from([0, 0, 0, 1]);
  return createHash('sha256')
    .update(sharedSecret)
    .update(counter)
    .update(sharedInfo)
    .digest()
    .subarray(0, keyBytes);
}

function buildSharedInfo(wrapOid: string, keyBytes: number, ukm?: Uint8Array): Uint8Array {
  const bits = new Uint8Array(4);
  new DataView(bits.buffer).setUint32(0, keyBytes * 8);
  return derSequence(
    derAlgorithm(wrapOid),
    ...(ukm ? [derContext(0, derOctetString(ukm))] : []),
    derContext(2, derOctetString(bits)),
  );
}

/** Without a ukm the SharedInfo depends only on the wrap algorithm: built once. */
const sharedInfoCache = new Map<string, Uint8Array>();
function cachedSharedInfo(wrapOid: string, keyBytes: number): Uint8Array {
  let info = sharedInfoCache.get(wrapOid);
  if (!info) {
    info = buildSharedInfo(wrapOid, keyBytes);
    sharedInfoCache.set(wrapOid, info);
  }
  return info;
}

/** update() then final(): GCM and key wrap give everything from update(), so no copy in the usual case. */
export function joined(head: Buffer, tail: Buffer): Buffer {
  return tail.length === 0 ? head : head.length === 0 ? tail : Buffer.concat([head, tail]);
}
