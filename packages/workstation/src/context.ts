import type { SiteDatabase } from '@xmcomm/schema';
import { type Privilege, type SessionUser, type SiteKit, SiteKitError } from '@xmcomm/site-kit';
import { format, type Language, type Text, type WebApp, WebKitError } from '@xmcomm/web-kit';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { NounTexts } from './noun-texts.js';
import type { PrintHooks } from './pages/print.js';

/** The logged-in user as the pages see it, read from `xm_site.users` at each request. */
export interface WorkstationUser {
  readonly id: number;
  readonly login: string;
  readonly privilege: Privilege;
  readonly displayName: string | null;
  readonly mustChangePassword: boolean;
}

/** What a site app may add: the synchronisation it runs, the account the server reported. */
export interface SyncHooks {
  /** Runs one synchronisation now for `user` (sends sealed records, reads receipts); returns a summary. */
  readonly run?: (user: SessionUser) => Promise<Text>;
}

export interface PageContext {
  readonly kit: SiteKit;
  readonly db: Kysely<SiteDatabase>;
  readonly web: WebApp<WorkstationUser>;
  readonly sync: SyncHooks;
  /** The site app's printing of documents from validated records, if it prints. */
  readonly print?: PrintHooks;
  readonly dateBounds: (type: string, field: string) => { min?: string; max?: string };
  /** The texts naming a record, in the site's noun or in a record type's. */
  readonly words: (typeName?: string) => NounTexts;
}

export const languageOf = (request: FastifyRequest): Language => request.web.language;

export function say(
  request: FastifyRequest,
  text: Text,
  params: Readonly<Record<string, string | number>> = {},
): string {
  return format(text[languageOf(request)], params);
}

/** The acting user for the kit: who, with which privilege, from which workstation. */
export function actorOf(ctx: PageContext, request: FastifyRequest, minimumPrivilege = 1): SessionUser {
  const user = ctx.web.requireUser(request, minimumPrivilege);
  return { id: user.id, login: user.login, privilege: user.privilege, workstation: request.web.workstation };
}

/**
 * A kit refusal that no page can show better: `forbidden` becomes a logged 403 (a forged POST, or a
 * page opened above one's privilege), a missing record a 404. Anything else is the caller's to show.
 */
export function rethrowKitRefusal(request: FastifyRequest, error: unknown): void {
  if (!SiteKitError.isInstance(error)) return;
  if (error.code === 'forbidden') {
    request.log.warn(
      {
        event: 'forbidden',
        method: request.method,
        url: request.url,
        user: request.web.user?.login,
        workstation: request.web.workstation,
        refusal: error.message,
      },
      'refused an action above the user privilege',
    );
    throw new WebKitError('forbidden', error.message, { cause: error });
  }
  if (error.code === 'not-found' || error.code === 'unknown-record-type') {
    throw new WebKitError('not-found', error.message, { cause: error });
  }
}

/** The message of a kit refusal in the request's language (after `rethrowKitRefusal`). */
export function refusalText(request: FastifyRequest, error: unknown): string {
  rethrowKitRefusal(request, error);
  if (SiteKitError.isInstance(error)) return error.messageIn(languageOf(request));
  throw error;
}

/** A date or timestamp as the clerk reads it: `2026-12-07 14:05`. */
export function showTime(value: unknown): string {
  if (value === null || value === undefined) return '';
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A date column's value: `2026-12-07`. */
export function showDate(value: unknown): string {
  if (value instanceof Date) return showTime(value).slice(0, 10);
  return value === null || value === undefined ? '' : String(value).slice(0, 10);
}
