import type { ledgerEntries, RowOf } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import {
  type ClientRef,
  checkClientRef,
  currentBalance,
  entryTime,
  isPositiveInteger,
  type LockedAccount,
  lockAccount,
} from './accounts.js';
import { type BillingConnection, type BillingDatabase, inTransaction, narrow } from './database.js';
import { BillingError } from './errors.js';
import type { Service } from './status-gate.js';

/** One movement as stored: `amount` signed, in minor units; `balanceAfter` the balance it left. */
export interface LedgerEntry {
  readonly id: number;
  readonly accountId: number;
  readonly kind: 'credit' | 'charge' | 'refund' | 'adjustment';
  readonly amount: number;
  readonly balanceAfter: number;
  readonly service: Service | null;
  readonly table: string | null;
  readonly containerId: string | null;
  readonly quantity: number | null;
  readonly bytes: number | null;
  readonly refundsEntryId: number | null;
  readonly actor: string;
  readonly reason: string;
  readonly reference: string | null;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
}

// Selected timestamps with a database default come back typed as Kysely's ColumnType wrapper,
// though the driver gives a Date: the one cast is here.
type EntryRow = Omit<RowOf<typeof ledgerEntries>, 'created_at'> & { readonly created_at: unknown };

/** The public shape of a stored entry. */
export function toEntry(row: EntryRow): LedgerEntry {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind,
    amount: row.amount,
    balanceAfter: row.balance_after,
    service: row.service,
    table: row.table_name,
    containerId: row.container_id,
    quantity: row.quantity,
    bytes: row.bytes,
    refundsEntryId: row.refunds_entry_id,
    actor: row.actor,
    reason: row.reason,
    reference: row.reference,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at as Date,
  };
}

export type LedgerResult =
  | { readonly ok: true; readonly entry: LedgerEntry; readonly balance: number; readonly replayed: boolean }
  | { readonly ok: false; readonly error: BillingError };

interface Movement {
  /** Who: the operator's login. */
  readonly actor: string;
  /** Why, in words (shown on statements). */
  readonly reason: string;
  /** A payment receipt, a cheque or transfer number. */
  readonly reference?: string;
  /** The same key twice records the movement once (a retried or double-clicked operator action). */
  readonly idempotencyKey?: string;
  /** When, if not now (back-dating a payment received earlier). */
  readonly at?: Date;
}

export type CreditInput = ClientRef & Movement & { readonly amount: number };
export type AdjustInput = ClientRef & Movement & { readonly amount: number };
export type RefundInput = ClientRef & Movement & { readonly entryId: number; readonly amount?: number };

/** Credits (recharges) a client's account. */
export async function credit<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: CreditInput,
): Promise<LedgerResult> {
  if (!isPositiveInteger(input.amount))
    return invalidAmount(
      'a credit is a positive integer in minor units',
      'un crédit est un entier positif en unités mineures',
    );
  return move(narrow(db), input, async () => ({ kind: 'credit', amount: input.amount }));
}

/**
 * A correction by the operator, positive or negative. A negative adjustment, like a charge, may not take
 * the balance below the account's overdraft limit.
 */
export async function adjust<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: AdjustInput,
): Promise<LedgerResult> {
  if (!Number.isSafeInteger(input.amount) || input.amount === 0) {
    return invalidAmount(
      'an adjustment is a non-zero integer in minor units',
      'un ajustement est un entier non nul en unités mineures',
    );
  }
  return move(narrow(db), input, async () => ({ kind: 'adjustment', amount: input.amount }));
}

