import { describeSiteError, siteExitCodes } from '@xmcomm/site-kit/cli';

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

/** Exit codes by error code: the site CLIs' table and XMJuris's own. */
export const exitCodes: Readonly<Record<string, number>> = { ...siteExitCodes, 'not-identified': 12 };

export const usage = (en: string, fr: string) => new JurisError('usage', en, fr);

/** An error's words in the user's language, and its exit code. */
export const describeError = (error: unknown, language: 'en' | 'fr') =>
  describeSiteError(error, language, exitCodes);
