/** Every failure this package reports, by a stable code that callers and scripts may rely on. */
export const PKI_ERROR_CODES = [
  'malformed-pem',
  'malformed-der',
  'passphrase-required',
  'wrong-passphrase',
  'unsupported-algorithm',
  'unsupported-key',
  'key-mismatch',
  'bad-signature',
  'unknown-issuer',
  'not-a-ca',
  'path-too-long',
  'unsupported-critical-extension',
  'unknown-signer',
  'untrusted-signer',
  'expired',
  'not-yet-valid',
  'revoked',
  'wrong-key-usage',
  'ca-as-end-entity',
  'invalid-argument',
] as const;

export type PkiErrorCode = (typeof PKI_ERROR_CODES)[number];

interface Sentence {
  readonly en: string;
  readonly fr: string;
}

/** What went wrong and what to do about it, per code. */
const MESSAGES: Readonly<Record<PkiErrorCode, Sentence>> = {
  'malformed-pem': {
    en: 'The PEM text is malformed: check that the file is complete and holds the expected "-----BEGIN ...-----" block.',
    fr: 'Le texte PEM est mal formé : vérifiez que le fichier est complet et contient le bloc « -----BEGIN ...----- » attendu.',
  },
  'malformed-der': {
    en: 'The binary (DER) data is not the expected structure: check the file type and that it was not truncated.',
    fr: "Les données binaires (DER) n'ont pas la structure attendue : vérifiez le type de fichier et qu'il n'est pas tronqué.",
  },
  'passphrase-required': {
    en: 'The key is encrypted: provide its passphrase.',
    fr: 'La clé est chiffrée : fournissez sa phrase secrète.',
  },
  'wrong-passphrase': {
    en: 'The passphrase is wrong (or the file is damaged): try again with the right passphrase.',
    fr: 'La phrase secrète est incorrecte (ou le fichier est endommagé) : réessayez avec la bonne phrase secrète.',
  },
  'unsupported-algorithm': {
    en: 'The data uses an algorithm this package does not support: re-export it with ECDSA P-256 or RSA, SHA-256 and AES (OpenSSL 3 defaults).',
    fr: "Les données utilisent un algorithme non pris en charge : réexportez-les avec ECDSA P-256 ou RSA, SHA-256 et AES (valeurs par défaut d'OpenSSL 3).",
  },
  'unsupported-key': {
    en: 'The key type or size is not allowed: use ECDSA P-256/P-384/P-521 or RSA of at least 2048 bits.',
    fr: 'Le type ou la taille de clé est refusé : utilisez ECDSA P-256/P-384/P-521 ou RSA de 2048 bits au moins.',
  },
  'key-mismatch': {
    en: 'The private key does not belong to the certificate: pair each certificate with its own key.',
    fr: 'La clé privée ne correspond pas au certificat : associez chaque certificat à sa propre clé.',
  },
  'bad-signature': {
    en: 'A signature does not verify: the data was altered or signed with another key; obtain a fresh copy from its issuer.',
    fr: "Une signature n'est pas valide : les données ont été modifiées ou signées avec une autre clé ; obtenez une copie neuve auprès de l'émetteur.",
  },
  'unknown-issuer': {
    en: "The issuer is not in the trust store: add the issuing CA's certificate (and any intermediate) before using this one.",
    fr: "L'émetteur n'est pas dans le magasin de confiance : ajoutez le certificat de l'AC émettrice (et des intermédiaires) avant d'utiliser celui-ci.",
  },
  'not-a-ca': {
    en: 'A certificate in the chain signs others but is not a CA certificate: the chain is not acceptable; ask the issuer for a proper CA.',
    fr: "Un certificat de la chaîne en signe d'autres sans être un certificat d'AC : la chaîne est refusée ; demandez une AC conforme à l'émetteur.",
  },
  'path-too-long': {
    en: "The chain is longer than a CA's path-length constraint allows: ask the issuer for a shorter chain.",
    fr: "La chaîne dépasse la longueur permise par une AC : demandez une chaîne plus courte à l'émetteur.",
  },
  'unsupported-critical-extension': {
    en: 'The certificate or CRL has a critical extension this package does not process: it cannot be accepted.',
    fr: 'Le certificat ou la LCR contient une extension critique non traitée : il ne peut pas être accepté.',
  },
  'unknown-signer': {
    en: 'No certificate is known for this signer: register the site certificate or send it with the message.',
    fr: "Aucun certificat n'est connu pour ce signataire : enregistrez le certificat du site ou joignez-le au message.",
  },
  'untrusted-signer': {
    en: "The signer's certificate does not chain to a trusted CA: trust its CA, or issue the site a certificate from the national CA.",
    fr: "Le certificat du signataire ne remonte pas à une AC de confiance : faites confiance à son AC ou délivrez au site un certificat de l'AC nationale.",
  },
  expired: {
    en: 'The certificate has expired: renew it (new CSR, new certificate).',
    fr: 'Le certificat a expiré : renouvelez-le (nouvelle demande, nouveau certificat).',
  },
  'not-yet-valid': {
    en: "The certificate is not valid yet: check the machine's clock, or wait for its start date.",
    fr: "Le certificat n'est pas encore valide : vérifiez l'horloge de la machine ou attendez sa date de début.",
  },
  revoked: {
    en: 'The certificate has been revoked: the site must enrol again to obtain a new certificate.',
    fr: 'Le certificat a été révoqué : le site doit refaire une demande pour obtenir un nouveau certificat.',
  },
  'wrong-key-usage': {
    en: 'The certificate is not allowed for this use (key usage): issue one with the right key usage.',
    fr: "Le certificat n'est pas autorisé pour cet usage (usage de clé) : délivrez-en un avec l'usage adéquat.",
  },
  'ca-as-end-entity': {
    en: 'A CA certificate is used as a site or signer certificate: issue the site its own end-entity certificate.',
    fr: "Un certificat d'AC est utilisé comme certificat de site ou de signataire : délivrez au site son propre certificat.",
  },
  'invalid-argument': {
    en: 'An argument is missing or out of range: check the call against the documentation.',
    fr: "Un argument manque ou est hors limites : vérifiez l'appel d'après la documentation.",
  },
};

