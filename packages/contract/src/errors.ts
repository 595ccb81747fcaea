export const schemaErrorCodes = [
  'invalid-definition',
  'unsupported-database-url',
  'connection-failed',
  'migration-failed',
  'copy-unsupported',
] as const;

export type SchemaErrorCode = (typeof schemaErrorCodes)[number];

const marker = Symbol.for('@xmcomm/schema.error');

export class SchemaError extends Error {
  readonly [marker] = true;
  override readonly name = 'SchemaError';
  readonly code: SchemaErrorCode;

  constructor(code: SchemaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static isInstance(value: unknown): value is SchemaError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
