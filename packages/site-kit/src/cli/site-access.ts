import { mkdir } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { databaseKind, type Migrations, type SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import type { SiteKit } from '../kit.js';
import { openSiteDatabase, readSiteIdentity, type SiteIdentity } from '../site-settings.js';
import type { SessionUser } from '../users.js';
import type { SiteSession } from './commands.js';
import type { SiteWords } from './link-files.js';
import { readSecret, type Terminal } from './secret.js';

// How a site app's commands reach its database, its data folder and its logged-in user: one way
// for every site CLI (XMJuris, Docstream, ...). The app keeps its own refusals' words.

/** What a site CLI takes from its process: the bin passes the real ones, tests their own. */
export interface SiteAccessIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly today?: () => string;
  /** A terminal to ask for passwords; absent when not interactive. */
  readonly terminal?: Terminal;
  /** Opens the site's database (migrated); by default `openSiteDatabase` with the site's migrations. */
  readonly openDatabase?: (url: string) => Promise<{ db: Kysely<SiteDatabase>; close: () => Promise<void> }>;
}

export interface SiteAccessOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly user?: string;
}

export interface SiteAccessConfig {
  readonly words: SiteWords;
  /** The embedded database's folder name under $XDG_DATA_HOME, e.g. `xmcomm-xmjuris`. */
  readonly folder: string;
  readonly migrations: Migrations;
  readonly today: () => string;
  readonly kit: (db: Kysely<SiteDatabase>) => SiteKit;
  /** The app's own refusals, in its words. */
  readonly notSetUp: () => Error;
  readonly passwordRequired: (variable: string) => Error;
  readonly noUser: () => Error;
}

export type Bilingual = { readonly en: string; readonly fr: string };

/** The site's data folder, database, secrets and login, from options, then `<PREFIX>_*` variables. */
export function siteAccess(io: SiteAccessIo, options: () => SiteAccessOptions, config: SiteAccessConfig) {
  const prefix = config.words.envPrefix;
  const today = io.today ?? config.today;
  const dataDir = () => {
    const base = io.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
    const dir = options().dataDir ?? io.env[`${prefix}_DATA_DIR`] ?? join(base, config.folder);
    return isAbsolute(dir) ? dir : resolve(dir);
  };
  /** The database: --database-url, <PREFIX>_DATABASE_URL, else an embedded one in the data folder. */
  const databaseUrl = () =>
    options().databaseUrl ?? io.env[`${prefix}_DATABASE_URL`] ?? join(dataDir(), 'db');
  const open =
    io.openDatabase ??
    (async (url: string) => {
      if (databaseKind(url) !== 'postgres' && !url.startsWith('memory:')) {
        await mkdir(url.replace(/^file:\/\//, ''), { recursive: true, mode: 0o700 });
      }
      const db = await openSiteDatabase(url, config.migrations);
      return { db, close: () => db.destroy() };
    });

  /** A secret from the environment or a prompt, never from the command line. */
  const secret = (variable: string, question: Bilingual, language: 'en' | 'fr') =>
    readSecret(io.env, variable, question[language], io.terminal);

  async function withDatabase<T>(body: (db: Kysely<SiteDatabase>) => Promise<T>): Promise<T> {
    const { db, close } = await open(databaseUrl());
    try {
      return await body(db);
    } finally {
      await close();
    }
  }

  async function requireSite(db: Kysely<SiteDatabase>): Promise<SiteIdentity> {
    const site = await readSiteIdentity(db);
    if (!site) throw config.notSetUp();
    return site;
  }

  /** A password from its variable (or a prompt); the app's `password-required` when neither. */
  async function passwordOf(variable: string, login: string, language: 'en' | 'fr'): Promise<string> {
    if (!io.env[variable] && !io.terminal?.input.isTTY) throw config.passwordRequired(variable);
    return secret(variable, { en: `Password for ${login}: `, fr: `Mot de passe de ${login} : ` }, language);
  }

  /** Opens the database and logs the user in (--user, <PREFIX>_PASSWORD or a prompt) for `body`. */
  function asUser<T>(body: (session: SiteSession) => Promise<T>, language: () => 'en' | 'fr'): Promise<T> {
    return withDatabase(async (db) => {
      const identity = await requireSite(db);
      const login = options().user ?? io.env[`${prefix}_USER`];
      if (!login) throw config.noUser();
      const password = await passwordOf(`${prefix}_PASSWORD`, login, language());
      const user: SessionUser = await config.kit(db).users.authenticate(login, password, {
        workstation: hostname(),
      });
      return body({ db, identity, user });
    });
  }

  return { today, dataDir, databaseUrl, withDatabase, requireSite, asUser, passwordOf, secret };
}

export type SiteAccess = ReturnType<typeof siteAccess>;
