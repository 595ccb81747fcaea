// The site CLI's refusals. Their codes and parameters are the ones ECR's CLI always had (`usage`,
// `file`, `configuration`, ...), so an app that keeps its own message table (ECR) rewords them
// unchanged (`error.code`, `error.params`), and one that does not (XMJuris) prints `messageIn`.

export const siteCliErrorCodes = [
  'usage',
  'file',
  'not-initialised',
  'configuration',
  'password-required',
  'key-unavailable',
  'sync-incomplete',
  'server-refused',
  'connection-refused',
] as const;

export type SiteCliErrorCode = (typeof siteCliErrorCodes)[number];
export type SiteCliParams = Readonly<Record<string, string | number>>;
type Language = 'en' | 'fr';

const messages: Record<SiteCliErrorCode, Record<Language, (p: SiteCliParams) => string>> = {
  usage: { en: (p) => `${p.detail}`, fr: (p) => `${p.detailFr ?? p.detail}` },
  file: {
    en: (p) => `${p.action} ${p.path}: ${p.problem}.`,
    fr: (p) => `${p.actionFr} ${p.path} : ${p.problemFr}.`,
  },
  'not-initialised': {
    en: (p) => `This site is not set up (no ${p.path}): run \`${p.command ?? 'init'}\` first.`,
    fr: (p) => `Ce site n'est pas configuré (pas de ${p.path}) : lancez d'abord \`${p.command ?? 'init'}\`.`,
  },
  configuration: {
    en: (p) => `Configuration problem: ${p.detail}`,
    fr: (p) => `Problème de configuration : ${p.detailFr ?? p.detail}`,
  },
  'password-required': {
    en: (p) => `A password is needed: set ${p.variable} or run from a terminal to be asked.`,
    fr: (p) =>
      `Un mot de passe est nécessaire : définissez ${p.variable} ou lancez depuis un terminal pour le saisir.`,
  },
  'key-unavailable': { en: (p) => `${p.detail}`, fr: (p) => `${p.detailFr ?? p.detail}` },
  'sync-incomplete': {
    en: (p) => `${p.pending} container(s) still wait for the server's receipt after ${p.seconds} s.`,
    fr: (p) => `${p.pending} conteneur(s) attendent encore l'accusé du serveur après ${p.seconds} s.`,
  },
  'server-refused': {
    en: (p) => `The server refused ${p.what}: ${p.reason}.`,
    fr: (p) => `Le serveur a refusé ${p.whatFr} : ${p.reason}.`,
  },
  'connection-refused': {
    en: (p) => `The broker refused the site's login: ${p.reason} (code ${p.reasonCode}).`,
    fr: (p) => `Le broker a refusé la connexion du site : ${p.reasonFr} (code ${p.reasonCode}).`,
  },
};

/** A refusal of the site CLI, with a stable `code` and the parameters its words are built from. */
export class SiteCliError extends Error {
  override readonly name = 'SiteCliError';
  constructor(
    readonly code: SiteCliErrorCode,
    readonly params: SiteCliParams = {},
    options: { cause?: unknown } = {},
  ) {
    super(messages[code].en(params), options);
  }

  messageIn(language: Language): string {
    return messages[this.code][language](this.params);
  }

  static isInstance(value: unknown): value is SiteCliError {
    return value instanceof SiteCliError;
  }
}

/** A usage error from its two texts. */
export const usageError = (detail: string, detailFr: string): SiteCliError =>
  new SiteCliError('usage', { detail, detailFr });

/** A configuration problem from its two texts. */
export const configurationError = (detail: string, detailFr: string, cause?: unknown): SiteCliError =>
  new SiteCliError('configuration', { detail, detailFr }, cause === undefined ? {} : { cause });
