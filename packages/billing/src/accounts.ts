import { type Kysely, sql } from 'kysely';
import type { BillingDatabase } from './database.js';
import { BillingError } from './errors.js';

/** Which client: by its id on the server, or by its matricule. */
export type ClientRef = { readonly clientId: number } | { readonly matricule: string };

/** An account locked for the rest of the transaction, with what a charge needs to know. */
export interface LockedAccount {
  readonly accountId: number;
  readonly clientId: number;
  readonly matricule: string;
  readonly clientStatus: number;
  readonly currency: string;
  readonly overdraftLimit: number;
  readonly balance: number;
}

/**
 * Locks the client's account row (`select ... for update`) so that every movement on one account is
 * serialised on PostgreSQL, then reads its balance. Undefined when the client has no account.
 */
export async function lockAccount(
  trx: Kysely<BillingDatabase>,
  client: ClientRef,
): Promise<LockedAccount | undefined> {
  const row = await trx
    .selectFrom('xm_system.accounts as a')
    .innerJoin('xm_system.clients as c', 'c.id', 'a.client_id')
    .select(['a.id', 'a.currency', 'a.overdraft_limit', 'c.id as client_id', 'c.matricule', 'c.status'])
    .$if('clientId' in client, (q) => q.where('c.id', '=', (client as { clientId: number }).clientId))
    .$if('matricule' in client, (q) =>
      q.where('c.matricule', '=', (client as { matricule: string }).matricule),
    )
    .forUpdate('a')
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    accountId: row.id,
    clientId: row.client_id,
    matricule: row.matricule,
    clientStatus: row.status,
    currency: row.currency,
    overdraftLimit: row.overdraft_limit,
    // A second statement on purpose: a subquery in the locking one would read the snapshot taken
    // before the lock wait and miss the entry of the transaction we waited for (tests prove it).
    balance: await currentBalance(trx, row.id),
  };
}

/** The running balance of the last entry: written under the row lock, so it is the balance. */
export async function currentBalance(db: Kysely<BillingDatabase>, accountId: number): Promise<number> {
  const last = await db
    .selectFrom('xm_system.ledger_entries')
    .select('balance_after')
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last?.balance_after ?? 0;
}

export function checkClientRef(client: ClientRef): void {
  if ('clientId' in client ? !isPositiveInteger(client.clientId) : typeof client.matricule !== 'string') {
    throw new BillingError('invalid-input', {
      en: 'a client is named by a positive clientId or a matricule',
      fr: 'un client est désigné par un clientId positif ou un matricule',
    });
  }
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** The instant an entry is written: after the lock is held, so entry times follow entry order. */
export const entryTime = (at: Date | undefined) => at ?? sql<Date>`clock_timestamp()`;
