/**
 * The seal: claims -> COSE_Sign1 ES256 -> zlib deflate -> Base45 -> `XM1:` prefix, the shape of the
 * EU Digital COVID Certificate's `HC1:`, so a seal is QR alphanumeric text end to end.
 */
import type { KeyObject } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { decodeBase45, encodeBase45 } from './base45.js';
import type { CborValue } from './cbor.js';
import { claimsOf, contentOf, type SealContent } from './claims.js';
import {
  ALG_ES256,
  asMap,
  decodeCbor,
  encodeCbor,
  HEADER_ALG,
  HEADER_KID,
  keyIdentifier,
  parseSign1,
  type Sign1,
  signSign1,
} from './cose.js';
import { DocumentsError } from './errors.js';

/** Our scheme and its version: a reader that sees another prefix knows the seal is not ours. */
export const SEAL_PREFIX = 'XM1:';
/** A deflated seal never legitimately inflates past this: a bound against decompression bombs. */
const MAX_INFLATED_BYTES = 16 * 1024;

export interface SealSigner {
  /** The signer certificate's DER: its SHA-256 names the key (kid) in the seal. */
  readonly certificate: Uint8Array;
  /** An EC P-256 private key (the site's document key or a registered signatory's). */
  readonly privateKey: KeyObject;
}

export function createSeal(content: SealContent, signer: SealSigner): string {
  if (
    signer.privateKey.asymmetricKeyType !== 'ec' ||
    signer.privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  ) {
    throw new DocumentsError('invalid-argument', { detail: 'a seal is signed with an EC P-256 key (ES256)' });
  }
  const protectedHeader = new Map<number, CborValue>([
    [HEADER_ALG, ALG_ES256],
    [HEADER_KID, keyIdentifier(signer.certificate)],
  ]);
  const cose = signSign1(encodeCbor(claimsOf(content)), signer.privateKey, protectedHeader);
  return SEAL_PREFIX + encodeBase45(deflateSync(cose, { level: 9 }));
}

/** A seal taken apart, not yet verified. */
export interface OpenedSeal {
  readonly message: Sign1;
  readonly content: SealContent;
}

export type OpenSealResult =
  | { readonly ok: true; readonly seal: OpenedSeal }
  | { readonly ok: false; readonly reason: 'not-our-scheme' | 'damaged' };

/** Takes a seal's text apart without checking its signature (verifySeal does). Never throws. */
export function openSeal(text: string): OpenSealResult {
  const trimmed = text.trim();
  if (!trimmed.startsWith(SEAL_PREFIX)) return { ok: false, reason: 'not-our-scheme' };
  const compressed = decodeBase45(trimmed.slice(SEAL_PREFIX.length));
  if (!compressed) return { ok: false, reason: 'damaged' };
  let cose: Uint8Array;
  try {
    cose = inflateSync(compressed, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch {
    return { ok: false, reason: 'damaged' };
  }
  const message = parseSign1(cose);
  if (!message) return { ok: false, reason: 'damaged' };
  let claims: CborValue;
  try {
    claims = decodeCbor(message.payload);
  } catch {
    return { ok: false, reason: 'damaged' };
  }
  const claimMap = asMap(claims);
  const content = claimMap ? contentOf(claimMap) : null;
  if (!content) return { ok: false, reason: 'damaged' };
  return { ok: true, seal: { message, content } };
}
