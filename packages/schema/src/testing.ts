import { randomBytes } from 'node:crypto';
import type { ControlledTransaction, Kysely } from 'kysely';
import { type DatabaseKind, databaseKind, openDatabase } from './connect.js';
import { type Migrations, migrateToLatest } from './migrations.js';

export interface TestDatabase<DB> {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /** Where this test database lives (a fresh PostgreSQL database, or `memory://`). */
  readonly url: string;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A fresh database for one test file: an in-memory PGlite by default, or, when `DATABASE_URL`
 * points at PostgreSQL, a new database on that server created here and dropped by `close()`,
 * so that parallel runs never see each other's rows. Migrations run once if given.
 */
export async function createTestDatabase<DB>(
  options: { migrations?: Migrations } = {},
): Promise<TestDatabase<DB>> {
  const serverUrl = process.env.DATABASE_URL;
  let url = 'memory://';
  let dropDatabase = async () => {};
  if (serverUrl && databaseKind(serverUrl) === 'postgres') {
    const name = `xm_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    // biome-ignore lint/suspicious/noExplicitAny: administrative connection, no tables
    const admin = await openDatabase<any>(serverUrl, { maxConnections: 1 });
    const { sql } = await import('kysely');
    await sql`create database ${sql.id(name)}`.execute(admin);
    await admin.destroy();
    const target = new URL(serverUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    dropDatabase = async () => {
      // biome-ignore lint/suspicious/noExplicitAny: administrative connection, no tables
      const cleanup = await openDatabase<any>(serverUrl, { maxConnections: 1 });
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(cleanup);
      await cleanup.destroy();
    };
  }
  const db = await openDatabase<DB>(url);
  if (options.migrations) await migrateToLatest(db, options.migrations);
  const close = async () => {
    await db.destroy();
    await dropDatabase();
  };
  return { db, kind: databaseKind(url), url, close, [Symbol.asyncDispose]: close };
}

/** Runs `body` in a transaction that is always rolled back, so each test leaves the database as it found it. */
export async function withRollback<DB, T>(
  db: Kysely<DB>,
  body: (trx: ControlledTransaction<DB>) => Promise<T>,
): Promise<T> {
  const trx = await db.startTransaction().execute();
  try {
    return await body(trx);
  } finally {
    await trx.rollback().execute();
  }
}

export { sampleBirth } from '@xmcomm/contract/testing';
export {
  type ActLists,
  cameroonActLists,
  centreCodeOf,
  createActGenerator,
  seededRandom,
  senegalActLists,
  travellingRow,
} from './birth-acts.js';
