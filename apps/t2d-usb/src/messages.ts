import { describeSdcError, SDC_ERROR_CODES, type SdcErrorCode } from '@xmcomm/sdc-codec';
import { describeReason, rejectionReasons } from '@xmcomm/status-sync';
import type { ErrorParams, T2dErrorCode } from './errors.js';
import type { MediumIssue, MediumIssueDetailCode, MediumIssueKind } from './medium/read-medium.js';

export type Language = 'en' | 'fr';

type Template = (p: ErrorParams) => string;

const errors: { readonly [C in T2dErrorCode]: { readonly en: Template; readonly fr: Template } } = {
  'invalid-argument': {
    en: (p) => `Invalid ${p.name}: ${p.value}.`,
    fr: (p) => `${p.nameFr ?? p.name} invalide : ${p.value}.`,
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
    nothingToExport:
      'Nothing to export: no outbox item waits for the server, so nothing was written on the medium.',
    sealed: (n: number) => `${n} new container(s) sealed from validated rows.`,
    imported: (receipts: number, responses: number, duplicates: number, accepted: number, rejected: number) =>
      `${receipts} receipt(s) and ${responses} import response(s) applied, ${duplicates} already received; rows accepted ${accepted}, rejected ${rejected}.`,
    waiting: (n: number) => `${n} outbox item(s) still waiting for a receipt.`,
    held: (n: number) =>
      `${n} row(s) held, still validated: the server refused the site's account, not the rows; they go again once the server says the account allows them.`,
    ingested: (applied: number, duplicates: number, replays: number, accepted: number, rejected: number) =>
      `${applied} container(s) applied, ${duplicates} already received, ${replays} replay(s) refused; rows accepted ${accepted}, rejected ${rejected}.`,
    replies: (site: string, n: number) => `${n} reply container(s) written for ${site}.`,
    refused: (reason: string, n: number) =>
      `${n} container(s) refused, not applied: ${describeRefusal(reason, 'en')} (${reason}).`,
    rejected: (reason: string, n: number) =>
      `${n} container(s) rejected as a whole, the site told why: ${describeRefusal(reason, 'en')} (${reason}).`,
  },
  fr: {
    exported: (items: number, rows: number, written: number, present: number) =>
      `${items} conteneur(s) (${rows} fiches) sur le support : ${written} écrit(s), ${present} déjà présent(s). Ils restent dans la boîte d'envoi jusqu'au retour de leur accusé.`,
    nothingToExport:
      "Rien à exporter : aucun envoi n'attend le serveur, donc rien n'a été écrit sur le support.",
    sealed: (n: number) => `${n} nouveau(x) conteneur(s) scellé(s) à partir des fiches validées.`,
    imported: (receipts: number, responses: number, duplicates: number, accepted: number, rejected: number) =>
      `${receipts} accusé(s) et ${responses} réponse(s) d'import appliqué(s), ${duplicates} déjà reçu(s) ; fiches acceptées ${accepted}, rejetées ${rejected}.`,
    waiting: (n: number) => `${n} envoi(s) attendent encore leur accusé.`,
    held: (n: number) =>
      `${n} fiche(s) retenue(s), toujours validée(s) : le serveur a refusé le compte du site, pas les fiches ; elles repartent dès qu'il dit que le compte le permet.`,
    ingested: (applied: number, duplicates: number, replays: number, accepted: number, rejected: number) =>
      `${applied} conteneur(s) appliqué(s), ${duplicates} déjà reçu(s), ${replays} rejeu(x) refusé(s) ; fiches acceptées ${accepted}, rejetées ${rejected}.`,
    replies: (site: string, n: number) => `${n} conteneur(s) de réponse écrit(s) pour ${site}.`,
    refused: (reason: string, n: number) =>
      `${n} conteneur(s) refusé(s), non appliqué(s) : ${describeRefusal(reason, 'fr')} (${reason}).`,
    rejected: (reason: string, n: number) =>
      `${n} conteneur(s) rejeté(s) en entier, le site en reçoit la raison : ${describeRefusal(reason, 'fr')} (${reason}).`,
  },
} as const;

type Sentence = { readonly en: string; readonly fr: string };
type Worded = { readonly en: (v: ErrorParams) => string; readonly fr: (v: ErrorParams) => string };

const issueKinds: { readonly [K in MediumIssueKind]: Sentence } = {
  corrupt: { en: 'corrupt', fr: 'corrompu' },
  truncated: { en: 'truncated', fr: 'tronqué' },
  'interrupted-write': { en: 'interrupted-write', fr: 'écriture interrompue' },
  foreign: { en: 'foreign', fr: 'étranger à XMcomm' },
  unlisted: { en: 'unlisted', fr: 'absent de tout manifeste' },
  missing: { en: 'missing', fr: 'manquant' },
  'bad-manifest': { en: 'bad-manifest', fr: 'manifeste invalide' },
  'bad-signature': { en: 'bad-signature', fr: 'signature invalide' },
  'too-large': { en: 'too-large', fr: 'trop grand' },
  unreadable: { en: 'unreadable', fr: 'illisible' },
};

