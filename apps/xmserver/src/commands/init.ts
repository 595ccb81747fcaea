import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { redactedUrl } from '@xmcomm/mqtt-transport';
import { hashPassword } from '@xmcomm/pki';
import {
  databaseKind,
  describeDictionaries,
  migrateToLatest,
  redact,
  serverMigrations,
} from '@xmcomm/schema';
import { audited, writeAudit } from '../audit.js';
import { access, handler, type XmCommand } from '../command.js';
import {
  configFileName,
  defaultDatabaseLocation,
  type FileSettings,
  sameDatabase,
  settingOf,
  withoutPassword,
} from '../config.js';
import type { Context, Io } from '../context.js';
import { isInitialised, type ServerDb } from '../database.js';
import {
  dictionariesDiffer,
  loadDictionaries,
  readDictionaryFile,
  saveDictionaries,
} from '../dictionaries.js';
import { XmServerError } from '../errors.js';
import { text } from '../messages.js';
import { readNewPassword } from '../passwords.js';
import { ensureIdentity } from '../pki-store.js';
import { addUser, parseLogin } from '../users.js';

export interface InitResult {
  readonly dataDir: string;
  readonly database: string;
  readonly changed: boolean;
  readonly migrations: readonly string[];
  readonly configWritten: boolean;
  /** The database setting came with a password, which xmserver.json does not keep. */
  readonly passwordNotKept: boolean;
  /** The broker URL carried a password: kept without it (XM_BROKER_PASSWORD[_FILE] gives it). */
  readonly brokerPasswordNotKept: boolean;
  readonly createdCa: boolean;
  readonly createdServerCertificate: boolean;
  /** The first supervisor, when this run created one (who must change its password at first login). */
  readonly supervisorCreated: string | null;
  /** The dictionary the server packs with and the others it accepts (names and fingerprints). */
  readonly dictionaries: ReturnType<typeof describeDictionaries>;
  /** This run recorded them (`--dictionary`, `--accept-dictionary`). */
  readonly dictionariesChanged: boolean;
}

export interface InitOptions {
  readonly importCa?: { certificate: string; key: string } | undefined;
  /** The first supervisor's login (default `admin`) and the file holding its initial password. */
  readonly supervisor?: string | undefined;
  readonly passwordFile?: string | undefined;
  /** The dictionary file to pack with (`--dictionary`); absent: the one recorded, else the Cameroon list. */
  readonly dictionary?: string | undefined;
  /** Dictionary files accepted besides it (`--accept-dictionary`); given: they replace those recorded. */
  readonly acceptDictionaries?: readonly string[] | undefined;
}

export const defaultSupervisor = 'admin';

