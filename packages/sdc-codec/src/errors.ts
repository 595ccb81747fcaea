/** Every failure the codec reports, by a stable code that scripts and callers may rely on. */
export const SDC_ERROR_CODES = [
  'malformed',
  'unsupported-version',
  'unsupported-algorithm',
  'not-for-me',
  'decrypt-failed',
  'bad-signature',
  'unknown-signer',
  'untrusted-signer',
  'expired-signer',
  'revoked-signer',
  'schema-mismatch',
  'too-large',
  'decompression-limit',
  'invalid-input',
  'invalid-key',
  'unknown-dictionary',
] as const;

export type SdcErrorCode = (typeof SDC_ERROR_CODES)[number];

const MESSAGES: Readonly<Record<SdcErrorCode, { en: string; fr: string }>> = {
  malformed: { en: 'The container is malformed', fr: 'Le conteneur est mal formé' },
  'unsupported-version': {
    en: 'The container uses a format version this codec does not support',
    fr: 'Le conteneur utilise une version de format que ce codec ne prend pas en charge',
  },
  'unsupported-algorithm': {
    en: 'The container uses an algorithm this codec does not support',
    fr: 'Le conteneur utilise un algorithme que ce codec ne prend pas en charge',
  },
  'not-for-me': {
    en: 'The container is not addressed to this recipient',
    fr: "Le conteneur n'est pas adressé à ce destinataire",
  },
  'decrypt-failed': {
    en: 'The container could not be decrypted',
    fr: "Le conteneur n'a pas pu être déchiffré",
  },
  'bad-signature': { en: 'The signature is not valid', fr: "La signature n'est pas valide" },
  'unknown-signer': { en: 'The signer is unknown', fr: 'Le signataire est inconnu' },
  'untrusted-signer': {
    en: 'The signer is not trusted',
    fr: "Le signataire n'est pas reconnu comme digne de confiance",
  },
  'expired-signer': {
    en: "The signer's certificate has expired or is not yet valid",
    fr: "Le certificat du signataire a expiré ou n'est pas encore valide",
  },
  'revoked-signer': {
    en: "The signer's certificate has been revoked",
    fr: 'Le certificat du signataire a été révoqué',
  },
  'schema-mismatch': {
    en: 'The rows do not match the table contract',
    fr: 'Les fiches ne correspondent pas au contrat de la table',
  },
  'too-large': {
    en: 'The container exceeds a configured limit',
    fr: 'Le conteneur dépasse une limite configurée',
  },
  'decompression-limit': {
    en: 'The payload decompresses beyond the configured limit',
    fr: 'La charge utile dépasse la limite configurée une fois décompressée',
  },
  'invalid-input': { en: 'The input is not valid', fr: "L'entrée n'est pas valide" },
  'invalid-key': {
    en: 'The key or certificate cannot be used',
    fr: 'La clé ou le certificat ne peut pas être utilisé',
  },
  'unknown-dictionary': {
    en: 'The container was packed with a dictionary this receiver does not have',
    fr: "Le conteneur a été compacté avec un dictionnaire que ce destinataire n'a pas",
  },
};

/** The user-facing sentence for a code, in English or French. */
export function describeSdcError(code: SdcErrorCode, lang: 'en' | 'fr' = 'en'): string {
  return MESSAGES[code][lang];
}

const MARKER = Symbol.for('@xmcomm/sdc-codec/SdcError');

/** The one error class of this package; `code` is stable, `message` is English, `describeSdcError` gives French. */
export class SdcError extends Error {
  readonly code: SdcErrorCode;
  readonly [MARKER] = true;

  constructor(code: SdcErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${MESSAGES[code].en}: ${detail}` : MESSAGES[code].en, options);
    this.name = 'SdcError';
    this.code = code;
  }

  /** True for an SdcError even when two copies of the package are loaded. */
  static isInstance(value: unknown): value is SdcError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

/** What every decoder returns: a value, or a typed error; never a throw on hostile bytes. */
export type SdcResult<T> = { ok: true; value: T } | { ok: false; error: SdcError };

export function fail(code: SdcErrorCode, detail?: string, cause?: unknown): { ok: false; error: SdcError } {
  return { ok: false, error: new SdcError(code, detail, cause === undefined ? undefined : { cause }) };
}
