import { resolve } from 'node:path';
import { SchemaError } from '@xmcomm/contract';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from './pglite-dialect.js';

export type DatabaseKind = 'postgres' | 'pglite';

const oids = { int8: 20, date: 1082 } as const;

/** int8 as a JS number (counts, amounts in minor units); past 2^53 it would lose digits, so refuse. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new RangeError(`int8 value ${text} exceeds JavaScript's safe integers`);
  return value;
}

/** Dates stay `YYYY-MM-DD` strings: a Date would shift them by the time zone. */
const identity = (text: string) => text;

/** Which engine a URL names: `postgres://` or `postgresql://`, else PGlite (`memory://`, `file://`, a directory). */
export function databaseKind(url: string): DatabaseKind {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'pglite';
}

export interface OpenDatabaseOptions {
  /** Connections in the pool (PostgreSQL only). */
  readonly maxConnections?: number;
}

/**
 * Opens a database from a URL with the same type parsing on both engines: PostgreSQL through `pg`,
 * or an embedded PGlite (`memory://` for a throw-away database, `file:///path` or a path for a directory).
 * Close it with `db.destroy()`.
 */
export async function openDatabase<DB>(url: string, options: OpenDatabaseOptions = {}): Promise<Kysely<DB>> {
  if (databaseKind(url) === 'postgres') {
    const { default: pg } = await import('pg');
    const { clientWithCopy } = await import('./pg-copy-client.js');
    const pool = new pg.Pool({
      Client: clientWithCopy(pg),
      connectionString: url,
      max: options.maxConnections ?? 10,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === oids.int8) return parseInt8;
          if (oid === oids.date) return identity;
          return format === 'binary'
            ? pg.types.getTypeParser(oid, 'binary')
            : pg.types.getTypeParser(oid, 'text');
        }) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client that loses its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  }
  return (await openPGlite<DB>(url)).db;
}

/**
 * An embedded database and its PGlite, which can dump itself; `loadDataDir` starts it from such a dump
 * instead of a new one. For test databases (see testing.ts), not part of the package's API.
 */
export async function openPGlite<DB>(
  url: string,
  loadDataDir?: Blob,
): Promise<{ db: Kysely<DB>; dump(): Promise<Blob> }> {
  const dataDir = pgliteDataDir(url);
  const parsers = { [oids.date]: identity, [oids.int8]: parseInt8 };
  const dialect = new PGliteDialect(async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const { createPGlite } = await import('./pglite-template.js');
    try {
      if (loadDataDir) return await PGlite.create({ ...(dataDir ? { dataDir } : {}), parsers, loadDataDir });
      return await createPGlite((options) => PGlite.create(options), dataDir, { parsers });
    } catch (cause) {
      throw new SchemaError('connection-failed', `Cannot open the embedded database at ${url}.`, { cause });
    }
  });
  return { db: new Kysely<DB>({ dialect }), dump: async () => (await dialect.pglite()).dumpDataDir('none') };
}

function pgliteDataDir(url: string): string | undefined {
  if (url === 'memory://' || url === '') return undefined;
  if (url.startsWith('file://')) return new URL(url).pathname;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new SchemaError(
      'unsupported-database-url',
      `Unsupported database URL scheme in ${redact(url)}: use postgres://, memory:// or file://.`,
    );
  }
  return resolve(url);
}

/** A URL without its password, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}
