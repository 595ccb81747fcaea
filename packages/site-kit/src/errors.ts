import type { FieldError } from './record-type.js';

export const siteKitErrorCodes = [
  'not-found',
  'invalid-record',
  'invalid-state',
  'forbidden',
  'read-only',
  'bad-login',
  'account-locked',
  'suspended',
  'weak-password',
  'invalid-login',
  'duplicate-login',
  'user-limit',
  'last-head',
  'key-unavailable',
  'unknown-record-type',
  'invalid-settings',
  'database',
] as const;

export type SiteKitErrorCode = (typeof siteKitErrorCodes)[number];

/** What a message is built from; kept on the error so an app can word it its own way. */
export type SiteKitErrorParams = Readonly<Record<string, string | number>>;

type Language = 'en' | 'fr';

const messages: Record<SiteKitErrorCode, Record<Language, (p: SiteKitErrorParams) => string>> = {
  'not-found': {
    en: (p) => `No ${p.what} ${p.id}.`,
    fr: (p) => `Aucun(e) ${p.whatFr} ${p.id}.`,
  },
  'invalid-record': {
    en: (p) => `The record is not valid (${p.count} problem(s)).`,
    fr: (p) => `La fiche n'est pas valide (${p.count} problème(s)).`,
  },
  'invalid-state': { en: (p) => `${p.detail}`, fr: (p) => `${p.detailFr}` },
  forbidden: {
    en: (p) => `${p.login} (${p.role}) may not ${p.action}: this needs the ${p.needed} privilege.`,
    fr: (p) => `${p.login} (${p.roleFr}) ne peut pas ${p.actionFr} : il faut le privilège ${p.neededFr}.`,
  },
  'read-only': {
    en: (p) => `Record ${p.id} was imported from ${p.origin} and is read-only.`,
    fr: (p) => `La fiche ${p.id} a été importée de ${p.origin} et n'est pas modifiable.`,
  },
  'bad-login': {
    en: () => 'Unknown user or wrong password.',
    fr: () => 'Utilisateur inconnu ou mot de passe incorrect.',
  },
  'account-locked': {
    en: (p) =>
      `User ${p.login} is locked after repeated wrong passwords until ${p.until}; the head of the site can lift the lock at once.`,
    fr: (p) =>
      `L'utilisateur ${p.login} est verrouillé après des mots de passe erronés répétés jusqu'à ${p.until} ; le chef du site peut le déverrouiller aussitôt.`,
  },
  suspended: {
    en: (p) => `User ${p.login} is suspended.`,
    fr: (p) => `L'utilisateur ${p.login} est suspendu.`,
  },
  'weak-password': { en: (p) => `${p.detail}`, fr: (p) => `${p.detailFr}` },
  'invalid-login': { en: (p) => `${p.detail}`, fr: (p) => `${p.detailFr}` },
  'duplicate-login': {
    en: (p) => `A user named ${p.login} already exists.`,
    fr: (p) => `Un utilisateur ${p.login} existe déjà.`,
  },
  'user-limit': {
    en: (p) => `A site has at most ${p.limit} active ${p.role} user(s).`,
    fr: (p) => `Un site a au plus ${p.limit} utilisateur(s) actif(s) ${p.roleFr}.`,
  },
  'last-head': { en: (p) => `${p.detail}`, fr: (p) => `${p.detailFr}` },
  'key-unavailable': {
    en: (p) => `The signing key cannot be used: ${p.detail}`,
    fr: (p) => `La clé de signature est inutilisable : ${p.detailFr}`,
  },
  'unknown-record-type': {
    en: (p) => `No record type ${p.type}; this site knows ${p.known}.`,
    fr: (p) => `Aucun type de fiche ${p.type} ; ce site connaît ${p.known}.`,
  },
  'invalid-settings': { en: (p) => `${p.detail}`, fr: (p) => `${p.detailFr}` },
  database: {
    en: (p) => `The site's database cannot be used: ${p.detail}`,
    fr: (p) => `La base de données du site est inutilisable : ${p.detailFr}`,
  },
};

/**
 * The kit's one error: a stable `code`, the English `message`, the French `messageFr`, the `params`
 * the messages are made of, and for `invalid-record` every field problem in both languages.
 */
export class SiteKitError extends Error {
  override readonly name = 'SiteKitError';
  readonly code: SiteKitErrorCode;
  readonly messageFr: string;
  readonly params: SiteKitErrorParams;
  readonly fieldErrors: readonly FieldError[];

  constructor(
    code: SiteKitErrorCode,
    params: SiteKitErrorParams = {},
    options: { readonly cause?: unknown; readonly fieldErrors?: readonly FieldError[] } = {},
  ) {
    super(messages[code].en(params), options.cause === undefined ? {} : { cause: options.cause });
    this.code = code;
    this.params = params;
    this.messageFr = messages[code].fr(params);
    this.fieldErrors = options.fieldErrors ?? [];
  }

  messageIn(language: Language): string {
    return language === 'fr' ? this.messageFr : this.message;
  }

  static isInstance(value: unknown): value is SiteKitError {
    return value instanceof SiteKitError;
  }
}
