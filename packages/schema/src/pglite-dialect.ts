import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { copyFromStdinData } from './copy.js';

// PGlite is one connection in this process: every Kysely connection is that one, handed out in turn,
// so a transaction never interleaves with another caller's queries.

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const data = copyFromStdinData(compiledQuery.sql, compiledQuery.parameters);
    const result =
      data === undefined
        ? await this.pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters])
        : // PGlite reads COPY's input from a blob it names /dev/blob (see copyRows).
          await this.pglite.query<R>(compiledQuery.sql.replace(/stdin$/i, "'/dev/blob'"), [], {
            blob: new Blob([data]),
          });
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered by PGlite
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not stream query results; use a paged query instead.');
  }
}

class PGliteDriver implements Driver {
  #connection: PGliteConnection | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly pglite: () => Promise<PGlite>) {}

  async init(): Promise<void> {
    this.#connection = new PGliteConnection(await this.pglite());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    const connection = this.#connection as PGliteConnection & { release?: () => void };
    releases.set(connection, release);
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const modes = [
      settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : '',
      settings.accessMode ?? '',
    ].filter(Boolean);
    await connection.executeQuery(CompiledQuery.raw(`begin${modes.length ? ` ${modes.join(' ')}` : ''}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quote(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quote(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quote(name)}`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    releases.get(connection)?.();
    releases.delete(connection);
  }

  async destroy(): Promise<void> {
    await (await this.pglite()).close();
  }
}

const releases = new WeakMap<DatabaseConnection, () => void>();

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** A Kysely dialect for an embedded PGlite database, created on first use. */
export class PGliteDialect implements Dialect {
  /** The one PGlite of this dialect, made on first use. */
  readonly pglite: () => Promise<PGlite>;

  constructor(create: () => Promise<PGlite>) {
    let instance: Promise<PGlite> | undefined;
    this.pglite = () => {
      instance ??= create();
      return instance;
    };
  }

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.pglite);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect signature
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
