import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { migrateToLatest, redact, serverMigrations } from '@xmcomm/schema';
import type { Command } from 'commander';
import { audited } from '../audit.js';
import { handler } from '../command.js';
import { configFileName, type FileSettings } from '../config.js';
import type { Context, Io } from '../context.js';
import { XmServerError } from '../errors.js';
import { text } from '../messages.js';
import { ensureIdentity } from '../pki-store.js';

export interface InitResult {
  readonly dataDir: string;
  readonly database: string;
  readonly changed: boolean;
  readonly migrations: readonly string[];
  readonly configWritten: boolean;
  readonly createdCa: boolean;
  readonly createdServerCertificate: boolean;
}

/**
 * Creates or migrates the database (confidential `xm_system` apart from exchanged `xm_data`),
 * records the server, and writes the non-secret settings into the data directory. Idempotent:
 * a second run finds nothing to migrate and nothing to write, and reports `changed: false`.
 */
export async function initialise(
  ctx: Context,
  importCa?: { certificate: string; key: string },
): Promise<InitResult> {
  const { config } = ctx;
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const db = await ctx.database({ create: true });
  const results = await migrateToLatest(db, serverMigrations);
  const migrations = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  for (const name of migrations) ctx.log.info({ migration: name }, 'migration applied');

  const recorded = await db
    .selectFrom('xm_system.settings')
    .select('key')
    .where('key', '=', 'server')
    .executeTakeFirst();
  if (!recorded) {
    await audited(db, ctx.operator, 'server.init', async (trx) => {
      await trx
        .insertInto('xm_system.settings')
        .values({
          key: 'server',
          value: JSON.stringify({ name: config.serverName, initialisedAt: new Date().toISOString() }),
        })
        .execute();
      return { result: undefined, target: config.serverName, details: { migrations: migrations.length } };
    });
  }
  const pki = await ensureIdentity(db, {
    dataDir: config.dataDir,
    env: ctx.io.env,
    serverName: config.serverName,
    importCa,
    lang: ctx.lang,
  });
  if (pki.createdCa || pki.createdServer) {
    await audited(db, ctx.operator, importCa ? 'pki.import-ca' : 'pki.create', async () => ({
      result: undefined,
      target: config.serverName,
      details: { ca: pki.createdCa, server: pki.createdServer },
    }));
  }
  const configWritten = await writeConfigFile(ctx);
  const changed = migrations.length > 0 || !recorded || configWritten || pki.createdCa || pki.createdServer;
  return {
    dataDir: config.dataDir,
    database: redact(config.databaseUrl),
    changed,
    migrations,
    configWritten,
    createdCa: pki.createdCa,
    createdServerCertificate: pki.createdServer,
  };
}

/** Persists settings given as flags (never secrets: loadConfig refused them already). */
async function writeConfigFile(ctx: Context): Promise<boolean> {
  const { config } = ctx;
  const path = join(config.dataDir, configFileName);
  let current: FileSettings = {};
  try {
    current = JSON.parse(await readFile(path, 'utf8')) as FileSettings;
  } catch {
    current = {};
  }
  const next: FileSettings = { ...current, serverName: config.serverName };
  if (config.sources.databaseUrl === 'flag') next.databaseUrl = config.databaseUrl;
  if (config.sources.brokerUrl === 'flag' && config.brokerUrl) next.brokerUrl = config.brokerUrl;
  if (config.sources.housekeepingSeconds === 'flag') next.housekeepingSeconds = config.housekeepingSeconds;
  const body = `${JSON.stringify(next, null, 2)}\n`;
  if (JSON.stringify(current) === JSON.stringify(next)) return false;
  await writeFile(path, body, { mode: 0o600 });
  return true;
}

export function registerInit(program: Command, io: Io): void {
  program
    .command('init')
    .description(
      'create or migrate the databases, create the national CA and the server certificate (or import the CA), write the configuration; running it twice changes nothing',
    )
    .option(
      '--import-ca-cert <file>',
      'use this CA certificate instead of creating one (with --import-ca-key)',
    )
    .option(
      '--import-ca-key <file>',
      "the CA's private key (its passphrase in XM_IMPORT_KEY_PASSPHRASE[_FILE])",
    )
    .action(
      handler(io, async (ctx, options: { importCaCert?: string; importCaKey?: string }) => {
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
        const result = await initialise(ctx, importCa);
        ctx.print(result, () =>
          text(result.changed ? 'init.done' : 'init.unchanged', ctx.lang, {
            dataDir: result.dataDir,
            database: result.database,
          }),
        );
      }),
    );
}