/** The user-facing sentence for a code, in English or French: what went wrong and what to do. */
export function describePkiError(code: PkiErrorCode, lang: 'en' | 'fr' = 'en'): string {
  return MESSAGES[code][lang];
}

const MARKER = Symbol.for('@xmcomm/pki/PkiError');

export interface PkiErrorOptions {
  /** A detail appended to the standard sentence, e.g. the certificate's subject. */
  readonly detail?: string;
  readonly cause?: unknown;
}

/**
 * The one error class of this package. `code` is stable; `message` is the English sentence for the
 * code plus a detail; `describePkiError(code, 'fr')` gives the French sentence.
 */
export class PkiError extends Error {
  readonly code: PkiErrorCode;
  readonly detail: string | undefined;
  readonly [MARKER] = true;

  constructor(code: PkiErrorCode, options: PkiErrorOptions = {}) {
    const sentence = describePkiError(code);
    super(options.detail ? `${sentence} (${options.detail})` : sentence, { cause: options.cause });
    this.name = 'PkiError';
    this.code = code;
    this.detail = options.detail;
  }

  /** True for a PkiError from any copy of this package (a `Symbol.for` marker, not `instanceof`). */
  static isInstance(value: unknown): value is PkiError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }

  /** The French message: the French sentence plus the same detail. */
  get messageFr(): string {
    const sentence = describePkiError(this.code, 'fr');
    return this.detail ? `${sentence} (${this.detail})` : sentence;
  }

  toJSON(): { name: string; code: PkiErrorCode; message: string; detail?: string } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}

/** An expected failure as a value. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: PkiError };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** The value of a result, or its error thrown: for setup code where a failure should stop everything. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw result.error;
}

/** Runs `body`, turning a thrown PkiError into a failed result (anything else is a bug and is rethrown). */
export function attempt<T>(body: () => T): Result<T> {
  try {
    return ok(body());
  } catch (error) {
    if (PkiError.isInstance(error)) return { ok: false, error };
    throw error;
  }
}

/**
 * Runs a decoder: a PkiError passes through, anything else thrown by a parsing library on hostile
 * input becomes `malformed-der` for `what`, so that decoders never crash.
 */
export function decoding<T>(what: string, body: () => T): T {
  try {
    return body();
  } catch (cause) {
    if (PkiError.isInstance(cause)) throw cause;
    throw new PkiError('malformed-der', { detail: what, cause });
  }
}
