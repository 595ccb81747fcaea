/** Stable error codes of the mail and folder transports; callers switch on these, never on messages. */
export const MAIL_TRANSPORT_ERROR_CODES = [
  'INVALID_OPTIONS',
  'SMTP_UNREACHABLE',
  'SMTP_LOGIN_REFUSED',
  'SMTP_REJECTED',
  'MAILBOX_FULL',
  'MAILBOX_UNREACHABLE',
  'MAILBOX_LOGIN_REFUSED',
  'MAILBOX_FAILED',
  'FOREIGN_MAIL',
  'MISADDRESSED',
  'DAMAGED_ATTACHMENT',
  'UIDVALIDITY_CHANGED',
  'HANDLER_FAILED',
  'FOLDER_FAILED',
  'CLOSED',
  'RIG_MISSING',
  'RIG_START_FAILED',
] as const;

export type MailTransportErrorCode = (typeof MAIL_TRANSPORT_ERROR_CODES)[number];

const MESSAGES: Record<MailTransportErrorCode, { en: string; fr: string }> = {
  INVALID_OPTIONS: { en: 'Invalid transport options', fr: 'Options de transport invalides' },
  SMTP_UNREACHABLE: {
    en: 'The SMTP server could not be reached',
    fr: 'Le serveur SMTP est injoignable',
  },
  SMTP_LOGIN_REFUSED: {
    en: 'The SMTP server refused the login',
    fr: "Le serveur SMTP a refusé l'identification",
  },
  SMTP_REJECTED: { en: 'The SMTP server refused the message', fr: 'Le serveur SMTP a refusé le message' },
  MAILBOX_FULL: {
    en: "The recipient's mailbox is full",
    fr: 'La boîte aux lettres du destinataire est pleine',
  },
  MAILBOX_UNREACHABLE: {
    en: 'The mailbox server (IMAP or POP3) could not be reached',
    fr: 'Le serveur de boîte aux lettres (IMAP ou POP3) est injoignable',
  },
  MAILBOX_LOGIN_REFUSED: {
    en: 'The mailbox server refused the login',
    fr: "Le serveur de boîte aux lettres a refusé l'identification",
  },
  MAILBOX_FAILED: {
    en: 'The mailbox server failed a command',
    fr: 'Le serveur de boîte aux lettres a échoué une commande',
  },
  FOREIGN_MAIL: {
    en: 'A mail that carries no container of ours (left alone)',
    fr: 'Un courriel sans conteneur de notre part (laissé tel quel)',
  },
  MISADDRESSED: {
    en: 'A container addressed to another party (left alone)',
    fr: 'Un conteneur adressé à un autre destinataire (laissé tel quel)',
  },
  DAMAGED_ATTACHMENT: {
    en: 'A container attachment is damaged (refused, set aside)',
    fr: 'La pièce jointe d’un conteneur est endommagée (refusée, mise de côté)',
  },
  UIDVALIDITY_CHANGED: {
    en: 'The IMAP mailbox was recreated (UIDVALIDITY changed): every message is read again',
    fr: 'La boîte IMAP a été recréée (UIDVALIDITY changé) : tous les messages sont relus',
  },
  HANDLER_FAILED: {
    en: 'The container could not be stored; the message stays in the mailbox',
    fr: "Le conteneur n'a pas pu être enregistré ; le message reste dans la boîte",
  },
  FOLDER_FAILED: {
    en: 'The transfer folder could not be read or written',
    fr: "Le dossier de transfert n'a pas pu être lu ou écrit",
  },
  CLOSED: { en: 'The transport is closed', fr: 'Le transport est fermé' },
  RIG_MISSING: {
    en: 'The test mail system (Dovecot, OpenSMTPD) is not installed',
    fr: "Le système de courrier de test (Dovecot, OpenSMTPD) n'est pas installé",
  },
  RIG_START_FAILED: {
    en: 'The test mail system did not start',
    fr: "Le système de courrier de test n'a pas démarré",
  },
};

const MARKER = Symbol.for('@xmcomm/mail-transport/error');

/** The one error class of this package: a stable `code`, an English `message`, the cause kept. */
export class MailTransportError extends Error {
  readonly code: MailTransportErrorCode;
  readonly [MARKER] = true;

  constructor(code: MailTransportErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(
      detail ? `${MESSAGES[code].en}: ${detail}` : MESSAGES[code].en,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'MailTransportError';
    this.code = code;
  }

  /** True for a MailTransportError even when two copies of the package are loaded. */
  static isInstance(value: unknown): value is MailTransportError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

/** The user-facing text of a code, in English or French. */
export function describeMailTransportError(code: MailTransportErrorCode, lang: 'en' | 'fr' = 'en'): string {
  return MESSAGES[code][lang];
}
