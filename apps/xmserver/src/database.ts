import { existsSync } from 'node:fs';
import { databaseKind, openDatabase, redact, type ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { type ErrorParams, XmServerError } from './errors.js';

export type ServerDb = Kysely<ServerDatabase>;

/**
 * Opens the server's database. An embedded database directory that does not exist is reported
 * as "not initialised" (naming the database looked at, from `notInitialised`) instead of being
 * created empty by a mere `list`: only `init` passes `create`.
 */
export async function openServerDatabase(
  url: string,
  options: { create: boolean; notInitialised: ErrorParams; maxConnections?: number | undefined },
): Promise<ServerDb> {
  if (databaseKind(url) === 'pglite' && url !== 'memory://' && !options.create) {
    const path = url.startsWith('file://') ? new URL(url).pathname : url;
    if (!existsSync(path)) {
      throw new XmServerError('not-initialised', `no database at ${path}`, {
        params: options.notInitialised,
      });
    }
  }
  let db: ServerDb;
  try {
    db = await openDatabase<ServerDatabase>(
      url,
      options.maxConnections ? { maxConnections: options.maxConnections } : {},
    );
    await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
  } catch (cause) {
    throw new XmServerError('database-unavailable', `cannot reach ${redact(url)}`, {
      cause,
      params: { url: redact(url), detail: cause instanceof Error ? cause.message : String(cause) },
    });
  }
  return db;
}

/** The PostgreSQL error code of a failed query (pg and PGlite both expose `code`), if any. */
export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const sqlStates = {
  uniqueViolation: '23505',
  undefinedTable: '42P01',
  invalidSchema: '3F000',
} as const;

/** True once `xmserver init` has recorded the server in this database. */
export async function isInitialised(db: ServerDb): Promise<boolean> {
  try {
    const row = await db
      .selectFrom('xm_system.settings')
      .select('key')
      .where('key', '=', 'server')
      .executeTakeFirst();
    return row !== undefined;
  } catch (cause) {
    const state = sqlStateOf(cause);
    if (state !== sqlStates.undefinedTable && state !== sqlStates.invalidSchema) throw cause;
    return false;
  }
}

/**
 * Throws `not-initialised` unless `xmserver init` has recorded the server in this database;
 * `notInitialised` says which database that is and what to do.
 */
export async function requireInitialised(db: ServerDb, notInitialised: ErrorParams): Promise<void> {
  if (await isInitialised(db)) return;
  throw new XmServerError('not-initialised', 'server not initialised', { params: notInitialised });
}

// @xmcomm/schema types a timestamp column with a default as Generated<ColumnType<Date, …>>, which
// Kysely does not unwrap, so selects come out as ColumnType instead of Date. Until the schema
// package types it as ColumnType<Date, Date | string | undefined, Date | string>, these two casts
// keep the workaround in one place.
export const asDate = (value: unknown): Date => value as Date;
export const nowForUpdate = (): never => new Date() as never;
