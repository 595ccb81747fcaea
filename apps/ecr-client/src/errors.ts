import type { FieldError, Language } from '@xmcomm/schema';
import { actionVerbs, SiteKitError, type SiteKitErrorCode } from '@xmcomm/site-kit';
import { SiteCliError } from '@xmcomm/site-kit/cli';

export const ecrErrorCodes = [
  'usage',
  'file',
  'not-initialised',
  'already-initialised',
  'configuration',
  'password-required',
  'authentication-failed',
  'user-suspended',
  'account-locked',
  'password-change-required',
  'permission-denied',
  'not-found',
  'duplicate-user',
  'user-limit',
  'invalid-act',
  'import-refused',
  'invalid-state',
  'read-only',
  'key-unavailable',
  'database',
  'sync-incomplete',
  'server-refused',
  'connection-refused',
  'no-trust-list',
  'unreadable-document',
] as const;

export type EcrErrorCode = (typeof ecrErrorCodes)[number];

/**
 * The one table from error code to process exit code. Scripts that drive `ecr` test these numbers,
 * so a code never changes its exit status.
 */
export const exitCodes: Readonly<Record<EcrErrorCode | 'internal', number>> = {
  internal: 1,
  usage: 2,
  file: 2,
  'not-initialised': 3,
  'already-initialised': 3,
  configuration: 3,
  'password-required': 4,
  'authentication-failed': 4,
  'user-suspended': 4,
  'account-locked': 4,
  'password-change-required': 4,
  'permission-denied': 5,
  'not-found': 6,
  'duplicate-user': 7,
  'user-limit': 7,
  'invalid-act': 8,
  'import-refused': 8,
  'invalid-state': 9,
  'read-only': 9,
  'key-unavailable': 10,
  database: 11,
  'sync-incomplete': 12,
  'server-refused': 13,
  'connection-refused': 14,
  'no-trust-list': 15,
  'unreadable-document': 16,
};

/**
 * `ecr verify`'s conclusions, each its own exit code (0 for a VALID seal and, with --online, every
 * printed field matching the central record). Numbers apart from the errors' so none is taken twice.
 */
export const verifyExitCodes = {
  valid: 0,
  match: 0,
  invalid: 20,
  differs: 21,
  'not-found': 22,
  'no-link': 23,
} as const;

type Params = Readonly<Record<string, string | number>>;

/** A field problem, with the line of the file it was read from when there is one (`act import`). */
export type LocatedFieldError = FieldError & { readonly line?: number };

