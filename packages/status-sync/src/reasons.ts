/**
 * Why the server refused a row or a whole container. Receipts carry the code, optionally followed by
 * `: ` and an English detail; sites show `describeReason(code, lang)`.
 */
export const rejectionReasons = [
  'schema-mismatch',
  'invalid-field',
  'duplicate-niu',
  'foreign-niu',
  'insufficient-credit',
  'quota-exceeded',
  'suspended',
  'service-not-allowed',
  'unknown-table',
  'invalid-filter',
  'replay',
  'unsupported-kind',
  'missing-from-receipt',
  'unknown-client',
  'unknown-dictionary',
  'purpose-required',
] as const;

export type RejectionReason = (typeof rejectionReasons)[number];

/**
 * Refusals about the site's account (its credit, status or quota), not about a row: the rows keep
 * their verification, validation and NIU and wait, ready, until the server says the account allows
 * them (its account message with status 3). Every other refusal is about the row, which goes back to
 * the site's users for correction.
 */
export const accountRefusals = [
  'insufficient-credit',
  'quota-exceeded',
  'suspended',
  'service-not-allowed',
] as const satisfies readonly RejectionReason[];

export function isAccountRefusal(code: string): boolean {
  return (accountRefusals as readonly string[]).includes(code);
}

const texts: Readonly<Record<RejectionReason, { en: string; fr: string }>> = {
  'schema-mismatch': {
    en: "The row does not match the server's table contract",
    fr: 'La fiche ne correspond pas au contrat de table du serveur',
  },
  'invalid-field': { en: 'A field of the row is not valid', fr: "Un champ de la fiche n'est pas valide" },
  'duplicate-niu': {
    en: 'The server already has another row with this NIU',
    fr: 'Le serveur a déjà une autre fiche avec ce NIU',
  },
  'foreign-niu': {
    en: "The NIU does not belong to this site: it must begin with the site's centre code as the server registered it",
    fr: 'Le NIU n’appartient pas à ce site : il doit commencer par le code de centre que le serveur a enregistré pour lui',
  },
  'insufficient-credit': {
    en: 'The account has not enough credit',
    fr: "Le compte n'a pas assez de crédit",
  },
  'quota-exceeded': { en: 'The read quota is used up', fr: 'Le quota de lecture est épuisé' },
  suspended: { en: 'The site is suspended', fr: 'Le site est suspendu' },
  'service-not-allowed': {
    en: "The site's status does not allow this service",
    fr: 'Le statut du site ne permet pas ce service',
  },
  'unknown-table': { en: 'The server does not know this table', fr: 'Le serveur ne connaît pas cette table' },
  'invalid-filter': { en: 'The import filter is not valid', fr: "Le filtre d'import n'est pas valide" },
  replay: {
    en: 'The container is a replay of an old one',
    fr: "Le conteneur est la répétition d'un ancien conteneur",
  },
  'unsupported-kind': {
    en: 'The server does not accept this kind of container',
    fr: "Le serveur n'accepte pas ce type de conteneur",
  },
  'unknown-client': { en: 'The server does not know this site', fr: 'Le serveur ne connaît pas ce site' },
  'purpose-required': {
    en: 'The table is restricted: a request for its rows needs who asks and why, declared first, and conditions that name one person',
    fr: 'La table est protégée : une demande de ses fiches exige d’abord qui la fait et pourquoi, et des conditions qui désignent une personne',
  },
  'unknown-dictionary': {
    en: 'The server does not have the dictionary the rows were packed with',
    fr: "Le serveur n'a pas le dictionnaire avec lequel les fiches ont été compactées",
  },
  'missing-from-receipt': {
    en: "The server's receipt did not mention the row",
    fr: "L'accusé de réception du serveur ne mentionnait pas la fiche",
  },
};

/** `invalid-field: child_sex is not allowed` -> `{ code: 'invalid-field', detail: 'child_sex ...' }`. */
export function parseReason(text: string): { code: string; detail: string | null } {
  const at = text.indexOf(': ');
  return at < 0 ? { code: text, detail: null } : { code: text.slice(0, at), detail: text.slice(at + 2) };
}

export function formatReason(code: RejectionReason, detail?: string): string {
  return detail ? `${code}: ${detail}` : code;
}

/** The sentence for a reason code in English or French; an unknown code is shown as it is. */
export function describeReason(code: string, lang: 'en' | 'fr' = 'en'): string {
  const text = (texts as Readonly<Record<string, { en: string; fr: string }>>)[code];
  return text ? text[lang] : code;
}
