/** Failures status-sync reports as exceptions (programming or configuration errors, database failures). */
export const statusSyncErrorCodes = [
  'illegal-transition',
  'invalid-filter',
  'unknown-table',
  'seal-failed',
] as const;

export type StatusSyncErrorCode = (typeof statusSyncErrorCodes)[number];

const messages: Readonly<Record<StatusSyncErrorCode, { en: string; fr: string }>> = {
  'illegal-transition': {
    en: 'The row cannot make this status change',
    fr: 'La fiche ne peut pas faire ce changement de statut',
  },
  'invalid-filter': { en: 'The import filter is not valid', fr: "Le filtre d'import n'est pas valide" },
  'unknown-table': { en: 'The table is not in the contract', fr: "La table n'est pas dans le contrat" },
  'seal-failed': { en: 'The container could not be sealed', fr: "Le conteneur n'a pas pu être scellé" },
};

/** The user-facing sentence for a code, in English or French. */
export function describeStatusSyncError(code: StatusSyncErrorCode, lang: 'en' | 'fr' = 'en'): string {
  return messages[code][lang];
}

const marker = Symbol.for('@xmcomm/status-sync/StatusSyncError');

export class StatusSyncError extends Error {
  readonly code: StatusSyncErrorCode;
  readonly [marker] = true;

  constructor(code: StatusSyncErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${messages[code].en}: ${detail}` : messages[code].en, options);
    this.name = 'StatusSyncError';
    this.code = code;
  }

  /** The French sentence for this error's code. */
  get messageFr(): string {
    return messages[this.code].fr;
  }

  static isInstance(value: unknown): value is StatusSyncError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/**
 * The lifecycle trigger's refusal (SQLSTATE XM001) as a StatusSyncError with code
 * `illegal-transition`, so an application can show it; anything else gives null.
 */
export function asLifecycleViolation(error: unknown): StatusSyncError | null {
  if (sqlStateOf(error) !== 'XM001') return null;
  const detail = error instanceof Error ? error.message : undefined;
  return new StatusSyncError('illegal-transition', detail, { cause: error });
}

/** PostgreSQL error fields we read, whichever driver (pg or PGlite) raised them. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