const messages: Record<EcrErrorCode, Record<Language, (p: Params) => string>> = {
  usage: { en: (p) => `${p.detail}`, fr: (p) => `${p.detailFr ?? p.detail}` },
  file: {
    en: (p) => `${p.action} ${p.path}: ${p.problem}.`,
    fr: (p) => `${p.actionFr} ${p.path} : ${p.problemFr}.`,
  },
  'password-change-required': {
    en: (p) =>
      `The officer set a new password for ${p.login}: choose your own first with \`ecr --user ${p.login} user passwd\`.`,
    fr: (p) =>
      `L'officier a défini un nouveau mot de passe pour ${p.login} : choisissez d'abord le vôtre avec \`ecr --user ${p.login} user passwd\`.`,
  },
  'not-initialised': {
    en: (p) => `This workstation is not set up (no ${p.path}): run \`ecr init\` first.`,
    fr: (p) => `Ce poste n'est pas configuré (pas de ${p.path}) : lancez d'abord \`ecr init\`.`,
  },
  'already-initialised': {
    en: (p) => `The centre's database is already set up for matricule ${p.matricule}.`,
    fr: (p) => `La base du centre est déjà configurée pour le matricule ${p.matricule}.`,
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
  'authentication-failed': {
    en: () => 'Unknown user or wrong password.',
    fr: () => 'Utilisateur inconnu ou mot de passe incorrect.',
  },
  'user-suspended': {
    en: (p) => `User ${p.login} is suspended.`,
    fr: (p) => `L'utilisateur ${p.login} est suspendu.`,
  },
  'account-locked': {
    en: (p) =>
      `User ${p.login} is locked after repeated wrong passwords until ${p.until}; the officer can lift the lock at once with \`ecr user unlock ${p.login}\`.`,
    fr: (p) =>
      `L'utilisateur ${p.login} est verrouillé après des mots de passe erronés répétés jusqu'à ${p.until} ; l'officier peut le déverrouiller aussitôt par \`ecr user unlock ${p.login}\`.`,
  },
  'permission-denied': {
    en: (p) => `${p.login} (${p.role}) may not ${p.action}: this needs the ${p.needed} privilege.`,
    fr: (p) => `${p.login} (${p.roleFr}) ne peut pas ${p.actionFr} : il faut le privilège ${p.neededFr}.`,
  },
  'not-found': {
    en: (p) => `No ${p.what} ${p.id}.`,
    fr: (p) => `Aucun(e) ${p.whatFr} ${p.id}.`,
  },
  'duplicate-user': {
    en: (p) => `A user named ${p.login} already exists.`,
    fr: (p) => `Un utilisateur ${p.login} existe déjà.`,
  },
  'user-limit': {
    en: (p) => `A centre has at most ${p.limit} active ${p.role} user(s).`,
    fr: (p) => `Un centre a au plus ${p.limit} utilisateur(s) actif(s) ${p.roleFr}.`,
  },
  'invalid-act': {
    en: (p) => `The act is not valid (${p.count} problem(s)).`,
    fr: (p) => `L'acte n'est pas valide (${p.count} problème(s)).`,
  },
  'import-refused': {
    en: (p) => `${p.count} row(s) of ${p.path} refused: nothing was imported.`,
    fr: (p) => `${p.count} ligne(s) de ${p.path} refusée(s) : rien n'a été importé.`,
  },
  'invalid-state': {
    en: (p) => `${p.detail}`,
    fr: (p) => `${p.detailFr}`,
  },
  'read-only': {
    en: (p) => `Act ${p.id} was imported from ${p.origin} and is read-only.`,
    fr: (p) => `L'acte ${p.id} a été importé de ${p.origin} et n'est pas modifiable.`,
  },
  'key-unavailable': {
    en: (p) => `The signing key cannot be used: ${p.detail}`,
    fr: (p) => `La clé de signature est inutilisable : ${p.detailFr ?? p.detail}`,
  },
  database: {
    en: (p) => `Database error: ${p.detail}`,
    fr: (p) => `Erreur de base de données : ${p.detail}`,
  },
  'sync-incomplete': {
    en: (p) =>
      p.pending === 0
        ? `No connection to the broker in ${p.seconds} s: nothing was waiting to go, but what the server sent (receipts, messages) was not taken in; run \`ecr sync\` again.`
        : `${p.pending} container(s) still wait for the server's receipt after ${p.seconds} s; they stay in the outbox and go again at the next \`ecr sync\`.`,
    fr: (p) =>
      p.pending === 0
        ? `Pas de connexion au broker en ${p.seconds} s : rien n'attendait de partir, mais ce que le serveur a envoyé (accusés, messages) n'a pas été reçu ; relancez \`ecr sync\`.`
        : `${p.pending} conteneur(s) attendent encore l'accusé du serveur après ${p.seconds} s ; ils restent dans la file d'envoi et repartiront au prochain \`ecr sync\`.`,
  },
  'server-refused': {
    en: (p) => `The central server refused ${p.what}: ${p.reason}.`,
    fr: (p) => `Le serveur central a refusé ${p.whatFr} : ${p.reason}.`,
  },
  'no-trust-list': {
    en: (p) =>
      `The centre holds no documents trust list yet${p.detail ? ` (${p.detail})` : ''}: run \`ecr sync\` to receive the central server's.`,
    fr: (p) =>
      `Le centre n'a pas encore de liste de confiance des documents${p.detailFr ? ` (${p.detailFr})` : ''} : lancez \`ecr sync\` pour recevoir celle du serveur central.`,
  },
  'unreadable-document': {
    en: (p) => `${p.detail}`,
    fr: (p) => `${p.detailFr ?? p.detail}`,
  },
  'connection-refused': {
    en: (p) =>
      `The central server refused this centre's connection (${p.reason}, code ${p.reasonCode}): the centre's account is suspended or its certificate revoked${p.credentials ? ', or the broker login is wrong (ECR_BROKER_USERNAME, ECR_BROKER_PASSWORD)' : ''}. Contact the national centre. Nothing was lost: the outbox keeps what waits to be sent.`,
    fr: (p) =>
      `Le serveur central a refusé la connexion de ce centre (${p.reasonFr}, code ${p.reasonCode}) : le compte du centre est suspendu ou son certificat révoqué${p.credentials ? ", ou l'identifiant du broker est faux (ECR_BROKER_USERNAME, ECR_BROKER_PASSWORD)" : ''}. Contactez le centre national. Rien n'est perdu : la file d'envoi garde ce qui attend d'être envoyé.`,
  },
};

/** The application's one error: a stable `code`, English `message`, French through `messageIn('fr')`. */
export class EcrError extends Error {
  override readonly name = 'EcrError';
  readonly code: EcrErrorCode;
  readonly params: Params;
  /** For `invalid-act` and `import-refused`: every field problem (with its line), in English and French. */
  readonly fieldErrors: readonly LocatedFieldError[];

  constructor(
    code: EcrErrorCode,
    params: Params = {},
    options: { cause?: unknown; fieldErrors?: readonly LocatedFieldError[] } = {},
  ) {
    super(messages[code].en(params), options.cause === undefined ? {} : { cause: options.cause });
    this.code = code;
    this.params = params;
    this.fieldErrors = options.fieldErrors ?? [];
  }

  messageIn(language: Language): string {
    return messages[this.code][language](this.params);
  }

  static isInstance(value: unknown): value is EcrError {
    return value instanceof EcrError;
  }
}

/**
 * The site CLI kit's refusals (`@xmcomm/site-kit/cli`: key files, the link, the passphrase prompt) in
 * ECR's words: they carry ECR's codes and parameters, so ECR's table words them as it always did.
 */
export function ecrErrorFrom(error: unknown): unknown {
  return error instanceof SiteCliError
    ? new EcrError(error.code, error.params, { cause: error.cause ?? error })
    : error;
}

/** `work`, with a refusal of the site CLI kit turned into an EcrError. */
export async function asEcr<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw ecrErrorFrom(error);
  }
}

