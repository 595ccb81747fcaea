import { resolveOperator } from './cli-identity.js';
import { type FileSettings, loadConfig, notInitialisedParams, type ServerConfig } from './config.js';
import { openServerDatabase, requireInitialised, type ServerDb } from './database.js';
import { XmServerError } from './errors.js';
import type { Io } from './io.js';
import { createLogger, type Logger } from './logger.js';
import { type Language, pickLanguage } from './messages.js';
import { authorise, type Operator, type Privilege } from './operator-auth.js';

export type { Io } from './io.js';

export interface GlobalOptions {
  readonly dataDir?: string;
  readonly json?: boolean;
  readonly lang?: string;
  readonly databaseUrl?: string;
  readonly brokerUrl?: string;
  readonly serverName?: string;
}

export class Context {
  private db: ServerDb | undefined;
  private identity: Operator | undefined;

  private constructor(
    readonly io: Io,
    readonly config: ServerConfig,
    readonly lang: Language,
    readonly json: boolean,
    readonly log: Logger,
  ) {}

  /**
   * The authenticated operator's login, which the audit log records. Only a command declared to
   * need an operator has one (see command.ts); asking elsewhere is a bug, not an operator's error.
   */
  get operator(): string {
    if (!this.identity)
      throw new XmServerError('internal', 'no operator', { params: { detail: 'no operator authenticated' } });
    return this.identity.login;
  }

  get authenticated(): Operator | undefined {
    return this.identity;
  }

  /** Authenticates the operator (session, script credentials or prompt) and checks the command's privilege. */
  async requireOperator(required: Privilege, command: string): Promise<Operator> {
    const db = await this.database();
    const operator = this.io.operator ?? (await resolveOperator(this, db));
    await authorise(db, operator, required, command);
    this.identity = operator;
    return operator;
  }

  /** The operator `init` has just created on a server that had none: it acts for the rest of `init`. */
  actAs(operator: Operator): void {
    this.identity = operator;
  }

  static async create(io: Io, options: GlobalOptions, extraFlags: FileSettings = {}): Promise<Context> {
    const flags: FileSettings = {
      ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
      ...(options.brokerUrl === undefined ? {} : { brokerUrl: options.brokerUrl }),
      ...(options.serverName === undefined ? {} : { serverName: options.serverName }),
      ...extraFlags,
    };
    const config = await loadConfig({ dataDir: options.dataDir, flags, env: io.env, cwd: io.cwd });
    const lang = pickLanguage(options.lang, io.env);
    const log = io.logger ?? createLogger(config.logLevel, io.env);
    return new Context(io, config, lang, options.json === true, log);
  }

  /** The server database, migrated and initialised (`init` passes `create`). */
  async database(options: { create?: boolean; maxConnections?: number } = {}): Promise<ServerDb> {
    if (this.io.database) {
      if (!options.create) await requireInitialised(this.io.database, notInitialisedParams(this.config));
      return this.io.database;
    }
    if (!this.db) {
      this.db = await openServerDatabase(this.config.databaseUrl, {
        create: options.create === true,
        notInitialised: notInitialisedParams(this.config),
        maxConnections: options.maxConnections,
      });
      if (!options.create) await requireInitialised(this.db, notInitialisedParams(this.config));
    }
    return this.db;
  }

  /** Prints `data` as one JSON line with `--json`, else the human text. */
  print(data: unknown, human: () => string): void {
    this.io.stdout.write(`${this.json ? JSON.stringify(data) : human()}\n`);
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db) await db.destroy();
  }
}

/** A plain text table for terminals: columns padded to their widest cell. */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [
    headers,
    ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : String(cell)))),
  ];
  const widths = headers.map((_, index) => Math.max(...cells.map((row) => (row[index] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, index) => (cell ?? '').padEnd(widths[index] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
