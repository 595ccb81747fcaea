import { randomBytes } from 'node:crypto';
import type { ControlledTransaction, Kysely } from 'kysely';
import { type DatabaseKind, databaseKind, openDatabase, openPGlite } from './connect.js';
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
  const db =
    url === 'memory://' && options.migrations
      ? await migratedMemoryDatabase<DB>(options.migrations)
      : await openDatabase<DB>(url);
  if (options.migrations) await migrateToLatest(db, options.migrations);
  const close = async () => {
    await db.destroy();
    await dropDatabase();
  };
  return { db, kind: databaseKind(url), url, close, [Symbol.asyncDispose]: close };
}

// Migrating a new embedded database takes seconds, and a test file often makes several with the same
// migrations (a server and its sites, a reference and a candidate). The first one is dumped once migrated
// and the next ones start from that dump. Per process and per migrations object, never on disk: a
// migration's effect depends on code its text does not show (the contract's tables), so no key outside
// this process could say the dump is still what the migrations make. migrateToLatest still runs after
// (it finds nothing to do), so a dump that somehow lagged would be brought up to date, not trusted.
const migratedDumps = new WeakMap<Migrations, Promise<Blob>>();

async function migratedMemoryDatabase<DB>(migrations: Migrations): Promise<Kysely<DB>> {
  const dump = migratedDumps.get(migrations);
  if (dump) {
    const loaded = await dump.catch(() => undefined);
    if (loaded) return (await openPGlite<DB>('memory://', loaded)).db;
  }
  const opened = await openPGlite<DB>('memory://');
  await migrateToLatest(opened.db, migrations);
  const made = opened.dump();
  migratedDumps.set(migrations, made);
  await made.catch(() => undefined);
  return opened.db;
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
