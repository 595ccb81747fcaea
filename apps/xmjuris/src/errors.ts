import { SiteKitError } from '@xmcomm/site-kit';
import { SiteCliError } from '@xmcomm/site-kit/cli';

export const jurisErrorCodes = ['usage', 'not-initialised', 'password-required', 'not-identified'] as const;
export type JurisErrorCode = (typeof jurisErrorCodes)[number];

/** The app's own refusals; the kit's are SiteKitError and SiteCliError. All carry English and French. */
export class JurisError extends Error {
  override readonly name = 'JurisError';
  constructor(
    readonly code: JurisErrorCode,
    message: string,
    readonly messageFr: string,
  ) {
    super(message);
  }
}

/** Exit codes by error code, in one table. */
export const exitCodes: Readonly<Record<string, number>> = {
  internal: 1,
  usage: 2,
  file: 2,
  'not-initialised': 3,
  configuration: 3,
  'password-required': 2,
  'invalid-settings': 2,
  'invalid-record': 4,
  forbidden: 5,
  'bad-login': 6,
  'account-locked': 6,
  suspended: 6,
  database: 7,
  'key-unavailable': 8,
  'sync-incomplete': 9,
  'server-refused': 10,
  'connection-refused': 11,
  'not-identified': 12,
};

export const usage = (en: string, fr: string) => new JurisError('usage', en, fr);

/** An error's words in the user's language, and its exit code. */
export function describeError(error: unknown, language: 'en' | 'fr'): { lines: string[]; exitCode: number } {
  if (error instanceof SiteCliError) {
    return { lines: [error.messageIn(language)], exitCode: exitCodes[error.code] ?? 1 };
  }
  if (error instanceof JurisError || error instanceof SiteKitError) {
    const lines = [language === 'fr' ? error.messageFr : error.message];
    if (error instanceof SiteKitError) {
      for (const field of error.fieldErrors) {
        lines.push(`  ${language === 'fr' ? field.messageFr : field.message} [${field.code}]`);
      }
    }
    return { lines, exitCode: exitCodes[error.code] ?? 1 };
  }
  return { lines: [String(error)], exitCode: 1 };
}