export function exitCodeOf(error: unknown): number {
  return error instanceof EcrError ? exitCodes[error.code] : exitCodes.internal;
}

const fromKitCodes: Readonly<Record<SiteKitErrorCode, EcrErrorCode>> = {
  'not-found': 'not-found',
  'invalid-record': 'invalid-act',
  'invalid-state': 'invalid-state',
  forbidden: 'permission-denied',
  'read-only': 'read-only',
  'bad-login': 'authentication-failed',
  'account-locked': 'account-locked',
  suspended: 'user-suspended',
  'weak-password': 'usage',
  'invalid-login': 'usage',
  'duplicate-login': 'duplicate-user',
  'user-limit': 'user-limit',
  'last-head': 'invalid-state',
  'key-unavailable': 'key-unavailable',
  'unknown-record-type': 'usage',
  'invalid-settings': 'usage',
  database: 'database',
};

/** What ECR calls the kit's actions on acts, in its messages (`verify acts`, `vérifier des actes`). */
const actAction = (key: string): { en: string; fr: string } | undefined => {
  const verb = actionVerbs[key as keyof typeof actionVerbs];
  return verb ? { en: `${verb.en} acts`, fr: `${verb.fr} des actes` } : undefined;
};

const ecrRoles = {
  en: ['suspended', 'agent', 'secretary', 'officer'],
  fr: ['suspendu', 'agent', 'secrétaire', 'officier'],
};

/**
 * The kit's refusal as ECR's error (its codes keep their exit statuses), in ECR's words: acts, the
 * officer; what ECR has no words for keeps the kit's message.
 */
export function fromKit(error: unknown): unknown {
  if (!(error instanceof SiteKitError)) return error;
  const p = error.params;
  const code = fromKitCodes[error.code];
  let params: Params = p;
  if (code === 'permission-denied') {
    const role = Number(p.privilege);
    const needed = Number(p.neededPrivilege);
    const action = actAction(String(p.actionKey)) ?? { en: String(p.action), fr: String(p.actionFr) };
    params = {
      login: String(p.login),
      role: ecrRoles.en[role] ?? String(p.role),
      roleFr: ecrRoles.fr[role] ?? String(p.roleFr),
      action: action.en,
      actionFr: action.fr,
      needed: ecrRoles.en[needed] ?? String(p.needed),
      neededFr: ecrRoles.fr[needed] ?? String(p.neededFr),
    };
  } else if (code === 'user-limit') {
    const privilege = Number(p.privilege);
    params = { ...p, role: ecrRoles.en[privilege] ?? '', roleFr: ecrRoles.fr[privilege] ?? '' };
  } else if (code === 'not-found' && p.what === 'record') {
    params = { ...p, what: 'act', whatFr: 'acte' };
  } else if (error.code === 'invalid-settings' || error.code === 'database') {
    // The site's settings as ECR said them: a bad certificate or a URL with a password is the
    // configuration's fault, the rest the command line's.
    params = { detail: String(p.detail), detailFr: String(p.detailFr) };
    if (error.code === 'database') params = { detail: String(p.detail) };
    if (p.field !== undefined) {
      return new EcrError('configuration', params, { cause: error });
    }
  } else if (code === 'usage' || (code === 'invalid-state' && p.detail === undefined)) {
    params = { detail: error.message, detailFr: error.messageFr };
  }
  return new EcrError(code, params, {
    cause: error,
    fieldErrors: error.fieldErrors as readonly FieldError[],
  });
}

/** Runs a kit call, its refusals turned into ECR's errors. */
export async function viaKit<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw fromKit(error);
  }
}
