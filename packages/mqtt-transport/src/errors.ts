/** Stable error codes of the transport; callers switch on these, never on messages. */
export const TRANSPORT_ERROR_CODES = [
  'INVALID_NAME',
  'INVALID_TOPIC',
  'INVALID_OPTIONS',
  'NOT_CONNECTED',
  'CONNECT_FAILED',
  'NOT_AUTHORIZED',
  'PUBLISH_FAILED',
  'HANDLER_FAILED',
  'TIMEOUT',
  'CLOSED',
  'CONTROL_FAILED',
  'BROKER_START_FAILED',
] as const;

export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number];

const MESSAGES: Record<TransportErrorCode, { en: string; fr: string }> = {
  INVALID_NAME: {
    en: 'Invalid server name or matricule',
    fr: 'Nom de serveur ou matricule invalide',
  },
  INVALID_TOPIC: { en: 'Topic outside the xm/v1 namespace', fr: "Sujet hors de l'espace xm/v1" },
  INVALID_OPTIONS: { en: 'Invalid transport options', fr: 'Options de transport invalides' },
  NOT_CONNECTED: { en: 'Not connected to the broker', fr: 'Non connecté au courtier' },
  CONNECT_FAILED: { en: 'Could not connect to the broker', fr: 'Connexion au courtier impossible' },
  NOT_AUTHORIZED: {
    en: 'The broker refused the credentials or the operation',
    fr: "Le courtier a refusé les identifiants ou l'opération",
  },
  PUBLISH_FAILED: { en: 'The broker did not accept a message', fr: "Le courtier n'a pas accepté un message" },
  HANDLER_FAILED: {
    en: 'The message handler failed; the message was not acknowledged',
    fr: "Le gestionnaire de message a échoué ; le message n'a pas été acquitté",
  },
  TIMEOUT: { en: 'The broker did not answer in time', fr: "Le courtier n'a pas répondu à temps" },
  CLOSED: { en: 'The transport is closed', fr: 'Le transport est fermé' },
  CONTROL_FAILED: {
    en: 'The broker refused a dynamic security command',
    fr: 'Le courtier a refusé une commande de sécurité dynamique',
  },
  BROKER_START_FAILED: {
    en: 'The embedded broker could not start',
    fr: 'Le courtier intégré n’a pas pu démarrer',
  },
};

const MARKER = Symbol.for('@xmcomm/mqtt-transport/error');

/** The one error class of this package: a stable `code`, an English `message`, the cause kept. */
export class TransportError extends Error {
  readonly code: TransportErrorCode;
  readonly [MARKER] = true;

  constructor(code: TransportErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${MESSAGES[code].en}: ${detail}` : MESSAGES[code].en, options);
    this.name = 'TransportError';
    this.code = code;
  }

  /** True for a TransportError even when two copies of the package are loaded. */
  static isInstance(value: unknown): value is TransportError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

/** The user-facing text of a code, in English or French. */
export function describeTransportError(code: TransportErrorCode, lang: 'en' | 'fr' = 'en'): string {
  return MESSAGES[code][lang];
}
