import type { SiteDatabase } from '@xmcomm/schema';
import type { Privilege, SiteKit } from '@xmcomm/site-kit';
import {
  createWebApp,
  type NavLink,
  type SessionPolicy,
  siteSessionStore,
  type Text,
  type WebApp,
} from '@xmcomm/web-kit';
import type { Kysely } from 'kysely';
import type { PageContext, SyncHooks, WorkstationUser } from './context.js';
import { type NounTexts, nounTexts } from './noun-texts.js';
import { registerHomePage } from './pages/home.js';
import { registerLoginPages } from './pages/login.js';
import type { PrintHooks } from './pages/print.js';
import { registerRecordForms } from './pages/record-form.js';
import { registerRecordList } from './pages/record-list.js';
import { registerRecordPage } from './pages/record-page.js';
import { registerSyncPage } from './pages/sync.js';
import { registerUsersPage } from './pages/users.js';
import { texts } from './texts.js';

export interface WorkstationOptions {
  /** The site app's kit: every page acts through it, so no page skips a check the CLI makes. */
  readonly kit: SiteKit;
  /** The same database the kit was given (sessions, outbox, messages). */
  readonly db: Kysely<SiteDatabase>;
  /** The application's name in the header: `Civil registration`, `Casier judiciaire`. */
  readonly appTitle: Text;
  readonly sync?: SyncHooks;
  /** Printing copies of validated records (a Print button on their page), through the app's own function. */
  readonly print?: PrintHooks;
  /**
   * Earliest and latest dates a form's date field offers. Default 1800-01-01 to 2199-12-31, so the
   * picker cannot produce a five-digit year; an app narrows it (ECR: nothing after today).
   */
  readonly dateBounds?: (type: string, field: string) => { min?: string; max?: string };
  readonly sessionPolicy?: SessionPolicy;
  readonly logger?: boolean | { readonly level: string; readonly stream?: { write(line: string): void } };
}

const navigation = (kit: SiteKit) => {
  const words = nounTexts(kit.recordNoun());
  return (user: WorkstationUser | undefined, language: 'en' | 'fr', path: string): NavLink[] => {
    if (!user) return [];
    const actor = { id: user.id, login: user.login, privilege: user.privilege };
    const link = (
      href: string,
      label: Text,
      match = (p: string) => p === href || p.startsWith(`${href}/`) || p.startsWith(`${href}?`),
    ) => ({
      href,
      label: label[language],
      current: match(path.split('#')[0] ?? path),
    });
    const links: NavLink[] = [link('/', texts.home, (p) => p === '/' || p.startsWith('/?'))];
    if (kit.recordTypes.some((type) => kit.allows(actor, type.name, 'draft')))
      links.push(link('/records/new', words.newRecord));
    links.push(
      link(
        '/records',
        words.records,
        (p) => p === '/records' || p.startsWith('/records?') || /^\/records\/[A-Z]/.test(p),
      ),
    );
    links.push(link('/sync', texts.synchronisation));
    if (user.privilege >= 3) links.push(link('/users', texts.users));
    links.push(link('/password', texts.myPassword));
    return links;
  };
};

/**
 * The site workstation UI for a site app's kit: login, home, new record, lists and search, record
 * pages with only the actions the user's privilege allows, users (the head), synchronisation.
 * Returns the web app; `listen` it, or `inject` in tests.
 */
export async function createWorkstation(options: WorkstationOptions): Promise<WebApp<WorkstationUser>> {
  const { kit, db } = options;
  const web = await createWebApp<WorkstationUser>({
    appTitle: options.appTitle,
    sessions: siteSessionStore(db),
    ...(options.sessionPolicy ? { sessionPolicy: options.sessionPolicy } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    async loadUser(id) {
      const row = await db
        .selectFrom('xm_site.users')
        .select(['id', 'login', 'privilege', 'display_name', 'must_change_password'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        login: row.login,
        privilege: row.privilege as Privilege,
        displayName: row.display_name,
        mustChangePassword: row.must_change_password,
      };
    },
    who: (user, language) =>
      `${user.displayName ?? user.login} — ${kit.roleNames[user.privilege][language]} (${user.privilege})`,
    nav: navigation(kit),
  });
  // A user who must change the password sees nothing else first, and does nothing else either:
  // a POST elsewhere (a form kept open, a forged one) is sent to the password page unread.
  web.fastify.addHook('preHandler', async (request, reply) => {
    const user = request.web.user as WorkstationUser | undefined;
    if (!user?.mustChangePassword) return;
    const path = request.url.split('?')[0] ?? '';
    if (path === '/password' || path === '/logout') return;
    if (request.method === 'GET' && (path.startsWith('/assets/') || path.startsWith('/language/'))) return;
    return reply.redirect('/password', 303);
  });
  const wordsByType = new Map<string, NounTexts>();
  const ctx: PageContext = {
    kit,
    words: (typeName) => {
      const key = typeName ?? '';
      let found = wordsByType.get(key);
      if (!found) {
        found = nounTexts(kit.recordNoun(typeName));
        wordsByType.set(key, found);
      }
      return found;
    },
    db,
    web,
    sync: options.sync ?? {},
    ...(options.print ? { print: options.print } : {}),
    dateBounds: (type, field) => ({
      min: '1800-01-01',
      max: '2199-12-31',
      ...options.dateBounds?.(type, field),
    }),
  };
  registerLoginPages(ctx);
  registerHomePage(ctx);
  registerRecordForms(ctx);
  registerRecordList(ctx);
  registerRecordPage(ctx);
  registerUsersPage(ctx);
  registerSyncPage(ctx);
  return web;
}
