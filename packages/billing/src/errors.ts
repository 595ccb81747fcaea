/** Stable error codes of billing; callers switch on these, never on messages. */
export const billingErrorCodes = [
  'invalid-input',
  'unknown-client',
  'unknown-entry',
  'unknown-tariff',
  'insufficient-credit',
  'duplicate-matricule',
  'duplicate-centre-code',
  'client-limit-reached',
  'user-limit-reached',
  'licence-malformed',
  'licence-bad-signature',
  'licence-expired',
  'licence-wrong-organisation',
  'licence-invalid-limit',
  'history-conflict',
] as const;

export type BillingErrorCode = (typeof billingErrorCodes)[number];

const messages: Record<BillingErrorCode, { readonly en: string; readonly fr: string }> = {
  'invalid-input': { en: 'Invalid billing input', fr: 'Donnée de facturation invalide' },
  'unknown-client': { en: 'No such client or account', fr: 'Client ou compte inconnu' },
  'unknown-entry': { en: 'No such ledger entry on this account', fr: 'Écriture inconnue sur ce compte' },
  'unknown-tariff': { en: 'No such tariff', fr: 'Tarif inconnu' },
  'insufficient-credit': {
    en: 'Not enough credit on the account',
    fr: 'Crédit insuffisant sur le compte',
  },
  'duplicate-matricule': {
    en: 'A client with this matricule is already registered',
    fr: 'Un client avec ce matricule est déjà enregistré',
  },
  'duplicate-centre-code': {
    en: 'Another client already has this centre code',
    fr: 'Un autre client a déjà ce code de centre',
  },
  'client-limit-reached': {
    en: 'The client limit of this edition is reached',
    fr: 'La limite de clients de cette édition est atteinte',
  },
  'user-limit-reached': {
    en: 'The user limit of this edition is reached',
    fr: "La limite d'utilisateurs de cette édition est atteinte",
  },
  'licence-malformed': { en: 'The licence key is malformed', fr: 'La clé de licence est mal formée' },
  'licence-bad-signature': {
    en: 'The licence key is not signed by the publisher',
    fr: "La clé de licence n'est pas signée par l'éditeur",
  },
  'licence-expired': { en: 'The licence key has expired', fr: 'La clé de licence a expiré' },
  'licence-wrong-organisation': {
    en: 'The licence key belongs to another organisation',
    fr: 'La clé de licence appartient à une autre organisation',
  },
  'licence-invalid-limit': {
    en: 'The licence key states a client limit outside 1,000 to 100,000',
    fr: 'La clé de licence indique une limite de clients hors de 1 000 à 100 000',
  },
  'history-conflict': {
    en: 'Another transaction wrote the same charge first; retry the transaction',
    fr: 'Une autre transaction a enregistré la même facturation ; recommencez la transaction',
  },
};

const marker = Symbol.for('@xmcomm/billing.error');

/** The one error class of billing: a stable `code`, an English `message`, the French in `messageFr`. */
export class BillingError extends Error {
  readonly [marker] = true;
  override readonly name = 'BillingError';
  readonly code: BillingErrorCode;
  readonly messageFr: string;
  /** The input field an `invalid-input` is about (`perRow`, `from`), when it is about one. */
  readonly field: string | undefined;

  constructor(
    code: BillingErrorCode,
    detail?: { readonly en: string; readonly fr: string },
    options?: { cause?: unknown; field?: string },
  ) {
    super(
      detail ? `${messages[code].en}: ${detail.en}` : messages[code].en,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.messageFr = detail ? `${messages[code].fr} : ${detail.fr}` : messages[code].fr;
    this.field = options?.field;
  }

  /** True for a BillingError even when two copies of the package are loaded. */
  static isInstance(value: unknown): value is BillingError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/** The user-facing text of a code, in English or French. */
export function describeBillingError(code: BillingErrorCode, lang: 'en' | 'fr' = 'en'): string {
  return messages[code][lang];
}
