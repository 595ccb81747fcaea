import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { BillingError } from './errors.js';
import { publisherPublicKey } from './publisher-key.js';

/** What a licence key grants, once its signature is checked. */
export interface Licence {
  readonly organisation: string;
  readonly licenceNumber: string;
  /** 1,000 to 100,000. */
  readonly clientLimit: number;
  /** Users the server may have; absent: no limit. */
  readonly userLimit?: number;
  /** `YYYY-MM-DD`, UTC. */
  readonly issuedOn: string;
  /** Last valid day, `YYYY-MM-DD`, UTC, inclusive. */
  readonly expiresOn: string;
}

export type LicenceResult =
  | { readonly ok: true; readonly value: Licence }
  | { readonly ok: false; readonly error: BillingError };

/** `XMLIC1.<payload>.<signature>`: base64url JSON and an Ed25519 signature over `XMLIC1.<payload>`. */
export const licencePrefix = 'XMLIC1';
export const minimumClientLimit = 1_000;
export const maximumClientLimit = 100_000;
const maximumKeyLength = 4_096;

export interface VerifyLicenceOptions {
  /** The publisher's Ed25519 public key; the one embedded in this package by default. Tests pass their own. */
  readonly publicKey?: KeyObject | string;
  /** The organisation this server belongs to: a key for another one is refused. */
  readonly organisation?: string;
  /** Refuse a key that has expired at this instant (default now); pass `null` to read an expired key. */
  readonly now?: Date | null;
}

/**
 * Checks a licence key offline: format, the publisher's signature, organisation, licence number,
 * client limit and expiry. Never throws, whatever the input.
 */
export function verifyLicence(key: unknown, options: VerifyLicenceOptions = {}): LicenceResult {
  if (typeof key !== 'string' || key.length > maximumKeyLength)
    return malformed('not a licence key', "ce n'est pas une clé de licence");
  const parts = key.trim().split('.');
  if (parts.length !== 3 || parts[0] !== licencePrefix)
    return malformed(
      `expected ${licencePrefix}.<payload>.<signature>`,
      `attendu ${licencePrefix}.<contenu>.<signature>`,
    );
  const [, payload = '', signature = ''] = parts;
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(signature))
    return malformed('not base64url', "ce n'est pas du base64url");
  let signed: boolean;
  try {
    const publicKey = toKey(options.publicKey ?? publisherPublicKey);
    signed = verify(
      null,
      Buffer.from(`${licencePrefix}.${payload}`),
      publicKey,
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    signed = false;
  }
  if (!signed) return { ok: false, error: new BillingError('licence-bad-signature') };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return malformed('the payload is not JSON', "le contenu n'est pas du JSON");
  }
  const licence = readClaims(claims);
  if ('en' in licence) return malformed(licence.en, licence.fr);
  if (licence.clientLimit < minimumClientLimit || licence.clientLimit > maximumClientLimit) {
    return { ok: false, error: new BillingError('licence-invalid-limit') };
  }
  if (options.organisation !== undefined && options.organisation !== licence.organisation) {
    return {
      ok: false,
      error: new BillingError('licence-wrong-organisation', {
        en: `licence ${licence.licenceNumber} is for ${licence.organisation}`,
        fr: `la licence ${licence.licenceNumber} est pour ${licence.organisation}`,
      }),
    };
  }
  const now = options.now === undefined ? new Date() : options.now;
  if (now !== null && isExpired(licence, now)) {
    return {
      ok: false,
      error: new BillingError('licence-expired', {
        en: `licence ${licence.licenceNumber} expired after ${licence.expiresOn}`,
        fr: `la licence ${licence.licenceNumber} a expiré après le ${licence.expiresOn}`,
      }),
    };
  }
  return { ok: true, value: licence };
}

/** Has the licence expired at `now` (its last day, UTC, included)? */
export function isExpired(licence: Licence, now: Date): boolean {
  return now.toISOString().slice(0, 10) > licence.expiresOn;
}

/** The signed bytes' JSON, in a fixed field order (shared with the signing tool). */
export function licencePayload(licence: Licence): string {
  return JSON.stringify({
    v: 1,
    organisation: licence.organisation,
    licenceNumber: licence.licenceNumber,
    clientLimit: licence.clientLimit,
    ...(licence.userLimit !== undefined ? { userLimit: licence.userLimit } : {}),
    issuedOn: licence.issuedOn,
    expiresOn: licence.expiresOn,
  });
}

type Problem = { readonly en: string; readonly fr: string };

function readClaims(claims: unknown): Licence | Problem {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    return { en: 'the payload is not an object', fr: "le contenu n'est pas un objet" };
  }
  const c = claims as Record<string, unknown>;
  if (c.v !== 1) return { en: 'unknown licence version', fr: 'version de licence inconnue' };
  const text = (value: unknown, max: number) =>
    typeof value === 'string' &&
    value.trim() !== '' &&
    value.length <= max &&
    ![...value].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20);
  const day = (value: unknown) =>
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test(value) &&
    !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
  if (!text(c.organisation, 200)) return { en: 'organisation missing', fr: 'organisation absente' };
  if (!text(c.licenceNumber, 64)) return { en: 'licence number missing', fr: 'numéro de licence absent' };
  if (typeof c.clientLimit !== 'number' || !Number.isSafeInteger(c.clientLimit)) {
    return { en: 'client limit missing', fr: 'limite de clients absente' };
  }
  if (
    c.userLimit !== undefined &&
    !(typeof c.userLimit === 'number' && Number.isSafeInteger(c.userLimit) && c.userLimit > 0)
  ) {
    return { en: 'invalid user limit', fr: "limite d'utilisateurs invalide" };
  }
  if (!day(c.issuedOn) || !day(c.expiresOn)) {
    return { en: 'issue or expiry date missing', fr: "date d'émission ou d'expiration absente" };
  }
  return {
    organisation: c.organisation as string,
    licenceNumber: c.licenceNumber as string,
    clientLimit: c.clientLimit,
    ...(c.userLimit !== undefined ? { userLimit: c.userLimit as number } : {}),
    issuedOn: c.issuedOn as string,
    expiresOn: c.expiresOn as string,
  };
}

function toKey(key: KeyObject | string): KeyObject {
  const object = typeof key === 'string' ? createPublicKey(key) : key;
  if (object.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  return object;
}

function malformed(en: string, fr: string): LicenceResult {
  return { ok: false, error: new BillingError('licence-malformed', { en, fr }) };
}