/** Gives back all or part of a charge: a positive entry that names the charge it refunds. */
export async function refund<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: RefundInput,
): Promise<LedgerResult> {
  if (input.amount !== undefined && !isPositiveInteger(input.amount)) {
    return invalidAmount(
      'a refund is a positive integer in minor units',
      'un remboursement est un entier positif en unités mineures',
    );
  }
  return move(narrow(db), input, async (trx, account) => {
    const charge = await trx
      .selectFrom('xm_system.ledger_entries')
      .select(['amount', 'kind'])
      .where('id', '=', input.entryId)
      .where('account_id', '=', account.accountId)
      .executeTakeFirst();
    if (charge?.kind !== 'charge') {
      return new BillingError('unknown-entry', {
        en: `entry ${input.entryId} is not a charge on this account`,
        fr: `l'écriture ${input.entryId} n'est pas un débit de ce compte`,
      });
    }
    const refunded = await trx
      .selectFrom('xm_system.ledger_entries')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
      .where('refunds_entry_id', '=', input.entryId)
      .executeTakeFirstOrThrow();
    const refundable = -charge.amount - Number(refunded.total);
    const amount = input.amount ?? refundable;
    if (amount <= 0 || amount > refundable) {
      return new BillingError('invalid-input', {
        en: `at most ${refundable} of entry ${input.entryId} may still be refunded`,
        fr: `au plus ${refundable} de l'écriture ${input.entryId} peut encore être remboursé`,
      });
    }
    return { kind: 'refund', amount, refundsEntryId: input.entryId };
  });
}

interface Planned {
  readonly kind: LedgerEntry['kind'];
  readonly amount: number;
  readonly refundsEntryId?: number;
}

async function move(
  db: Kysely<BillingDatabase>,
  input: ClientRef & Movement,
  plan: (trx: Kysely<BillingDatabase>, account: LockedAccount) => Promise<Planned | BillingError>,
): Promise<LedgerResult> {
  checkClientRef(input);
  const textError = checkMovementText(input);
  if (textError) return { ok: false, error: textError };
  return inTransaction(db, async (trx) => {
    const account = await lockAccount(trx, input);
    if (!account) return { ok: false, error: unknownClient() };
    if (input.idempotencyKey !== undefined) {
      const earlier = await trx
        .selectFrom('xm_system.ledger_entries')
        .selectAll()
        .where('idempotency_key', '=', input.idempotencyKey)
        .executeTakeFirst();
      if (earlier) {
        if (earlier.account_id !== account.accountId) {
          return {
            ok: false,
            error: new BillingError('invalid-input', {
              en: 'this idempotency key was used for another account',
              fr: "cette clé d'idempotence a servi pour un autre compte",
            }),
          };
        }
        return { ok: true, entry: toEntry(earlier), balance: account.balance, replayed: true };
      }
    }
    const planned = await plan(trx, account);
    if (planned instanceof BillingError) return { ok: false, error: planned };
    const balance = account.balance + planned.amount;
    if (planned.amount < 0 && balance < -account.overdraftLimit) {
      return { ok: false, error: insufficientCredit(account, -planned.amount) };
    }
    const entry = await appendEntry(trx, {
      account_id: account.accountId,
      kind: planned.kind,
      amount: planned.amount,
      balance_after: balance,
      refunds_entry_id: planned.refundsEntryId ?? null,
      actor: input.actor,
      reason: input.reason,
      reference: input.reference ?? null,
      idempotency_key: input.idempotencyKey ?? null,
      created_at: entryTime(input.at),
    });
    return { ok: true, entry, balance, replayed: false };
  });
}

type NewEntry = Parameters<ReturnType<Kysely<BillingDatabase>['insertInto']>['values']>[0] &
  Record<string, unknown>;

/** Appends one entry. Callers hold the account lock and computed `balance_after` from the last entry. */
export async function appendEntry(
  trx: Kysely<BillingDatabase>,
  values: NewEntry | Record<string, unknown>,
): Promise<LedgerEntry> {
  const row = await trx
    .insertInto('xm_system.ledger_entries')
    .values(values as never)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEntry(row);
}

export interface Balance {
  readonly clientId: number;
  readonly accountId: number;
  readonly currency: string;
  /** Derived from the ledger, in minor units. */
  readonly balance: number;
  readonly overdraftLimit: number;
  /** What may still be charged: balance plus overdraft. */
  readonly available: number;
}