async function supervisorCount(db: ServerDb): Promise<number> {
  const row = await db
    .selectFrom('xm_system.users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('privilege', '=', 3)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Creates or migrates the database (confidential `xm_system` apart from exchanged `xm_data`),
 * records the server, and writes the non-secret settings into the data directory, the database's
 * location included (never its password), so that later commands find it without being told. On a
 * fresh server it creates the first supervisor, who must change the password at first login; on an
 * initialised one it needs a supervisor's login, checked once the pending migrations have run (they
 * bring the tables that authentication reads). Idempotent: a second run finds nothing to migrate and
 * nothing to write, and reports `changed: false`. A data directory belongs to one database: init
 * never creates a second one.
 */
export async function initialise(ctx: Context, options: InitOptions = {}): Promise<InitResult> {
  const { config } = ctx;
  const { importCa } = options;
  const supervisor = parseLogin(options.supervisor ?? defaultSupervisor);
  const firstPassword = () =>
    readNewPassword({
      file: options.passwordFile,
      env: ctx.io.env,
      prompt: ctx.io.prompt,
      labels: { password: text('prompt.password', ctx.lang), confirm: text('prompt.confirm', ctx.lang) },
    });
  if (!ctx.io.database) checkDatabaseOfDataDir(ctx);
  // Read before anything is created: a bad file loses nothing.
  const packWith =
    options.dictionary === undefined
      ? undefined
      : await readDictionaryFile(options.dictionary, ctx.io.cwd, '--dictionary');
  const accepted =
    options.acceptDictionaries === undefined || options.acceptDictionaries.length === 0
      ? undefined
      : await Promise.all(
          options.acceptDictionaries.map((path) =>
            readDictionaryFile(path, ctx.io.cwd, '--accept-dictionary'),
          ),
        );
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const embedded = embeddedPath(config.databaseLocation, ctx.io.cwd);
  if (embedded && !ctx.io.database) await mkdir(dirname(embedded), { recursive: true, mode: 0o700 });
  const db = await ctx.database({ create: true });
  const initialisedBefore = await isInitialised(db);
  // On a fresh server the password is read before anything is written: a missing or short one loses nothing.
  let password = initialisedBefore ? undefined : await firstPassword();
  const results = await migrateToLatest(db, serverMigrations);
  const migrations = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  for (const name of migrations) ctx.log.info({ migration: name }, 'migration applied');
  if (initialisedBefore) {
    // A server initialised before operators had to log in may have no supervisor: it gets its first one.
    if ((await supervisorCount(db)) > 0) await ctx.requireOperator(3, 'init');
    else password = await firstPassword();
  }
  // The key material first: when it fails (a wrong CA key to import, say), no supervisor and no
  // server are recorded yet, and running init again is still a fresh start that needs no login.
  const pki = await ensureIdentity(db, {
    dataDir: config.dataDir,
    env: ctx.io.env,
    serverName: config.serverName,
    importCa,
    lang: ctx.lang,
  });
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  const firstSupervisor = await db.transaction().execute(async (trx) => {
    let created: { id: number } | undefined;
    if (passwordHash !== undefined) {
      created = await addUser(trx, {
        login: supervisor,
        privilege: 3,
        passwordHash,
        mustChangePassword: true,
      });
      await writeAudit(trx, {
        operator: supervisor,
        action: 'user.add',
        target: supervisor,
        details: { privilege: 3, firstSupervisor: true },
      });
    }
    if (!initialisedBefore) {
      await trx
        .insertInto('xm_system.settings')
        .values({
          key: 'server',
          value: JSON.stringify({ name: config.serverName, initialisedAt: new Date().toISOString() }),
        })
        .execute();
      await writeAudit(trx, {
        // Whoever initialises a server is its first supervisor: init is recorded in its name.
        operator: supervisor,
        action: 'server.init',
        target: config.serverName,
        details: { migrations: migrations.length },
      });
    }
    return created;
  });
  if (firstSupervisor) {
    ctx.actAs({
      userId: firstSupervisor.id,
      login: supervisor,
      displayName: null,
      privilege: 3,
      mustChangePassword: true,
    });
  }
  if (pki.createdCa || pki.createdServer) {
    await audited(db, ctx.operator, importCa ? 'pki.import-ca' : 'pki.create', async () => ({
      result: undefined,
      target: config.serverName,
      details: { ca: pki.createdCa, server: pki.createdServer },
    }));
  }
  let dictionariesChanged = false;
  if (packWith !== undefined || accepted !== undefined) {
    const current = await loadDictionaries(db);
    // A new packing dictionary without --accept-dictionary: the outgoing one stays accepted, so
    // sites that still pack with it are not refused during the roll-out.
    const outgoing =
      packWith !== undefined && accepted === undefined && !current.isDefault ? [current.dictionary] : [];
    const next = {
      dictionary: packWith ?? current.dictionary,
      accepted: [...(accepted ?? current.accepted), ...outgoing].filter(
        (d) => d.fingerprint !== (packWith ?? current.dictionary).fingerprint,
      ),
    };
    dictionariesChanged = dictionariesDiffer(current, next);
    if (dictionariesChanged) {
      await audited(db, ctx.operator, 'server.dictionaries', async (trx) => ({
        result: await saveDictionaries(trx, next),
        target: next.dictionary.name,
        details: {
          fingerprint: next.dictionary.fingerprint,
          accepted: next.accepted.map((d) => `${d.name} ${d.fingerprint}`).join(', '),
        },
      }));
    }
  }
  const dictionaries = describeDictionaries(await loadDictionaries(db));
  const { written: configWritten, passwordNotKept, brokerPasswordNotKept } = await writeConfigFile(ctx);
  const changed =
    dictionariesChanged ||
    migrations.length > 0 ||
    !initialisedBefore ||
    configWritten ||
    pki.createdCa ||
    pki.createdServer ||
    firstSupervisor !== undefined;
  return {
    dataDir: config.dataDir,
    database: redact(config.databaseUrl),
    changed,
    migrations,
    configWritten,
    passwordNotKept,
    brokerPasswordNotKept,
    createdCa: pki.createdCa,
    createdServerCertificate: pki.createdServer,
    supervisorCreated: firstSupervisor ? supervisor : null,
    dictionaries,
    dictionariesChanged,
  };
}

/**
 * Refuses, before anything is created, to give a data directory a second database: one named by
 * --database-url or XM_DATABASE_URL must be the one its xmserver.json names (or its embedded
 * default, if that exists); and a data directory that was initialised (it has xmserver.json) but
 * names no database and has no embedded one got its database from a setting that must be given again.
 */
function checkDatabaseOfDataDir(ctx: Context): void {
  const { config } = ctx;
  const source = config.sources.databaseUrl;
  const embedded = defaultDatabaseLocation(config.dataDir);
  const params = { dataDir: config.dataDir, path: config.file.path, embedded };
  if (source === 'flag' || source === 'env') {
    const kept = config.file.databaseUrl ?? (existsSync(embedded) ? embedded : undefined);
    if (kept === undefined || sameDatabase(kept, config.databaseLocation, ctx.io.cwd)) return;
    throw new XmServerError('database-mismatch', 'the data directory has another database', {
      params: {
        ...params,
        kept: redact(kept),
        keptFrom: config.file.databaseUrl === undefined ? 'embedded' : 'file',
        given: redact(config.databaseLocation),
        setting: settingOf[source],
      },
    });
  }
  if (source === 'default' && config.file.found && !existsSync(embedded)) {
    throw new XmServerError('database-mismatch', 'the data directory names no database', { params });
  }
}

/** An embedded database's directory, absolute; undefined for PostgreSQL and `memory://`. */
function embeddedPath(location: string, cwd: string): string | undefined {
  if (databaseKind(location) !== 'pglite' || location === 'memory://') return undefined;
  return resolve(cwd, location.startsWith('file://') ? new URL(location).pathname : location);
}

/**
 * Persists settings given as flags (never secrets: loadConfig refused them already), and the
 * database and broker however they were given: URLs without their password, an embedded
 * directory as an absolute path.
 */
async function writeConfigFile(
  ctx: Context,
): Promise<{ written: boolean; passwordNotKept: boolean; brokerPasswordNotKept: boolean }> {
  const { config } = ctx;
  const path = join(config.dataDir, configFileName);
  let current: FileSettings = {};
  try {
    current = JSON.parse(await readFile(path, 'utf8')) as FileSettings;
  } catch {
    current = {};
  }
  const next: FileSettings = { ...current, serverName: config.serverName };
  let passwordNotKept = false;
  let brokerPasswordNotKept = false;
  const source = config.sources.databaseUrl;
  if (source === 'flag' || source === 'env') {
    const location = config.databaseLocation;
    const kept =
      databaseKind(location) === 'postgres'
        ? withoutPassword(location)
        : location.startsWith('file://')
          ? location
          : (embeddedPath(location, ctx.io.cwd) ?? location);
    passwordNotKept = kept !== location && databaseKind(location) === 'postgres';
    // The same database written differently (another password, say) stays as the file has it.
    if (current.databaseUrl === undefined || !sameDatabase(current.databaseUrl, kept, ctx.io.cwd)) {
      next.databaseUrl = kept;
    }
  }
  // The broker too, however it was given; its password (if the URL carried one) stays out of the file.
  const brokerSource = config.sources.brokerUrl;
  if ((brokerSource === 'flag' || brokerSource === 'env') && config.brokerUrl) {
    next.brokerUrl = redactedUrl(config.brokerUrl);
    brokerPasswordNotKept = next.brokerUrl !== config.brokerUrl;
  }
  if (config.sources.housekeepingSeconds === 'flag') next.housekeepingSeconds = config.housekeepingSeconds;
  const body = `${JSON.stringify(next, null, 2)}\n`;
  if (JSON.stringify(current) === JSON.stringify(next))
    return { written: false, passwordNotKept, brokerPasswordNotKept };
  await writeFile(path, body, { mode: 0o600 });
  return { written: true, passwordNotKept, brokerPasswordNotKept };
}

export function registerInit(program: XmCommand, io: Io): void {
  program
    .command('init')
    .description(
      'create or migrate the databases, create the national CA and the server certificate (or import the CA), write the configuration, create the first supervisor; running it twice changes nothing (a supervisor must be logged in on an initialised server)',
    )
    .option('--supervisor <login>', `the first supervisor's login, on a fresh server`, defaultSupervisor)
    .option(
      '--password-file <path>',
      "the first supervisor's initial password, first line of this file (else XM_NEW_PASSWORD or the prompt)",
    )
    .option(
      '--import-ca-cert <file>',
      'use this CA certificate instead of creating one (with --import-ca-key)',
    )
    .option(
      '--import-ca-key <file>',
      "the CA's private key (its passphrase in XM_IMPORT_KEY_PASSPHRASE[_FILE])",
    )
    .option(
      '--dictionary <file>',
      "the deployment's dictionary file (sdc dictionary build) the server packs rows with; recorded in the database (default: the demo Cameroon list)",
    )
    .option(
      '--accept-dictionary <file>',
      'a dictionary file also accepted from sites, e.g. the previous one during a roll-out (repeatable; replaces those recorded)',
      (value: string, list: string[] = []) => [...list, value],
    )
    // Nobody to authenticate on a fresh server; a supervisor on an initialised one (see initialise).
    .requires(access.own('init: the first supervisor is created by it'))
    .action(
      handler(
        io,
        async (
          ctx,
          options: {
            importCaCert?: string;
            importCaKey?: string;
            supervisor?: string;
            passwordFile?: string;
            dictionary?: string;
            acceptDictionary?: string[];
          },
        ) => {
          if ((options.importCaCert === undefined) !== (options.importCaKey === undefined)) {
            throw new XmServerError('invalid-argument', 'import needs both', {
              params: {
                name: '--import-ca-cert/--import-ca-key',
                value: 'only one given',
                hint: 'Give both the certificate and the key.',
                hintFr: 'Donnez le certificat et la clé.',
              },
            });
          }
          const importCa =
            options.importCaCert && options.importCaKey
              ? { certificate: options.importCaCert, key: options.importCaKey }
              : undefined;
          const result = await initialise(ctx, {
            importCa,
            supervisor: options.supervisor,
            passwordFile: options.passwordFile,
            dictionary: options.dictionary,
            acceptDictionaries: options.acceptDictionary,
          });
          ctx.print(result, () =>
            [
              text(result.changed ? 'init.done' : 'init.unchanged', ctx.lang, {
                dataDir: result.dataDir,
                database: result.database,
              }),
              ...(result.supervisorCreated
                ? [text('init.supervisor', ctx.lang, { login: result.supervisorCreated })]
                : []),
              text('init.dictionaries', ctx.lang, {
                name: result.dictionaries.dictionary.name,
                fingerprint: result.dictionaries.dictionary.fingerprint.slice(0, 16),
                accepted:
                  result.dictionaries.accepted
                    .map((d) => `${d.name} (${d.fingerprint.slice(0, 16)})`)
                    .join(', ') || '-',
              }),
              ...(result.passwordNotKept
                ? [text('init.password-not-kept', ctx.lang, { path: join(result.dataDir, configFileName) })]
                : []),
              ...(result.brokerPasswordNotKept
                ? [
                    text('init.broker-password-not-kept', ctx.lang, {
                      path: join(result.dataDir, configFileName),
                    }),
                  ]
                : []),
            ].join('\n'),
          );
        },
      ),
    );
}
