/** Every failure xmdoc reports on purpose, by a stable code that scripts may rely on. */
export const xmdocErrorCodes = [
  'invalid-argument',
  'input-missing',
  'no-seal-found',
  'unreadable-file',
  'pdftoppm-missing',
  'no-trust-list',
  'invalid-trust-list',
  'trust-list-older',
  'trust-list-other-ca',
  'invalid-template',
  'missing-field',
  'render-failed',
  'key-unreadable',
  'cannot-write',
  'internal',
] as const;

export type XmdocErrorCode = (typeof xmdocErrorCodes)[number];

const marker = Symbol.for('@xmcomm/xmdoc.error');

export class XmdocError extends Error {
  readonly [marker] = true;
  override readonly name = 'XmdocError';
  readonly code: XmdocErrorCode;
  /** Where or what, shown after the message in both languages (a file, a JSON path). */
  readonly detail: string;

  constructor(code: XmdocErrorCode, detail = '', options: { cause?: unknown } = {}) {
    super(detail || code, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
  }

  static isInstance(value: unknown): value is XmdocError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
