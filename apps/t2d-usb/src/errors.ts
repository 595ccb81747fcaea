/** Every failure t2d reports on purpose, by a stable code that scripts may rely on. */
export const t2dErrorCodes = [
  'invalid-argument',
  'invalid-matricule',
  'medium-unavailable',
  'medium-unwritable',
  'medium-full',
  'config-invalid',
  'secret-in-config',
  'key-unreadable',
  'database-unavailable',
  'internal',
] as const;

export type T2dErrorCode = (typeof t2dErrorCodes)[number];

const marker = Symbol.for('@xmcomm/t2d-usb.error');

/** Parameters that the English and French messages of a code interpolate; never a secret. */
export type ErrorParams = Readonly<Record<string, string | number>>;

export class T2dError extends Error {
  readonly [marker] = true;
  override readonly name = 'T2dError';
  readonly code: T2dErrorCode;
  readonly params: ErrorParams;

  constructor(code: T2dErrorCode, message: string, options: { cause?: unknown; params?: ErrorParams } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.params = options.params ?? {};
  }

  static isInstance(value: unknown): value is T2dError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/** Maps a file-system failure on the medium to the code a user can act on. */
export function mediumError(error: unknown, path: string): T2dError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new T2dError('medium-full', `no space left on ${path}`, { cause: error, params: { path } });
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new T2dError('medium-unavailable', `${path} is not there`, { cause: error, params: { path } });
  }
  return new T2dError('medium-unwritable', `cannot write to ${path}: ${code ?? String(error)}`, {
    cause: error,
    params: { path, reason: code ?? 'unknown' },
  });
}
