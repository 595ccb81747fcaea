import { SiteKitError } from '../errors.js';
import { SiteCliError } from './errors.js';

/** The site CLIs' exit codes by error code, in one table; an app adds its own codes to it. */
export const siteExitCodes: Readonly<Record<string, number>> = {
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
};

/** An app's own refusal: a stable code, English and French. */
interface Bilingual {
  readonly code: string;
  readonly message: string;
  readonly messageFr: string;
}
const isBilingual = (error: unknown): error is Bilingual =>
  error instanceof Error &&
  typeof (error as Partial<Bilingual>).code === 'string' &&
  typeof (error as Partial<Bilingual>).messageFr === 'string';

/** An error's words in the user's language, and its exit code (1 for anything unknown). */
export function describeSiteError(
  error: unknown,
  language: 'en' | 'fr',
  exitCodes: Readonly<Record<string, number>> = siteExitCodes,
): { lines: string[]; exitCode: number } {
  if (error instanceof SiteCliError) {
    return { lines: [error.messageIn(language)], exitCode: exitCodes[error.code] ?? 1 };
  }
  if (isBilingual(error)) {
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
