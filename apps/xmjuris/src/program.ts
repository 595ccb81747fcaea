import { mkdir } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import {
  hostProblem,
  type Language,
  languageFlag,
  localizeProgram,
  parsePort,
  pickLanguage,
} from '@xmcomm/cli-kit';
import { databaseKind, type SiteDatabase } from '@xmcomm/schema';
import {
  checkSiteIdentity,
  createSiteKit,
  insertUser,
  localToday,
  openSiteDatabase,
  type Privilege,
  readSiteIdentity,
  type SessionUser,
  type SiteIdentity,
  SiteKitError,
  saveSiteIdentity,
} from '@xmcomm/site-kit';
import { Command, CommanderError, Option } from 'commander';
import type { Kysely } from 'kysely';
import { type Bulletin, frenchBulletinRules, rulesInForce } from './bulletins.js';
import { helpFr } from './help-fr.js';
import { jurisMigrations, jurisRecordTypes, jurisRoleNames } from './record-types.js';

/** What `xmjuris` takes from its process: the bin passes the real ones, tests their own. */
export interface JurisIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly today?: () => string;
  /** Opens the court's database (migrated); by default `openSiteDatabase` with the court's migrations. */
  readonly openDatabase?: (url: string) => Promise<{ db: Kysely<SiteDatabase>; close: () => Promise<void> }>;
  /** Ends `xmjuris serve` when aborted; the bin wires it to SIGINT and SIGTERM. */
  readonly signal?: AbortSignal;
}

export const jurisErrorCodes = ['usage', 'not-initialised', 'password-required'] as const;
export type JurisErrorCode = (typeof jurisErrorCodes)[number];

/** The app's own refusals; the kit's are SiteKitError. Both carry English and French. */
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
  'not-initialised': 3,
  'password-required': 2,
  'invalid-settings': 2,
  'invalid-record': 4,
  forbidden: 5,
  'bad-login': 6,
  'account-locked': 6,
  suspended: 6,
  database: 7,
};

const usage = (en: string, fr: string) => new JurisError('usage', en, fr);

function portOption(value: string): number {
  const parsed = parsePort(value);
  if ('problem' in parsed) throw usage(parsed.problem.en, parsed.problem.fr);
  return parsed.port;
}

function hostOption(value: string): string {
  const problem = hostProblem(value);
  if (problem) throw usage(problem.en, problem.fr);
  return value;
}
const roles: Readonly<Record<string, Privilege>> = { suspended: 0, agent: 1, secretary: 2, clerk: 3 };

const languageOf = (flag: string | undefined, env: JurisIo['env']): Language =>
  pickLanguage({ flag, variable: 'XMJURIS_LANG', env });

