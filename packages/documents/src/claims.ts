/**
 * A seal's content <-> CWT claims (RFC 8392). Identity fields go where MOSIP Claim 169 numbers
 * them (claim 169), so a Claim 169 reader finds the name and date of birth; the rest of what the
 * paper prints goes in our private claim, by the template's own short field names.
 */
import type { CborValue } from './cbor.js';
import { asMap, type CborMap } from './cose.js';

export const CLAIM_ISSUER = 1;
export const CLAIM_ISSUED_AT = 6;
export const CLAIM_TOKEN_ID = 7;
export const CLAIM_169 = 169;
/** Private-use CWT claim (below -65536): record type, document kind and the other printed fields. */
export const CLAIM_XM_DOCUMENT = -65537;

/** Our field names that MOSIP Claim 169 numbers (1 is the ID: the NIU). */
export const CLAIM_169_FIELDS: Readonly<Record<string, number>> = {
  fullName: 4,
  firstName: 5,
  middleName: 6,
  lastName: 7,
  dateOfBirth: 8,
  gender: 9,
  address: 10,
  nationality: 13,
};
const CLAIM_169_ID = 1;
const CLAIM_169_GENDER = 9;
/** Claim 169 codes gender 1 male, 2 female, 3 other; other spellings stay text in our claim. */
const GENDER_CODES: Readonly<Record<string, number>> = { M: 1, F: 2, X: 3 };

export interface SealContent {
  /** The issuing site's matricule (CWT `iss`). */
  readonly issuer: string;
  /** What the document is about, e.g. `birth` (domain words come from the app). */
  readonly recordType: string;
  /** e.g. `copy` or `extract`. */
  readonly documentKind: string;
  /** The record's unique number (Claim 169 ID). */
  readonly niu: string;
  /** Unique per printed document (CWT `cti`). */
  readonly documentId: string;
  /** Whole seconds are kept. */
  readonly issuedAt: Date;
  /** The printed fields a verifier compares with the paper, by name. */
  readonly fields: Readonly<Record<string, string>>;
}

const RECORD_TYPE = 1;
const DOCUMENT_KIND = 2;
const OTHER_FIELDS = 3;

export function claimsOf(content: SealContent): CborMap {
  const identity = new Map<number, CborValue>([[CLAIM_169_ID, content.niu]]);
  const others = new Map<string, CborValue>();
  for (const [name, value] of Object.entries(content.fields)) {
    const key = CLAIM_169_FIELDS[name];
    const genderCode = name === 'gender' ? GENDER_CODES[value] : undefined;
    if (genderCode !== undefined) identity.set(CLAIM_169_GENDER, genderCode);
    else if (key !== undefined && name !== 'gender') identity.set(key, value);
    else others.set(name, value);
  }
  return new Map<number, CborValue>([
    [CLAIM_ISSUER, content.issuer],
    [CLAIM_ISSUED_AT, Math.floor(content.issuedAt.getTime() / 1000)],
    [CLAIM_TOKEN_ID, new TextEncoder().encode(content.documentId)],
    [CLAIM_169, identity],
    [
      CLAIM_XM_DOCUMENT,
      new Map<number, CborValue>([
        [RECORD_TYPE, content.recordType],
        [DOCUMENT_KIND, content.documentKind],
        [OTHER_FIELDS, others],
      ]),
    ],
  ]);
}

const GENDER_NAMES = new Map(Object.entries(GENDER_CODES).map(([name, code]) => [code, name]));
const FIELD_NAMES = new Map(Object.entries(CLAIM_169_FIELDS).map(([name, key]) => [key, name]));

/** The content of decoded claims; null when they are not claims we wrote. */
export function contentOf(claims: CborMap): SealContent | null {
  const issuer = claims.get(CLAIM_ISSUER);
  const issuedAt = claims.get(CLAIM_ISSUED_AT);
  const tokenId = claims.get(CLAIM_TOKEN_ID);
  const identity = asMap(claims.get(CLAIM_169));
  const document = asMap(claims.get(CLAIM_XM_DOCUMENT));
  if (typeof issuer !== 'string' || typeof issuedAt !== 'number' || !(tokenId instanceof Uint8Array)) {
    return null;
  }
  if (!identity || !document) return null;
  const niu = identity.get(CLAIM_169_ID);
  const recordType = document.get(RECORD_TYPE);
  const documentKind = document.get(DOCUMENT_KIND);
  const others = asMap(document.get(OTHER_FIELDS));
  if (typeof niu !== 'string' || typeof recordType !== 'string' || typeof documentKind !== 'string') {
    return null;
  }
  if (!others) return null;
  const fields: Record<string, string> = {};
  for (const [key, value] of identity) {
    if (key === CLAIM_169_ID) continue;
    const name = typeof key === 'number' ? FIELD_NAMES.get(key) : undefined;
    if (name === undefined) continue; // a Claim 169 field we do not print
    if (name === 'gender' && typeof value === 'number')
      fields[name] = GENDER_NAMES.get(value) ?? String(value);
    else if (typeof value === 'string') fields[name] = value;
    else return null;
  }
  for (const [key, value] of others) {
    if (typeof key !== 'string' || typeof value !== 'string') return null;
    fields[key] = value;
  }
  let documentId: string;
  try {
    documentId = new TextDecoder('utf-8', { fatal: true }).decode(tokenId);
  } catch {
    return null;
  }
  return { issuer, recordType, documentKind, niu, documentId, issuedAt: new Date(issuedAt * 1000), fields };
}
