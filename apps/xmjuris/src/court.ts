import { mkdir } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { databaseKind, type SiteDatabase } from '@xmcomm/schema';
import {
  createSiteKit,
  localToday,
  openSiteDatabase,
  readSiteIdentity,
  requirePrivilege,
  type SessionUser,
  type SiteIdentity,
  type SiteKit,
} from '@xmcomm/site-kit';
import { readSecret, type SiteSession, type Terminal } from '@xmcomm/site-kit/cli';
import type { Kysely } from 'kysely';
import { JurisError, usage } from './errors.js';
import { jurisMigrations, jurisRecordTypes, jurisRoleNames } from './record-types.js';

/** What `xmjuris` takes from its process: the bin passes the real ones, tests their own. */
export interface JurisIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly today?: () => string;
  /** A terminal to ask for passwords; absent when not interactive. */
  readonly terminal?: Terminal;
  /** Opens the court's database (migrated); by default `openSiteDatabase` with the court's migrations. */
  readonly openDatabase?: (url: string) => Promise<{ db: Kysely<SiteDatabase>; close: () => Promise<void> }>;
  /** Ends `xmjuris serve` and `xmjuris sync` when aborted; the bin wires it to SIGINT and SIGTERM. */
  readonly signal?: AbortSignal;
  /** The clock of the bulletins' dates (tests pin it). */
  readonly now?: () => Date;
}

export interface CourtOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly user?: string;
}

/** The court's kit: its record types, its identity, its roles. */
export function courtKit(db: Kysely<SiteDatabase>, today: () => string): SiteKit {
  return createSiteKit({
    db,
    recordTypes: jurisRecordTypes,
    centre: async () => {
      const court = await readSiteIdentity(db);
      return { matricule: court?.matricule ?? '', centreCode: court?.centreCode ?? '' };
    },
    today,
    roleNames: jurisRoleNames,
  });
}

/** How the commands reach the court's database, its folder and its logged-in user. */
export function courtAccess(io: JurisIo, options: () => CourtOptions) {
  const today = io.today ?? localToday;
  const dataDir = () => {
    const base = io.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
    const dir = options().dataDir ?? io.env.XMJURIS_DATA_DIR ?? join(base, 'xmcomm-xmjuris');
    return isAbsolute(dir) ? dir : resolve(dir);
  };
  /** The database: --database-url, XMJURIS_DATABASE_URL, else an embedded one in the data folder. */
  const databaseUrl = () => options().databaseUrl ?? io.env.XMJURIS_DATABASE_URL ?? join(dataDir(), 'db');
  const open =
    io.openDatabase ??
    (async (url: string) => {
      if (databaseKind(url) !== 'postgres' && !url.startsWith('memory:')) {
        await mkdir(url.replace(/^file:\/\//, ''), { recursive: true, mode: 0o700 });
      }
      const db = await openSiteDatabase(url, jurisMigrations);
      return { db, close: () => db.destroy() };
    });

  /** A secret from the environment or a prompt, never from the command line. */
  const secret = (variable: string, question: { en: string; fr: string }, language: 'en' | 'fr') =>
    readSecret(io.env, variable, question[language], io.terminal);

  async function withDatabase<T>(body: (db: Kysely<SiteDatabase>) => Promise<T>): Promise<T> {
    const { db, close } = await open(databaseUrl());
    try {
      return await body(db);
    } finally {
      await close();
    }
  }

  async function requireCourt(db: Kysely<SiteDatabase>): Promise<SiteIdentity> {
    const court = await readSiteIdentity(db);
    if (!court) {
      throw new JurisError(
        'not-initialised',
        'The court is not set up: run `xmjuris init`.',
        "Le tribunal n'est pas configuré : lancez `xmjuris init`.",
      );
    }
    return court;
  }

  /** Opens the court's database and logs the user in (--user, XMJURIS_PASSWORD or a prompt) for `body`. */
  function asUser<T>(body: (session: SiteSession) => Promise<T>, language: () => 'en' | 'fr'): Promise<T> {
    return withDatabase(async (db) => {
      const identity = await requireCourt(db);
      const login = options().user ?? io.env.XMJURIS_USER;
      if (!login)
        throw usage(
          'Say who you are: --user <login> (or XMJURIS_USER).',
          'Indiquez qui vous êtes : --user <identifiant> (ou XMJURIS_USER).',
        );
      const password = await passwordOf('XMJURIS_PASSWORD', login, language());
      const user: SessionUser = await courtKit(db, today).users.authenticate(login, password, {
        workstation: hostname(),
      });
      return body({ db, identity, user });
    });
  }

  /** A password from its variable (or a prompt); the app's own `password-required` when neither. */
  async function passwordOf(variable: string, login: string, language: 'en' | 'fr'): Promise<string> {
    if (!io.env[variable] && !io.terminal?.input.isTTY) {
      throw new JurisError(
        'password-required',
        `Give the password in ${variable}.`,
        `Donnez le mot de passe dans ${variable}.`,
      );
    }
    return secret(variable, { en: `Password for ${login}: `, fr: `Mot de passe de ${login} : ` }, language);
  }

  return { today, dataDir, databaseUrl, withDatabase, requireCourt, asUser, passwordOf, secret };
}

/** The clerk (privilege 3) only. */
export function requireClerk(user: SessionUser, action: { en: string; fr: string }): void {
  requirePrivilege(user, 3, action);
}
