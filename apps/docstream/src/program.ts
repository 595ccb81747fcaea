import { mkdir, readFile } from 'node:fs/promises';
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
import type { SealSigner } from '@xmcomm/documents';
import { describeProblem, FormsError, listForms, siteFormsMigrations } from '@xmcomm/forms';
import { databaseKind, type SiteDatabase } from '@xmcomm/schema';
import {
  checkSiteIdentity,
  createSiteKit,
  insertUser,
  localToday,
  openSiteDatabase,
  type Privilege,
  type RecordType,
  readSiteIdentity,
  type SessionUser,
  type SiteIdentity,
  SiteKitError,
  saveSiteIdentity,
  siteKitMigrations,
} from '@xmcomm/site-kit';
import { installSiteForm, siteFormRecordTypes } from '@xmcomm/site-kit/forms';
import { Command, CommanderError, Option } from 'commander';
import type { Kysely } from 'kysely';
import { documentKeyPassphraseVariable, loadDocumentSigner } from './document-signer.js';
import { helpFr } from './help-fr.js';
import { formPrintHooks } from './print-hooks.js';

/** What `docstream` takes from its process: the bin passes the real ones, tests their own. */
export interface DocstreamIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly today?: () => string;
  /** Opens the centre's database (migrated); by default `openSiteDatabase` with Docstream's migrations. */
  readonly openDatabase?: (url: string) => Promise<{ db: Kysely<SiteDatabase>; close: () => Promise<void> }>;
  /** The document key that seals prints; by default the files of the data folder (document-signer.ts). */
  readonly documentSigner?: () => Promise<SealSigner>;
  /** Ends `docstream serve` when aborted; the bin wires it to SIGINT and SIGTERM. */
  readonly signal?: AbortSignal;
  /** Called once `serve` listens, with its URL (tests). */
  readonly onListening?: (url: string) => void;
}

export const docstreamErrorCodes = ['usage', 'not-initialised', 'password-required'] as const;
export type DocstreamErrorCode = (typeof docstreamErrorCodes)[number];

