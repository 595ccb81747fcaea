import type { ServerDatabase } from '@xmcomm/schema';
import type { ControlledTransaction, Kysely, Transaction } from 'kysely';

/** The tables billing reads and writes; any server database type that contains them will do. */
export type BillingDatabase = Pick<
  ServerDatabase,
  | 'xm_system.clients'
  | 'xm_system.accounts'
  | 'xm_system.users'
  | 'xm_system.ledger_entries'
  | 'xm_system.charged_rows'
  | 'xm_system.tariffs'
  | 'xm_system.quotas'
  | 'xm_system.usage_daily'
>;

/**
 * A database, a transaction or a controlled transaction over any database type that has billing's tables
 * (ServerDatabase, or ServerDatabase plus a new form's tables).
 */
export type BillingConnection<DB extends BillingDatabase> =
  | Kysely<DB>
  | Transaction<DB>
  | ControlledTransaction<DB, string[]>;

// Kysely's Database parameter is invariant, and TypeScript infers it from a transaction only through the
// union above; the caller's wider type is narrowed here, once.
export function narrow<DB extends BillingDatabase>(db: BillingConnection<DB>): Kysely<BillingDatabase> {
  return db as unknown as Kysely<BillingDatabase>;
}

/** Runs `body` in the caller's transaction when there is one, else in a new one. */
export async function inTransaction<T>(
  db: Kysely<BillingDatabase>,
  body: (trx: Kysely<BillingDatabase>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return body(db);
  return db.transaction().execute(body);
}
