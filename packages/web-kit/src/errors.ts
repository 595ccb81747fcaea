export const webKitErrorCodes = ['csrf', 'not-logged-in', 'forbidden', 'not-found', 'bad-request'] as const;
export type WebKitErrorCode = (typeof webKitErrorCodes)[number];

const statuses: Record<WebKitErrorCode, number> = {
  csrf: 403,
  'not-logged-in': 401,
  forbidden: 403,
  'not-found': 404,
  'bad-request': 400,
};

/** A refusal a route raises; the app turns it into an error page in the user's language. */
export class WebKitError extends Error {
  override readonly name = 'WebKitError';
  readonly code: WebKitErrorCode;
  readonly statusCode: number;
  constructor(code: WebKitErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.code = code;
    this.statusCode = statuses[code];
  }
  static isInstance(value: unknown): value is WebKitError {
    return value instanceof WebKitError;
  }
}
