import type { FormProblem } from './problems.js';

export const formsErrorCodes = [
  'invalid-definition',
  'version-conflict',
  'older-version',
  'incompatible-change',
  'table-exists',
  'not-installed',
] as const;
export type FormsErrorCode = (typeof formsErrorCodes)[number];

const marker = Symbol.for('@xmcomm/forms.error');

/** A refused definition or install, in English (`message`) and French (`messageFr`). */
export class FormsError extends Error {
  readonly [marker] = true;
  override readonly name = 'FormsError';

  constructor(
    readonly code: FormsErrorCode,
    message: string,
    readonly messageFr: string,
    /** For `invalid-definition`: every problem of the file, with its place. */
    readonly problems: readonly FormProblem[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static isInstance(value: unknown): value is FormsError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
