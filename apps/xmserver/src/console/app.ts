import {
  createWebApp,
  format,
  type Html,
  html,
  type Language,
  type Text,
  type WebApp,
  WebKitError,
  type WebUser,
} from '@xmcomm/web-kit';
import type { FastifyRequest } from 'fastify';
import type { ServerDb } from '../database.js';
import { XmServerError } from '../errors.js';
import { describeError } from '../messages.js';
import { type AuthPolicy, authorise, type Operator, type Privilege, roleNames } from '../operator-auth.js';
import { consoleCss } from './css.js';
import { registerBills } from './pages/bills.js';
import { registerCertificates } from './pages/certificates.js';
import { registerClientPage } from './pages/client.js';
import { registerClientsPages } from './pages/clients.js';
import { registerDashboard } from './pages/dashboard.js';
import { registerLicence } from './pages/licence.js';
import { registerLogin } from './pages/login.js';
import { registerMonitor } from './pages/monitor.js';
import { registerProfile } from './pages/profile.js';
import { registerSignatories } from './pages/signatories.js';
import { registerStatistics } from './pages/statistics.js';
import { registerTariffs } from './pages/tariffs.js';
import { registerTrustList } from './pages/trust-list.js';
import { registerUsers } from './pages/users.js';
import { type CommandSettings, runAs } from './run-as.js';
import { operatorSessionStore } from './session-store.js';
import { ct } from './texts.js';

/** An operator as the console sees it at each request (loaded from the database every time). */
export interface ConsoleUser extends WebUser {
  readonly displayName: string | null;
  readonly mustChangePassword: boolean;
}

export interface ConsoleOptions extends CommandSettings {
  /** A balance below this (in currency units) is "low on credit". Default 5000. */
  readonly lowCredit?: number;
  readonly authPolicy?: Partial<AuthPolicy>;
  readonly now?: () => Date;
  readonly logger?: boolean | { readonly level: string; readonly stream?: { write(line: string): void } };
  readonly https?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly trustProxy?: boolean;
}

/** What every page module is given. */
export interface ConsoleContext {
  readonly web: WebApp<ConsoleUser>;
  readonly db: ServerDb;
  readonly options: ConsoleOptions;
  readonly lowCredit: number;
  /** The logged-in operator with at least `privilege`; below it the refusal is audited and is a 403. */
  need(request: FastifyRequest, privilege: Privilege): Promise<ConsoleUser>;
  /** Runs a CLI command as the request's operator (see run-as.ts). */
  act(user: ConsoleUser, argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<unknown>;
  lang(request: FastifyRequest): Language;
  t(request: FastifyRequest, text: Text, params?: Record<string, string | number>): string;
}

export const operatorOf = (user: ConsoleUser): Operator => ({
  userId: user.id,
  login: user.login,
  displayName: user.displayName,
  privilege: user.privilege,
  mustChangePassword: user.mustChangePassword,
});

/** A command's refusal as the operator reads it, and the form field it is about (if any). */
export function problemOf(error: unknown, language: Language): { field?: string; message: string } {
  if (!XmServerError.isInstance(error)) throw error;
  const message = describeError(error.code, error.params, language);
  const byCode: Record<string, string> = {
    'invalid-amount': 'amount',
    'invalid-matricule': 'matricule',
    'invalid-status': 'status',
    'invalid-privilege': 'privilege',
    'duplicate-client': 'matricule',
    'duplicate-user': 'login',
    'duplicate-centre-code': 'centreCode',
    'password-too-short': 'password',
  };
  const named = typeof error.params.name === 'string' ? error.params.name.replace(/^--/, '') : undefined;
  const field = byCode[error.code] ?? (named === 'centre-code' ? 'centreCode' : named);
  return field ? { field, message } : { message };
}

/** An alert at the top of a form, or nothing. */
export const alertOf = (message: string | undefined): Html =>
  message ? html`<p class="notice warn" role="alert">${message}</p>` : html``;

/**
 * The operator console: the web layer (sessions in `xm_system.operator_sessions`, CSRF on every
 * POST, French and English) with xmserver's pages. Reads are queries of their own (paged, fast
 * with 100,000 clients); every change is a CLI command run as the logged-in operator.
 */
export async function createConsole(options: ConsoleOptions): Promise<WebApp<ConsoleUser>> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const web = await createWebApp<ConsoleUser>({
    appTitle: ct.appTitle,
    sessions: operatorSessionStore(db),
    sessionPolicy: { now },
    css: consoleCss,
    // A site's certificate request (a few KiB) uploaded from the client page.
    uploads: { maxFileBytes: 64 * 1024 },
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.https ? { https: options.https } : {}),
    ...(options.trustProxy ? { trustProxy: true } : {}),
    async loadUser(id) {
      const row = await db
        .selectFrom('xm_system.users')
        .select(['id', 'login', 'display_name', 'privilege', 'must_change_password'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        login: row.login,
        privilege: row.privilege,
        displayName: row.display_name,
        mustChangePassword: row.must_change_password,
      };
    },
    who: (user, language) =>
      format(ct.who[language], {
        login: user.login,
        role: roleNames[user.privilege as Privilege]?.[language] ?? '',
        privilege: user.privilege,
      }),
    nav: (user, language, path) => {
      if (!user) return [];
      const links: [string, Text][] = [
        ['/', ct.dashboard],
        ['/clients', ct.clients],
        ['/monitor', ct.monitor],
        ['/statistics', ct.statistics],
        ['/tariffs', ct.tariffs],
        ['/signatories', ct.signatories],
        ['/trust-list', ct.trustList],
        ['/licence', ct.licence],
      ];
      if (user.privilege >= 3) links.push(['/users', ct.users]);
      return links.map(([href, label]) => ({
        href,
        label: label[language],
        current:
          href === '/'
            ? path === '/'
            : path === href || path.startsWith(`${href}/`) || path.startsWith(`${href}?`),
      }));
    },
  });
  const context: ConsoleContext = {
    web,
    db,
    options,
    lowCredit: options.lowCredit ?? 5000,
    async need(request, privilege) {
      const user = web.requireUser(request, 1);
      if (user.privilege < privilege) {
        const what = `console ${request.method} ${request.routeOptions.url ?? request.url}`;
        try {
          await authorise(db, operatorOf(user), privilege, what);
        } catch (error) {
          if (!XmServerError.isInstance(error)) throw error;
        }
        web.requireUser(request, privilege);
        throw new WebKitError('forbidden', 'privilege too low');
      }
      return user;
    },
    act: (user, argv, env) => runAs(options, operatorOf(user), argv, env),
    lang: (request) => request.web.language,
    t: (request, text, params) => format(text[request.web.language], params),
  };
  registerLogin(context);
  registerDashboard(context);
  registerClientsPages(context);
  registerCertificates(context, registerClientPage(context));
  registerBills(context);
  registerProfile(context);
  registerMonitor(context);
  registerTariffs(context);
  registerStatistics(context);
  registerLicence(context);
  registerUsers(context);
  registerSignatories(context);
  registerTrustList(context);
  return web;
}
