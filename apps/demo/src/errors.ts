// The demo's own failures, with a stable code; the rest come from xmserver and ecr with theirs.

export const demoErrorCodes = ['usage', 'centre-setup', 'incomplete'] as const;
export type DemoErrorCode = (typeof demoErrorCodes)[number];

export class DemoError extends Error {
  override readonly name = 'DemoError';
  constructor(
    readonly code: DemoErrorCode,
    message: string,
    readonly detail = '',
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** Exit codes: 2 for a usage error, as xmserver and ecr; 1 otherwise. */
export const exitCodeOf = (code: DemoErrorCode): number => (code === 'usage' ? 2 : 1);
