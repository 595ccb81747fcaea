/** Every failure the benchmarks report on purpose, by a stable code. */
export const benchErrorCodes = [
  'invalid-argument',
  'database-unavailable',
  'broker-unavailable',
  'server-failed',
  'template-mismatch',
  'incomplete',
] as const;

export type BenchErrorCode = (typeof benchErrorCodes)[number];

const messages: Readonly<Record<BenchErrorCode, { readonly en: string; readonly fr: string }>> = {
  'invalid-argument': {
    en: 'An option of the benchmark is out of range.',
    fr: "Une option du banc d'essai est hors limites.",
  },
  'database-unavailable': {
    en: 'PostgreSQL cannot be reached: set DATABASE_URL or start it on 127.0.0.1:5432.',
    fr: 'PostgreSQL est injoignable : définissez DATABASE_URL ou démarrez-le sur 127.0.0.1:5432.',
  },
  'broker-unavailable': {
    en: 'No MQTT broker: set MQTT_URL, start Mosquitto on 127.0.0.1:1883, or install mosquitto.',
    fr: 'Aucun courtier MQTT : définissez MQTT_URL, démarrez Mosquitto sur 127.0.0.1:1883 ou installez mosquitto.',
  },
  'server-failed': {
    en: 'An xmserver process failed to start or stopped early: its log is in the message.',
    fr: "Un processus xmserver n'a pas démarré ou s'est arrêté trop tôt : son journal est dans le message.",
  },
  'template-mismatch': {
    en: 'The certificate template does not have the expected shape (the issuing library changed its output).',
    fr: "Le modèle de certificat n'a pas la forme attendue (la bibliothèque d'émission a changé sa sortie).",
  },
  incomplete: {
    en: 'Not every container got its receipt before the deadline: the figures would be wrong, so none are printed.',
    fr: "Tous les conteneurs n'ont pas reçu leur accusé avant l'échéance : les chiffres seraient faux, aucun n'est affiché.",
  },
};

const marker = Symbol.for('@xmcomm/bench.error');

export class BenchError extends Error {
  readonly [marker] = true;
  override readonly name = 'BenchError';
  readonly code: BenchErrorCode;

  constructor(code: BenchErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  static isInstance(value: unknown): value is BenchError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

export function describeBenchError(code: BenchErrorCode, lang: 'en' | 'fr' = 'en'): string {
  return messages[code][lang];
}
