/** Every failure xmserver reports on purpose, by a stable code that scripts may rely on. */
export const xmServerErrorCodes = [
  'invalid-argument',
  'invalid-status',
  'invalid-privilege',
  'invalid-amount',
  'invalid-matricule',
  'unknown-user',
  'unknown-client',
  'unknown-certificate',
  'unknown-tariff',
  'invalid-certificate',
  'key-unavailable',
  'billing-refused',
  'duplicate-user',
  'duplicate-client',
  'duplicate-centre-code',
  'client-in-use',
  'last-supervisor',
  'key-already-certified',
  'password-required',
  'password-too-short',
  'passwords-differ',
  'config-invalid',
  'secret-in-config',
  'not-initialised',
  'database-mismatch',
  'database-unavailable',
  'broker-unreachable',
  'broker-login-refused',
  'broker-subscribe-refused',
  'broker-publish-refused',
  'broker-not-delivered',
  'broker-connection-lost',
  'broker-timeout',
  'broker-control-refused',
  'port-unavailable',
  'operator-suspended',
  'forbidden',
  'not-logged-in',
  'authentication-failed',
  'account-locked',
  'password-change-required',
  'password-unchanged',
  'unavailable-feature',
  'form-refused',
  'stopping',
  'internal',
] as const;

export type XmServerErrorCode = (typeof xmServerErrorCodes)[number];

const marker = Symbol.for('@xmcomm/xmserver.error');

/** Parameters that the English and French messages of a code interpolate; never a secret. */
export type ErrorParams = Readonly<Record<string, string | number>>;

export class XmServerError extends Error {
  readonly [marker] = true;
  override readonly name = 'XmServerError';
  readonly code: XmServerErrorCode;
  readonly params: ErrorParams;

  constructor(
    code: XmServerErrorCode,
    message: string,
    options: { cause?: unknown; params?: ErrorParams } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.params = options.params ?? {};
  }

  static isInstance(value: unknown): value is XmServerError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