const issueDetails: { readonly [C in MediumIssueDetailCode]: Worded } = {
  'not-a-regular-file': { en: () => 'not a regular file', fr: () => 'pas un fichier ordinaire' },
  'not-a-folder': { en: () => 'not a folder', fr: () => 'pas un dossier' },
  'not-a-matricule': { en: () => 'not a matricule', fr: () => 'pas un matricule' },
  'larger-than-limit': {
    en: (v) => (v.bytes === undefined ? `more than ${v.max} bytes` : `${v.bytes} bytes, at most ${v.max}`),
    fr: (v) => (v.bytes === undefined ? `plus de ${v.max} octets` : `${v.bytes} octets, au plus ${v.max}`),
  },
  'system-error': { en: (v) => `system error ${v.error}`, fr: (v) => `erreur système ${v.error}` },
  'addressed-elsewhere': {
    en: (v) => `says ${v.sender} -> ${v.recipient}, batch ${v.batchId}`,
    fr: (v) => `indique ${v.sender} -> ${v.recipient}, lot ${v.batchId}`,
  },
  'shorter-than-listed': {
    en: (v) => `${v.bytes} of ${v.listed} bytes`,
    fr: (v) => `${v.bytes} octets sur ${v.listed}`,
  },
  'content-does-not-match-name': {
    en: () => 'content does not match its name',
    fr: () => 'le contenu ne correspond pas à son nom',
  },
  'not-json': { en: () => 'not JSON', fr: () => 'pas du JSON' },
  'not-a-signed-manifest': { en: () => 'not a signed manifest', fr: () => 'pas un manifeste signé' },
  'malformed-signature': { en: () => 'malformed signature', fr: () => 'signature mal formée' },
  'malformed-manifest': { en: () => 'malformed manifest', fr: () => 'manifeste mal formé' },
  'unknown-format': { en: () => 'unknown manifest format', fr: () => 'format de manifeste inconnu' },
  'unsupported-version': {
    en: (v) => `unsupported manifest version ${v.version}`,
    fr: (v) => `version de manifeste ${v.version} non prise en charge`,
  },
  'malformed-batch-id': { en: () => 'malformed batch id', fr: () => 'identifiant de lot mal formé' },
  'malformed-sender': { en: () => 'malformed sender', fr: () => 'expéditeur mal formé' },
  'malformed-recipient': { en: () => 'malformed recipient', fr: () => 'destinataire mal formé' },
  'malformed-date': { en: () => 'malformed date', fr: () => 'date mal formée' },
  'malformed-file-list': { en: () => 'malformed file list', fr: () => 'liste de fichiers mal formée' },
  'too-many-files': { en: (v) => `more than ${v.max} files`, fr: (v) => `plus de ${v.max} fichiers` },
  'malformed-file-entry': { en: () => 'malformed file entry', fr: () => 'entrée de fichier mal formée' },
  'malformed-file-size': { en: () => 'malformed file size', fr: () => 'taille de fichier mal formée' },
};

/** One summary line for a file skipped on the medium: its kind, its path, and why when known. */
export function describeIssue(issue: MediumIssue, lang: Language): string {
  const why = issue.detail ? ` (${issueDetails[issue.detail.code][lang](issue.detail.values ?? {})})` : '';
  const kind = issueKinds[issue.kind][lang];
  return lang === 'fr' ? `ignoré (${kind}) : ${issue.path}${why}` : `skipped (${kind}): ${issue.path}${why}`;
}

/** Reasons a container is refused that neither sdc-codec nor status-sync's receipts word. */
const refusals: Readonly<Record<string, Sentence>> = {
  foreign: {
    en: "The signer's certificate is not the one of the sender the container names",
    fr: "Le certificat du signataire n'est pas celui de l'expéditeur que le conteneur indique",
  },
  unknown: { en: 'No reason given', fr: 'Aucune raison donnée' },
};

/**
 * Why a container was refused or rejected, in words: the codec's codes (`malformed`, `unknown-signer`,
 * ...), the receipts' reasons (`insufficient-credit`, `replay`, ...), and t2d's own. A code none of
 * them knows is shown as it is.
 */
export function describeRefusal(code: string, lang: Language): string {
  const own = refusals[code];
  if (own) return own[lang];
  if ((SDC_ERROR_CODES as readonly string[]).includes(code))
    return describeSdcError(code as SdcErrorCode, lang);
  if ((rejectionReasons as readonly string[]).includes(code)) return describeReason(code, lang);
  return code;
}

export function summaryWords(lang: Language) {
  return words[lang];
}

export function pickLanguage(flag: string | undefined, env: NodeJS.ProcessEnv): Language {
  const value = flag ?? env.XM_LANG ?? env.LC_ALL ?? env.LANG ?? '';
  return value.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}