/** The app's own refusals; the kit's are SiteKitError, a definition's FormsError. All in en and fr. */
export class DocstreamError extends Error {
  override readonly name = 'DocstreamError';
  constructor(
    readonly code: DocstreamErrorCode,
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
  'invalid-definition': 8,
  'version-conflict': 9,
  'older-version': 9,
  'incompatible-change': 9,
  'table-exists': 9,
};

/** The centre's roles in the brochure's words: the officer (chef de centre) validates and signs. */
export const docstreamRoleNames = {
  3: { en: 'officer', fr: 'officier' },
  2: { en: 'secretary', fr: 'secrétaire' },
  1: { en: 'agent', fr: 'agent' },
} as const;

/** The centre database's migrations: the kit's (no record type until a form is installed) and the forms register. */
export const docstreamMigrations = { ...siteKitMigrations([]), ...siteFormsMigrations };

const usage = (en: string, fr: string) => new DocstreamError('usage', en, fr);

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
const roles: Readonly<Record<string, Privilege>> = { agent: 1, secretary: 2, officer: 3 };

const languageOf = (flag: string | undefined, env: DocstreamIo['env']): Language =>
  pickLanguage({ flag, variable: 'DOCSTREAM_LANG', env });

/** Runs `docstream` with these arguments; returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: DocstreamIo): Promise<number> {
  const language = languageOf(languageFlag(argv), io.env);
  const program = localizeProgram(buildProgram(io), { language, french: helpFr });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : (exitCodes.usage ?? 2);
    const known =
      error instanceof DocstreamError || error instanceof SiteKitError || FormsError.isInstance(error);
    const message = known ? (language === 'fr' ? error.messageFr : error.message) : String(error);
    io.stderr(`docstream: ${message}\n`);
    if (error instanceof SiteKitError) {
      for (const field of error.fieldErrors) {
        io.stderr(`  ${language === 'fr' ? field.messageFr : field.message} [${field.code}]\n`);
      }
    }
    if (FormsError.isInstance(error)) {
      for (const problem of error.problems) io.stderr(`  ${describeProblem(problem, language)}\n`);
    }
    return exitCodes[known ? error.code : 'internal'] ?? 1;
  }
}

/** The whole `docstream` command tree, in English; `runCli` puts it in the user's language. */
export function buildProgram(io: DocstreamIo): Command {
  const program = new Command('docstream')
    .description(
      "A processing centre's authentic documents from forms defined without code: users, forms, the workstation UI.",
    )
    .option(
      '--data-dir <dir>',
      'where the embedded database and the document key are kept (DOCSTREAM_DATA_DIR)',
    )
    .option('--database-url <url>', "the centre's database, postgres://user@host/db (DOCSTREAM_DATABASE_URL)")
    .option('--json', 'machine-readable output')
    .addOption(
      new Option('--lang <language>', 'language of messages (default $DOCSTREAM_LANG)').choices(['en', 'fr']),
    )
    .option(
      '--user <login>',
      'who runs the command (DOCSTREAM_USER); the password comes from DOCSTREAM_PASSWORD',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  type Globals = { dataDir?: string; databaseUrl?: string; json?: boolean; lang?: string; user?: string };
  const globals = () => program.opts<Globals>();
  const language = () => languageOf(globals().lang, io.env);
  const t = (en: string, fr: string) => (language() === 'fr' ? fr : en);
  const today = io.today ?? localToday;
  const print = (human: string, json: unknown) =>
    io.stdout(globals().json ? `${JSON.stringify(json, null, 2)}\n` : `${human}\n`);

  const dataDir = () => {
    const base = io.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
    const dir = globals().dataDir ?? io.env.DOCSTREAM_DATA_DIR ?? join(base, 'xmcomm-docstream');
    return isAbsolute(dir) ? dir : resolve(dir);
  };
  /** The database: --database-url, DOCSTREAM_DATABASE_URL, else an embedded one in the data folder. */
  const databaseUrl = () => globals().databaseUrl ?? io.env.DOCSTREAM_DATABASE_URL ?? join(dataDir(), 'db');
  const open =
    io.openDatabase ??
    (async (url: string) => {
      if (databaseKind(url) !== 'postgres' && !url.startsWith('memory:')) {
        await mkdir(url.replace(/^file:\/\//, ''), { recursive: true, mode: 0o700 });
      }
      const db = await openSiteDatabase(url, docstreamMigrations);
      return { db, close: () => db.destroy() };
    });

  /** A password from the environment, never from the command line (`ps` and histories keep those). */
  function secret(variable: string): string {
    const value = io.env[variable];
    if (!value)
      throw new DocstreamError(
        'password-required',
        `Give the password in ${variable}.`,
        `Donnez le mot de passe dans ${variable}.`,
      );
    return value;
  }

  const kitOf = (db: Kysely<SiteDatabase>, recordTypes: readonly RecordType[]) =>
    createSiteKit({
      db,
      recordTypes,
      centre: async () => {
        const centre = await readSiteIdentity(db);
        return { matricule: centre?.matricule ?? '', centreCode: centre?.centreCode ?? '' };
      },
      today,
      roleNames: docstreamRoleNames,
      recordNoun: {
        en: { one: 'document', many: 'documents' },
        fr: {
          one: 'document',
          many: 'documents',
          the: 'le document',
          this: 'ce document',
          of: 'de document',
          none: 'aucun document',
          new: 'nouveau document',
          feminine: false,
        },
      },
    });

  /**
   * Opens the centre's database for `body`: for `init` as it is, for `centre` once the centre is set
   * up, for `user` also with the user logged in (--user, DOCSTREAM_PASSWORD).
   */
  async function withCentre<T>(
    body: (
      db: Kysely<SiteDatabase>,
      context: {
        user?: SessionUser;
        centre?: SiteIdentity;
        types: Awaited<ReturnType<typeof siteFormRecordTypes>>;
      },
    ) => Promise<T>,
    mode: 'init' | 'centre' | 'user' = 'user',
  ) {
    const { db, close } = await open(databaseUrl());
    try {
      if (mode === 'init') return await body(db, { types: [] });
      const centre = await readSiteIdentity(db);
      if (!centre) {
        throw new DocstreamError(
          'not-initialised',
          'The centre is not set up: run `docstream init`.',
          "Le centre n'est pas configuré : lancez `docstream init`.",
        );
      }
      const types = await siteFormRecordTypes(db);
      if (mode === 'centre') return await body(db, { centre, types });
      const login = globals().user ?? io.env.DOCSTREAM_USER;
      if (!login)
        throw usage(
          'Say who you are: --user <login> (or DOCSTREAM_USER).',
          'Indiquez qui vous êtes : --user <identifiant> (ou DOCSTREAM_USER).',
        );
      const password = secret('DOCSTREAM_PASSWORD');
      const kit = kitOf(
        db,
        types.map((entry) => entry.type),
      );
      const user = await kit.users.authenticate(login, password, { workstation: hostname() });
      return await body(db, { user, centre, types });
    } finally {
      await close();
    }
  }

  program
    .command('init')
    .description(
      "set up the centre's database, its identity and its officer (password from DOCSTREAM_NEW_PASSWORD)",
    )
    .requiredOption('--matricule <matricule>', "the centre's matricule at the central server")
    .requiredOption('--centre-code <digits>', "the centre's 6-digit code (first part of every NIU)")
    .option('--name <name>', "the centre's name, printed on its documents")
    .requiredOption('--officer <login>', "the officer's login (chef de centre, privilege 3)")
    .option('--officer-name <name>', "the officer's full name")
    .action(
      (options: {
        matricule: string;
        centreCode: string;
        name?: string;
        officer: string;
        officerName?: string;
      }) =>
        withCentre(async (db) => {
          const existing = await readSiteIdentity(db);
          if (existing) {
            throw usage(
              `The centre's database is already set up for matricule ${existing.matricule}.`,
              `La base du centre est déjà configurée pour le matricule ${existing.matricule}.`,
            );
          }
          const identity = {
            matricule: options.matricule,
            centreCode: options.centreCode,
            ...(options.name ? { name: options.name } : {}),
          };
          const password = secret('DOCSTREAM_NEW_PASSWORD');
          // Checked before anything is written; the identity last: a centre exists once its officer
          // does, so a failed init can simply be run again.
          checkSiteIdentity(identity);
          await insertUser(db, {
            login: options.officer,
            privilege: 3,
            password,
            ...(options.officerName ? { displayName: options.officerName } : {}),
          });
          await saveSiteIdentity(db, identity);
          print(
            t(
              `Centre ${identity.matricule} is set up; officer: ${options.officer}.`,
              `Le centre ${identity.matricule} est configuré ; officier : ${options.officer}.`,
            ),
            { ...identity, officer: options.officer },
          );
        }, 'init'),
    );

  const user = program.command('user').description("the centre's users (the officer manages them)");
  user
    .command('add <login>')
    .description('add a user; the password comes from DOCSTREAM_NEW_PASSWORD')
    .addOption(
      new Option('--role <role>', 'agent, secretary or officer')
        .choices(['agent', 'secretary', 'officer'])
        .makeOptionMandatory(),
    )
    .option('--name <name>', 'full name')
    .action((login: string, options: { role: string; name?: string }) =>
      withCentre(async (db, { user: actor, types }) => {
        const added = await kitOf(
          db,
          types.map((entry) => entry.type),
        ).users.add(actor as SessionUser, {
          login,
          privilege: roles[options.role] ?? 1,
          password: secret('DOCSTREAM_NEW_PASSWORD'),
          ...(options.name ? { displayName: options.name } : {}),
        });
        const role = docstreamRoleNames[added.privilege as 1 | 2 | 3];
        print(t(`Added ${added.login} (${role.en}).`, `${added.login} ajouté (${role.fr}).`), added);
      }),
    );
  user
    .command('list')
    .description("list the centre's users")
    .action(() =>
      withCentre(async (db, { user: actor, types }) => {
        const users = await kitOf(
          db,
          types.map((entry) => entry.type),
        ).users.list(actor as SessionUser);
        const lines = users.map((u) => {
          const role = docstreamRoleNames[u.privilege as 1 | 2 | 3] ?? { en: 'suspended', fr: 'suspendu' };
          return `${u.login}\t${role[language()]}\t${u.displayName ?? ''}`;
        });
        print(lines.join('\n'), users);
      }),
    );

  const forms = program
    .command('forms')
    .description('the document types this centre issues (definition files)');
  forms
    .command('install <file>')
    .description(
      'install a form definition file (the officer): its table, its form and its print; the central server installs the same file',
    )
    .action((file: string) =>
      withCentre(async (db, { user: actor }) => {
        const officer = actor as SessionUser;
        if (officer.privilege < 3) {
          throw new SiteKitError('forbidden', {
            login: officer.login,
            role: docstreamRoleNames[officer.privilege as 1 | 2]?.en ?? 'suspended',
            roleFr: docstreamRoleNames[officer.privilege as 1 | 2]?.fr ?? 'suspendu',
            action: 'install forms',
            actionFr: 'installer des formulaires',
            needed: '3 (officer)',
            neededFr: '3 (officier)',
          });
        }
        let source: string;
        try {
          source = await readFile(file, 'utf8');
        } catch {
          throw usage(`Cannot read ${file}.`, `Impossible de lire ${file}.`);
        }
        const installed = await installSiteForm(db, source, { by: officer.login });
        const outcome = {
          installed: ['installed', 'installé'] as const,
          updated: ['updated', 'mis à jour'] as const,
          unchanged: ['already installed, unchanged', 'déjà installé, inchangé'] as const,
        }[installed.outcome];
        print(
          [
            `${installed.name} v${installed.version}: ${t(outcome[0], outcome[1])} (xm_data.${installed.table})`,
            t(
              `fingerprint ${installed.fingerprint}: the central server's \`xmserver forms list\` must show the same`,
              `empreinte ${installed.fingerprint} : \`xmserver forms list\` au serveur central doit montrer la même`,
            ),
            t(
              'Restart `docstream serve` for the workstations to offer it.',
              'Relancez `docstream serve` pour que les postes le proposent.',
            ),
          ].join('\n'),
          installed,
        );
      }),
    );
  forms
    .command('list')
    .description('the forms installed, with their version and table fingerprint')
    .action(() =>
      withCentre(async (db) => {
        const installed = await listForms(db, 'site');
        print(
          installed
            .map((form) => `${form.name}\tv${form.version}\t${form.table}\t${form.fingerprint.slice(0, 16)}`)
            .join('\n') || t('No form installed.', 'Aucun formulaire installé.'),
          installed,
        );
      }, 'centre'),
    );

  program
    .command('serve')
    .description(
      "serve the workstation UI to browsers on the centre's database (127.0.0.1 unless --host says otherwise)",
    )
    .option('--host <host>', 'the address to listen on', hostOption, '127.0.0.1')
    .option('--port <port>', 'the port, 0-65535 (0: any free port)', portOption, 8080)
    .action((options: { host: string; port: number }) =>
      withCentre(async (db, { centre, types }) => {
        const { createWorkstation, listenWorkstation, untilAborted } = await import('@xmcomm/workstation');
        const identity = centre as SiteIdentity;
        const kit = kitOf(
          db,
          types.map((entry) => entry.type),
        );
        const signer =
          io.documentSigner ??
          (async () => {
            const loaded = await loadDocumentSigner(dataDir(), io.env[documentKeyPassphraseVariable]);
            if (!loaded.ok) throw loaded.message;
            return loaded.signer;
          });
        const web = await createWorkstation({
          kit,
          db,
          appTitle: {
            en: `Docstream · ${identity.name ?? identity.matricule}`,
            fr: `Docstream · ${identity.name ?? identity.matricule}`,
          },
          print: formPrintHooks(kit, db, types, identity, signer),
          logger: { level: 'warn', stream: { write: (line) => io.stderr(line) } },
        });
        const listening = await listenWorkstation(web.fastify, options.host, options.port);
        print(listening.address[language()], { url: `${listening.url}/` });
        if (listening.note) io.stdout(`${listening.note[language()]}\n`);
        if (listening.warning) io.stderr(`${listening.warning[language()]}\n`);
        io.onListening?.(listening.url);
        await untilAborted(io.signal);
        await web.fastify.close();
      }, 'centre'),
    );
  return program;
}
