import type { ErrorParams, T2dErrorCode } from './errors.js';

export type Language = 'en' | 'fr';

type Template = (p: ErrorParams) => string;

const errors: { readonly [C in T2dErrorCode]: { readonly en: Template; readonly fr: Template } } = {
  'invalid-argument': {
    en: (p) => `Invalid ${p.name}: ${p.value}.`,
    fr: (p) => `${p.name} invalide : ${p.value}.`,
  },
  'invalid-matricule': {
    en: (p) => `Invalid matricule "${p.value}": 1-32 letters, digits, dots, dashes or underscores.`,
    fr: (p) => `Matricule « ${p.value} » invalide : 1 à 32 lettres, chiffres, points, tirets ou soulignés.`,
  },
  'medium-unavailable': {
    en: (p) => `The medium ${p.path} is not there: is the stick mounted?`,
    fr: (p) => `Le support ${p.path} est introuvable : la clé est-elle montée ?`,
  },
  'medium-unwritable': {
    en: (p) => `Cannot write to ${p.path} (${p.reason}): is the stick read-only or pulled out?`,
    fr: (p) => `Écriture impossible sur ${p.path} (${p.reason}) : la clé est-elle protégée ou retirée ?`,
  },
  'medium-full': {
    en: (p) => `No space left on ${p.path}: nothing incomplete was left; free space and export again.`,
    fr: (p) =>
      `Plus de place sur ${p.path} : rien d'incomplet n'a été laissé ; libérez de la place et exportez à nouveau.`,
  },
  'database-unavailable': {
    en: (p) => `The database ${p.url} cannot be reached.`,
    fr: (p) => `La base de données ${p.url} est injoignable.`,
  },
  'key-unreadable': {
    en: (p) =>
      `Cannot read the key ${p.path}: wrong passphrase (XM_KEY_PASSPHRASE or XM_KEY_PASSPHRASE_FILE) or not a key.`,
    fr: (p) =>
      `Clé ${p.path} illisible : phrase de passe erronée (XM_KEY_PASSPHRASE ou XM_KEY_PASSPHRASE_FILE) ou fichier qui n'est pas une clé.`,
  },
  'config-invalid': {
    en: (p) => `Configuration: ${p.detail}.`,
    fr: (p) => `Configuration : ${p.detailFr ?? p.detail}.`,
  },
  'secret-in-config': {
    en: () =>
      'The database URL carries a password: put it in PGPASSWORD or ~/.pgpass, never on the command line.',
    fr: () =>
      "L'URL de la base contient un mot de passe : mettez-le dans PGPASSWORD ou ~/.pgpass, jamais en ligne de commande.",
  },
  internal: {
    en: (p) => `Internal error: ${p.detail ?? 'unexpected'}.`,
    fr: (p) => `Erreur interne : ${p.detail ?? 'inattendue'}.`,
  },
};

export function describeError(code: T2dErrorCode, params: ErrorParams, lang: Language): string {
  return errors[code][lang](params);
}

const words = {
  en: {
    exported: (items: number, rows: number, written: number, present: number) =>
      `${items} container(s) (${rows} rows) on the medium: ${written} written, ${present} already there. They stay in the outbox until their receipt comes back.`,
    nothingToExport: 'Nothing waiting for the server: nothing written.',
    sealed: (n: number) => `${n} new container(s) sealed from validated rows.`,
    imported: (receipts: number, responses: number, duplicates: number, accepted: number, rejected: number) =>
      `${receipts} receipt(s) and ${responses} import response(s) applied, ${duplicates} already received; rows accepted ${accepted}, rejected ${rejected}.`,
    waiting: (n: number) => `${n} outbox item(s) still waiting for a receipt.`,
    ingested: (applied: number, duplicates: number, replays: number, accepted: number, rejected: number) =>
      `${applied} container(s) applied, ${duplicates} already received, ${replays} replay(s) refused; rows accepted ${accepted}, rejected ${rejected}.`,
    replies: (site: string, n: number) => `${n} reply container(s) written for ${site}.`,
    refused: (reason: string, n: number) => `${n} container(s) refused: ${reason}.`,
    skipped: (kind: string, path: string) => `skipped (${kind}): ${path}`,
  },
  fr: {
    exported: (items: number, rows: number, written: number, present: number) =>
      `${items} conteneur(s) (${rows} fiches) sur le support : ${written} écrit(s), ${present} déjà présent(s). Ils restent dans la boîte d'envoi jusqu'au retour de leur accusé.`,
    nothingToExport: "Rien n'attend le serveur : rien n'a été écrit.",
    sealed: (n: number) => `${n} nouveau(x) conteneur(s) scellé(s) à partir des fiches validées.`,
    imported: (receipts: number, responses: number, duplicates: number, accepted: number, rejected: number) =>
      `${receipts} accusé(s) et ${responses} réponse(s) d'import appliqué(s), ${duplicates} déjà reçu(s) ; fiches acceptées ${accepted}, rejetées ${rejected}.`,
    waiting: (n: number) => `${n} envoi(s) attendent encore leur accusé.`,
    ingested: (applied: number, duplicates: number, replays: number, accepted: number, rejected: number) =>
      `${applied} conteneur(s) appliqué(s), ${duplicates} déjà reçu(s), ${replays} rejeu(x) refusé(s) ; fiches acceptées ${accepted}, rejetées ${rejected}.`,
    replies: (site: string, n: number) => `${n} conteneur(s) de réponse écrit(s) pour ${site}.`,
    refused: (reason: string, n: number) => `${n} conteneur(s) refusé(s) : ${reason}.`,
    skipped: (kind: string, path: string) => `ignoré (${kind}) : ${path}`,
  },
} as const;

export function summaryWords(lang: Language) {
  return words[lang];
}

export function pickLanguage(flag: string | undefined, env: NodeJS.ProcessEnv): Language {
  const value = flag ?? env.XM_LANG ?? env.LC_ALL ?? env.LANG ?? '';
  return value.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}
