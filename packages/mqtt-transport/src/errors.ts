/** Stable error codes of the transport; callers switch on these, never on messages. */
export const TRANSPORT_ERROR_CODES = [
  'INVALID_NAME',
  'INVALID_TOPIC',
  'INVALID_OPTIONS',
  'NOT_CONNECTED',
  'CONNECT_FAILED',
  'CONNECT_REFUSED',
  'NOT_AUTHORIZED',
  'SUBSCRIBE_REFUSED',
  'PUBLISH_FAILED',
  'NOT_DELIVERED',
  'HANDLER_FAILED',
  'TIMEOUT',
  'CONNECTION_LOST',
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
  CONNECT_REFUSED: {
    en: 'The broker refused the connection',
    fr: 'Le courtier a refusé la connexion',
  },
  NOT_AUTHORIZED: {
    en: 'The broker refused the credentials or the operation',
    fr: "Le courtier a refusé les identifiants ou l'opération",
  },
  SUBSCRIBE_REFUSED: {
    en: 'The broker refused the subscription',
    fr: "Le courtier a refusé l'abonnement",
  },
  PUBLISH_FAILED: { en: 'The broker did not accept a message', fr: "Le courtier n'a pas accepté un message" },
  NOT_DELIVERED: {
    en: 'The broker accepted a message but did not deliver it to the subscriber',
    fr: "Le courtier a accepté un message mais ne l'a pas remis à l'abonné",
  },
  HANDLER_FAILED: {
    en: 'The message handler failed; the message was not acknowledged',
    fr: "Le gestionnaire de message a échoué ; le message n'a pas été acquitté",
  },
  TIMEOUT: { en: 'The broker did not answer in time', fr: "Le courtier n'a pas répondu à temps" },
  CONNECTION_LOST: {
    en: 'The broker closed the connection',
    fr: 'Le courtier a fermé la connexion',
  },
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
  /** The MQTT reason code the broker answered with (CONNACK, SUBACK, PUBACK), when it gave one. */
  readonly reasonCode: number | undefined;
  readonly [MARKER] = true;

  constructor(
    code: TransportErrorCode,
    detail?: string,
    options?: { cause?: unknown; reasonCode?: number | undefined },
  ) {
    super(
      detail ? `${MESSAGES[code].en}: ${detail}` : MESSAGES[code].en,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'TransportError';
    this.code = code;
    this.reasonCode = options?.reasonCode;
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

/** MQTT reason codes (5.0 and 3.1.1's CONNACK return codes) a broker gives when it refuses something. */
const REASONS: Readonly<Record<number, { en: string; fr: string }>> = {
  1: { en: 'unacceptable protocol version', fr: 'version de protocole refusée' },
  2: { en: 'client identifier rejected', fr: 'identifiant de client refusé' },
  3: { en: 'server unavailable', fr: 'serveur indisponible' },
  4: { en: 'bad user name or password', fr: "nom d'utilisateur ou mot de passe incorrect" },
  5: { en: 'not authorised', fr: 'non autorisé' },
  128: { en: 'unspecified error', fr: 'erreur non précisée' },
  129: { en: 'malformed packet', fr: 'paquet mal formé' },
  130: { en: 'protocol error', fr: 'erreur de protocole' },
  131: { en: 'implementation specific error', fr: "erreur propre à l'implémentation" },
  132: { en: 'unsupported protocol version', fr: 'version de protocole non prise en charge' },
  133: { en: 'client identifier not valid', fr: 'identifiant de client invalide' },
  134: { en: 'bad user name or password', fr: "nom d'utilisateur ou mot de passe incorrect" },
  135: { en: 'not authorised', fr: 'non autorisé' },
  136: { en: 'server unavailable', fr: 'serveur indisponible' },
  137: { en: 'server busy', fr: 'serveur occupé' },
  138: { en: 'banned', fr: 'banni' },
  140: { en: 'bad authentication method', fr: "méthode d'authentification incorrecte" },
  143: { en: 'topic filter invalid', fr: 'filtre de sujet invalide' },
  144: { en: 'topic name invalid', fr: 'nom de sujet invalide' },
  149: { en: 'packet too large', fr: 'paquet trop grand' },
  151: { en: 'quota exceeded', fr: 'quota dépassé' },
  153: { en: 'payload format invalid', fr: 'format de contenu invalide' },
  158: { en: 'shared subscriptions not supported', fr: 'abonnements partagés non pris en charge' },
  159: { en: 'connection rate exceeded', fr: 'cadence de connexion dépassée' },
  162: { en: 'wildcard subscriptions not supported', fr: 'abonnements à jokers non pris en charge' },
};

/** The name of an MQTT reason code, e.g. 135 "not authorised", for messages to people. */
export function describeReasonCode(code: number, lang: 'en' | 'fr' = 'en'): string {
  return REASONS[code]?.[lang] ?? (lang === 'fr' ? 'raison inconnue' : 'unknown reason');
}