/** The balance of a client's account, or undefined for an unknown client. */
export async function balanceOf<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  client: ClientRef,
): Promise<Balance | undefined> {
  checkClientRef(client);
  const k = narrow(db);
  const account = await k
    .selectFrom('xm_system.accounts as a')
    .innerJoin('xm_system.clients as c', 'c.id', 'a.client_id')
    .select(['a.id', 'a.currency', 'a.overdraft_limit', 'c.id as client_id'])
    .$if('clientId' in client, (q) => q.where('c.id', '=', (client as { clientId: number }).clientId))
    .$if('matricule' in client, (q) =>
      q.where('c.matricule', '=', (client as { matricule: string }).matricule),
    )
    .executeTakeFirst();
  if (!account) return undefined;
  const balance = await currentBalance(k, account.id);
  return {
    clientId: account.client_id,
    accountId: account.id,
    currency: account.currency,
    balance,
    overdraftLimit: account.overdraft_limit,
    available: balance + account.overdraft_limit,
  };
}

/** Lets a client's balance go down to `-limit` (0: no overdraft). */
export async function setOverdraftLimit<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  client: ClientRef,
  limit: number,
): Promise<{ readonly ok: true } | { readonly ok: false; readonly error: BillingError }> {
  checkClientRef(client);
  if (!Number.isSafeInteger(limit) || limit < 0)
    return invalidAmount('an overdraft limit is an integer >= 0', 'un découvert autorisé est un entier >= 0');
  return inTransaction(narrow(db), async (trx) => {
    const account = await lockAccount(trx, client);
    if (!account) return { ok: false, error: unknownClient() };
    await trx
      .updateTable('xm_system.accounts')
      .set({ overdraft_limit: limit })
      .where('id', '=', account.accountId)
      .execute();
    return { ok: true };
  });
}

export type LedgerCheck =
  | { readonly ok: true; readonly balance: number; readonly entries: number }
  | { readonly ok: false; readonly entryId: number; readonly expected: number; readonly found: number };

/**
 * Re-adds every amount of an account in order and compares with each stored running balance: the proof
 * that the cached `balance_after` equals the sum of the ledger.
 */
export async function verifyLedger<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  accountId: number,
): Promise<LedgerCheck> {
  const entries = await narrow(db)
    .selectFrom('xm_system.ledger_entries')
    .select(['id', 'amount', 'balance_after'])
    .where('account_id', '=', accountId)
    .orderBy('id')
    .execute();
  let running = 0;
  for (const entry of entries) {
    running += entry.amount;
    if (entry.balance_after !== running) {
      return { ok: false, entryId: entry.id, expected: running, found: entry.balance_after };
    }
  }
  return { ok: true, balance: running, entries: entries.length };
}

function checkMovementText(input: Movement): BillingError | undefined {
  const bad = (field: string, max: number, value: unknown, required: boolean) =>
    (required || value !== undefined) &&
    (typeof value !== 'string' || value.trim() === '' || value.length > max) &&
    field;
  const field =
    bad('actor', 100, input.actor, true) ||
    bad('reason', 500, input.reason, true) ||
    bad('reference', 200, input.reference, false) ||
    bad('idempotencyKey', 200, input.idempotencyKey, false);
  if (!field) return undefined;
  return new BillingError('invalid-input', {
    en: `${field} must be a non-empty text within its length limit`,
    fr: `${field} doit être un texte non vide dans sa limite de longueur`,
  });
}

function invalidAmount(en: string, fr: string): { readonly ok: false; readonly error: BillingError } {
  return { ok: false, error: new BillingError('invalid-input', { en, fr }) };
}

export function unknownClient(): BillingError {
  return new BillingError('unknown-client');
}

export function insufficientCredit(account: LockedAccount, needed: number): BillingError {
  const available = account.balance + account.overdraftLimit;
  return new BillingError('insufficient-credit', {
    en: `${needed} ${account.currency} needed, ${available} available`,
    fr: `${needed} ${account.currency} nécessaires, ${available} disponibles`,
  });
}