/** Runs `xmjuris` with these arguments; returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: JurisIo): Promise<number> {
  const language = languageOf(languageFlag(argv), io.env);
  const program = localizeProgram(buildProgram(io), { language, french: helpFr });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : (exitCodes.usage ?? 2);
    const known = error instanceof JurisError || error instanceof SiteKitError;
    const message = known ? (language === 'fr' ? error.messageFr : error.message) : String(error);
    io.stderr(`xmjuris: ${message}\n`);
    if (error instanceof SiteKitError) {
      for (const field of error.fieldErrors) {
        io.stderr(`  ${language === 'fr' ? field.messageFr : field.message} [${field.code}]\n`);
      }
    }
    return exitCodes[known ? error.code : 'internal'] ?? 1;
  }
}

/** The whole `xmjuris` command tree, in English; `runCli` puts it in the user's language. */
export function buildProgram(io: JurisIo): Command {
  const program = new Command('xmjuris')
    .description("A court's criminal record: users, entries signed by the clerk, bulletins No 1-3.")
    .option('--data-dir <dir>', 'where the embedded database is kept (XMJURIS_DATA_DIR)')
    .option('--database-url <url>', "the court's database, postgres://user@host/db (XMJURIS_DATABASE_URL)")
    .option('--json', 'machine-readable output')
    .addOption(
      new Option('--lang <language>', 'language of messages (default $XMJURIS_LANG)').choices(['en', 'fr']),
    )
    .option('--user <login>', 'who runs the command (XMJURIS_USER); the password comes from XMJURIS_PASSWORD')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  type Globals = { dataDir?: string; databaseUrl?: string; json?: boolean; lang?: string; user?: string };
  const globals = () => program.opts<Globals>();
  const language = () => languageOf(globals().lang, io.env);
  const t = (en: string, fr: string) => (language() === 'fr' ? fr : en);
  const today = io.today ?? localToday;
  const print = (human: string, json: unknown) =>
    io.stdout(globals().json ? `${JSON.stringify(json, null, 2)}\n` : `${human}\n`);

  /** The database: --database-url, XMJURIS_DATABASE_URL, else an embedded one in the data folder. */
  const databaseUrl = () => {
    const given = globals().databaseUrl ?? io.env.XMJURIS_DATABASE_URL;
    if (given) return given;
    const base = io.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
    const dir = globals().dataDir ?? io.env.XMJURIS_DATA_DIR ?? join(base, 'xmcomm-xmjuris');
    return join(isAbsolute(dir) ? dir : resolve(dir), 'db');
  };
  const open =
    io.openDatabase ??
    (async (url: string) => {
      if (databaseKind(url) !== 'postgres' && !url.startsWith('memory:')) {
        await mkdir(url.replace(/^file:\/\//, ''), { recursive: true, mode: 0o700 });
      }
      const db = await openSiteDatabase(url, jurisMigrations);
      return { db, close: () => db.destroy() };
    });

  /**
   * Opens the court's database for `body`: for `init` as it is, for `court` once the court is set up,
   * for `user` also with the user logged in (--user, XMJURIS_PASSWORD).
   */
  async function withCourt<T>(
    body: (db: Kysely<SiteDatabase>, user?: SessionUser, court?: SiteIdentity) => Promise<T>,
    mode: 'init' | 'court' | 'user' = 'user',
  ) {
    const { db, close } = await open(databaseUrl());
    try {
      if (mode === 'init') return await body(db);
      const court = await readSiteIdentity(db);
      if (!court) {
        throw new JurisError(
          'not-initialised',
          'The court is not set up: run `xmjuris init`.',
          "Le tribunal n'est pas configuré : lancez `xmjuris init`.",
        );
      }
      if (mode === 'court') return await body(db, undefined, court);
      const login = globals().user ?? io.env.XMJURIS_USER;
      if (!login)
        throw usage(
          'Say who you are: --user <login> (or XMJURIS_USER).',
          'Indiquez qui vous êtes : --user <identifiant> (ou XMJURIS_USER).',
        );
      const password = secret('XMJURIS_PASSWORD');
      const user = await kitOf(db).users.authenticate(login, password, { workstation: hostname() });
      return await body(db, user, court);
    } finally {
      await close();
    }
  }

  const kitOf = (db: Kysely<SiteDatabase>) =>
    createSiteKit({
      db,
      recordTypes: jurisRecordTypes,
      centre: async () => {
        const court = await readSiteIdentity(db);
        return { matricule: court?.matricule ?? '', centreCode: court?.centreCode ?? '' };
      },
      today,
      roleNames: jurisRoleNames,
    });

  /** A password from the environment, never from the command line (`ps` and histories keep those). */
  function secret(variable: string): string {
    const value = io.env[variable];
    if (!value)
      throw new JurisError(
        'password-required',
        `Give the password in ${variable}.`,
        `Donnez le mot de passe dans ${variable}.`,
      );
    return value;
  }

  program
    .command('init')
    .description(
      "set up the court's database, its identity and its clerk (password from XMJURIS_NEW_PASSWORD)",
    )
    .requiredOption('--matricule <matricule>', "the court's matricule at the national criminal register")
    .requiredOption('--centre-code <digits>', "the court's 6-digit national code (first part of every NIU)")
    .option('--name <name>', "the court's name")
    .requiredOption('--clerk <login>', "the clerk's login (greffier, privilege 3)")
    .option('--clerk-name <name>', "the clerk's full name")
    .action(
      (options: {
        matricule: string;
        centreCode: string;
        name?: string;
        clerk: string;
        clerkName?: string;
      }) =>
        withCourt(async (db) => {
          const existing = await readSiteIdentity(db);
          if (existing) {
            throw usage(
              `The court's database is already set up for matricule ${existing.matricule}.`,
              `La base du tribunal est déjà configurée pour le matricule ${existing.matricule}.`,
            );
          }
          const identity = {
            matricule: options.matricule,
            centreCode: options.centreCode,
            ...(options.name ? { name: options.name } : {}),
          };
          const password = secret('XMJURIS_NEW_PASSWORD');
          // Checked before anything is written; the identity last: a court exists once its clerk
          // does, so a failed init can simply be run again.
          checkSiteIdentity(identity);
          await insertUser(db, {
            login: options.clerk,
            privilege: 3,
            password,
            ...(options.clerkName ? { displayName: options.clerkName } : {}),
          });
          await saveSiteIdentity(db, identity);
          print(
            t(
              `Court ${identity.matricule} is set up; clerk: ${options.clerk}.`,
              `Le tribunal ${identity.matricule} est configuré ; greffier : ${options.clerk}.`,
            ),
            { ...identity, clerk: options.clerk },
          );
        }, 'init'),
    );

  const user = program.command('user').description("the court's users (the clerk manages them)");
  user
    .command('add <login>')
    .description('add a user; the password comes from XMJURIS_NEW_PASSWORD')
    .addOption(
      new Option('--role <role>', 'agent, secretary or clerk')
        .choices(['agent', 'secretary', 'clerk'])
        .makeOptionMandatory(),
    )
    .option('--name <name>', 'full name')
    .action((login: string, options: { role: string; name?: string }) =>
      withCourt(async (db, actor) => {
        const added = await kitOf(db).users.add(actor as SessionUser, {
          login,
          privilege: roles[options.role] ?? 1,
          password: secret('XMJURIS_NEW_PASSWORD'),
          ...(options.name ? { displayName: options.name } : {}),
        });
        const role = jurisRoleNames[added.privilege as 1 | 2 | 3];
        print(t(`Added ${added.login} (${role.en}).`, `${added.login} ajouté (${role.fr}).`), added);
      }),
    );
  user
    .command('list')
    .description("list the court's users")
    .action(() =>
      withCourt(async (db, actor) => {
        const users = await kitOf(db).users.list(actor as SessionUser);
        const lines = users.map((u) => {
          const role = jurisRoleNames[u.privilege as 1 | 2 | 3] ?? { en: 'suspended', fr: 'suspendu' };
          return `${u.login}\t${role[language()]}\t${u.displayName ?? ''}`;
        });
        print(lines.join('\n'), users);
      }),
    );

  program
    .command('rules')
    .description('the bulletin rules in force today: which entries each bulletin leaves out, and why')
    .action(() => {
      const rules = rulesInForce(frenchBulletinRules, today());
      const keepsOff = (bulletins: readonly Bulletin[]) =>
        bulletins.map((b) => `No ${b.slice(1)}`).join(', ');
      print(
        rules
          .map(
            (rule) => `${rule.id}\t${keepsOff(rule.bulletins)}\t${rule.label[language()]} (${rule.source})`,
          )
          .join('\n'),
        rules.map(({ excludes: _, ...rule }) => rule),
      );
    });

  program
    .command('serve')
    .description(
      "serve the workstation UI to browsers on the court's database (127.0.0.1 unless --host says otherwise)",
    )
    .option('--host <host>', 'the address to listen on', hostOption, '127.0.0.1')
    .option('--port <port>', 'the port, 0-65535 (0: any free port)', portOption, 8080)
    .action((options: { host: string; port: number }) =>
      withCourt(async (db, _user, court) => {
        const { createWorkstation, listenWorkstation, untilAborted } = await import('@xmcomm/workstation');
        const web = await createWorkstation({
          kit: kitOf(db),
          db,
          appTitle: {
            en: `Criminal record · ${court?.name ?? court?.matricule ?? ''}`,
            fr: `Casier judiciaire · ${court?.name ?? court?.matricule ?? ''}`,
          },
          // Decisions, offences and births have happened; a ban may end later.
          dateBounds: (_type, field) => (field === 'bans_until' ? {} : { max: today() }),
          logger: { level: 'warn', stream: { write: (line) => io.stderr(line) } },
        });
        const listening = await listenWorkstation(web.fastify, options.host, options.port);
        print(listening.address[language()], { url: `${listening.url}/` });
        if (listening.note) io.stdout(`${listening.note[language()]}\n`);
        if (listening.warning) io.stderr(`${listening.warning[language()]}\n`);
        await untilAborted(io.signal);
        await web.fastify.close();
      }, 'court'),
    );
  return program;
}
