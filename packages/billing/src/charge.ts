import type { Kysely } from 'kysely';
import {
  type ClientRef,
  checkClientRef,
  currentBalance,
  entryTime,
  type LockedAccount,
  lockAccount,
} from './accounts.js';
import { type BillingConnection, type BillingDatabase, inTransaction, narrow } from './database.js';
import { BillingError } from './errors.js';
import { appendEntry } from './ledger.js';
import { type Period, periodStart, utcDay } from './periods.js';
import { isService, mayUse, type RefusalReason, type Service } from './status-gate.js';

export type ChargeContainerInput = ClientRef & {
  /** The container's id (UUID): with each row key, what makes the charge idempotent. */
  readonly containerId: string;
  readonly service: Service;
  /** The exchanged table the rows belong to (`births`), as tariffs and quotas name it. */
  readonly table: string;
  /** The keys of the rows to charge (the origin numero of each row), integers >= 0. */
  readonly rows: readonly number[];
  /** The container's size, for per-kilobyte tariffs; billed once per container. */
  readonly bytes: number;
  /** Who applies it: the worker or process name. */
  readonly actor: string;
  /** When, if not now (tests, replays of a backlog with their original time). */
  readonly at?: Date;
};

export type ChargeResult =
  | {
      readonly ok: true;
      /** Debited by this call, in minor units (0 when free, or when everything was charged before). */
      readonly charged: number;
      readonly rowsCharged: number;
      /** Rows of this container charged by an earlier delivery: never charged twice. */
      readonly rowsAlreadyCharged: number;
      /** Rows covered by the tariff's free allowance. */
      readonly freeRows: number;
      readonly balance: number;
      readonly entryId: number | null;
    }
  | {
      readonly ok: false;
      readonly reason: RefusalReason;
      /** For insufficient-credit: what the container would cost and what the account has. */
      readonly required?: number;
      readonly available?: number;
    };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Charges a container's rows to the sender's account, all or nothing: the container is accepted and
 * charged as a whole, or refused as a whole with a reason for its receipt (the rows stay queued at the
 * site). Pass the caller's transaction so that rows, received log and charge commit or roll back
 * together; the account row stays locked until that transaction ends.
 *
 * Idempotent per (container, row): rows charged by an earlier delivery are skipped, and a unique
 * constraint makes a double charge impossible even for two workers on one container.
 */
export async function chargeContainer<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: ChargeContainerInput,
): Promise<ChargeResult> {
  checkInput(input);
  return inTransaction(narrow(db), async (trx) => {
    const account = await lockAccount(trx, input);
    if (!account) return { ok: false, reason: 'unknown-client' };
    const gate = mayUse(account.clientStatus, input.service);
    if (!gate.ok) return { ok: false, reason: gate.reason };

    const wanted = [...new Set(input.rows)];
    const earlier = wanted.length
      ? await trx
          .selectFrom('xm_system.charged_rows')
          .select('row_key')
          .where('container_id', '=', input.containerId)
          .execute()
      : [];
    const charged = new Set(earlier.map((row) => row.row_key));
    const fresh = wanted.filter((key) => !charged.has(key));
    const already = wanted.length - fresh.length;
    if (fresh.length === 0) return success(0, 0, already, 0, account.balance, null);

    const at = input.at ?? new Date();
    if (await quotaExceeded(trx, account, input, fresh.length, at))
      return { ok: false, reason: 'quota-exceeded' };

    const price = await priceOf(trx, account, input, fresh.length, earlier.length === 0, at);
    const balance = account.balance - price.amount;
    if (price.amount > 0 && balance < -account.overdraftLimit) {
      return {
        ok: false,
        reason: 'insufficient-credit',
        required: price.amount,
        available: account.balance + account.overdraftLimit,
      };
    }

    const entry =
      price.amount > 0
        ? await appendEntry(trx, {
            account_id: account.accountId,
            kind: 'charge',
            amount: -price.amount,
            balance_after: balance,
            service: input.service,
            table_name: input.table,
            container_id: input.containerId,
            quantity: fresh.length,
            bytes: price.bytes,
            actor: input.actor,
            reason: `${input.service} ${input.table}: ${fresh.length} row(s), ${price.freeRows} free`,
            reference: input.containerId,
            created_at: entryTime(input.at),
          })
        : undefined;
    await recordRows(trx, account, input, fresh, entry?.id ?? null);
    await addUsage(trx, account, input, fresh.length, price.bytes, at);
    return success(price.amount, fresh.length, already, price.freeRows, balance, entry?.id ?? null);
  });
}

function success(
  charged: number,
  rowsCharged: number,
  rowsAlreadyCharged: number,
  freeRows: number,
  balance: number,
  entryId: number | null,
): ChargeResult {
  return { ok: true, charged, rowsCharged, rowsAlreadyCharged, freeRows, balance, entryId };
}

function checkInput(input: ChargeContainerInput): void {
  checkClientRef(input);
  const problem = !isService(input.service)
    ? 'service must be one of the billing services'
    : typeof input.containerId !== 'string' || !uuidPattern.test(input.containerId)
      ? 'containerId must be a UUID'
      : !Array.isArray(input.rows) || !input.rows.every((key) => Number.isSafeInteger(key) && key >= 0)
        ? 'rows must be integers >= 0'
        : !Number.isSafeInteger(input.bytes) || input.bytes < 0
          ? 'bytes must be an integer >= 0'
          : typeof input.table !== 'string' || input.table === '' || input.table.length > 63
            ? 'table must be a table name'
            : typeof input.actor !== 'string' || input.actor === '' || input.actor.length > 100
              ? 'actor must be a name of at most 100 characters'
              : undefined;
  if (problem) {
    throw new BillingError('invalid-input', {
      en: problem,
      fr: `entrée de facturation refusée (${problem})`,
    });
  }
}

/** Rows used in a period, for this account and service, on one table or (`*`) on all. */
async function usedRows(
  trx: Kysely<BillingDatabase>,
  accountId: number,
  service: Service,
  table: string,
  period: Period,
  at: Date,
): Promise<number> {
  const used = await trx
    .selectFrom('xm_system.usage_daily')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('rows'), eb.lit(0)).as('rows'))
    .where('account_id', '=', accountId)
    .where('service', '=', service)
    .where('day', '>=', periodStart(period, at))
    .$if(table !== '*', (q) => q.where('table_name', '=', table))
    .executeTakeFirstOrThrow();
  return Number(used.rows);
}

async function quotaExceeded(
  trx: Kysely<BillingDatabase>,
  account: LockedAccount,
  input: ChargeContainerInput,
  rows: number,
  at: Date,
): Promise<boolean> {
  const left = await quotaLeft(trx, account, input.service, input.table, at);
  return left !== null && rows > left;
}

async function findTariff(trx: Kysely<BillingDatabase>, currency: string, service: Service, table: string) {
  const candidates = await trx
    .selectFrom('xm_system.tariffs')
    .select(['table_name', 'per_row', 'per_kilobyte', 'free_rows', 'period'])
    .where('service', '=', service)
    .where('currency', '=', currency)
    .where('table_name', 'in', [table, '*'])
    .execute();
  // A table's own line wins over the `*` line of its service.
  return candidates.find((t) => t.table_name === table) ?? candidates[0];
}

async function quotaLeft(
  trx: Kysely<BillingDatabase>,
  account: LockedAccount,
  service: Service,
  table: string,
  at: Date,
): Promise<number | null> {
  const quotas = await trx
    .selectFrom('xm_system.quotas')
    .select(['table_name', 'period', 'max_rows'])
    .where('client_id', '=', account.clientId)
    .where('service', '=', service)
    .where('table_name', 'in', [table, '*'])
    .execute();
  let left: number | null = null;
  for (const quota of quotas) {
    const used = await usedRows(trx, account.accountId, service, quota.table_name, quota.period, at);
    const remaining = Math.max(0, quota.max_rows - used);
    left = left === null ? remaining : Math.min(left, remaining);
  }
  return left;
}

interface Price {
  readonly amount: number;
  readonly freeRows: number;
  readonly bytes: number;
}

async function priceOf(
  trx: Kysely<BillingDatabase>,
  account: LockedAccount,
  input: ChargeContainerInput,
  rows: number,
  firstDelivery: boolean,
  at: Date,
): Promise<Price> {
  const tariff = await findTariff(trx, account.currency, input.service, input.table);
  // Bytes are billed with the container's first delivery only, never again for a re-delivery.
  const bytes = firstDelivery ? input.bytes : 0;
  if (!tariff) return { amount: 0, freeRows: 0, bytes };
  let freeRows = 0;
  if (tariff.free_rows > 0) {
    const used = await usedRows(trx, account.accountId, input.service, tariff.table_name, tariff.period, at);
    freeRows = Math.min(rows, Math.max(0, tariff.free_rows - used));
  }
  const amount = (rows - freeRows) * tariff.per_row + Math.ceil(bytes / 1024) * tariff.per_kilobyte;
  if (!Number.isSafeInteger(amount)) {
    throw new BillingError('invalid-input', {
      en: 'the price exceeds the safe integer range',
      fr: 'le prix dépasse la plage des entiers sûrs',
    });
  }
  return { amount, freeRows, bytes };
}

// Bound parameters per statement stay well under PostgreSQL's 65,535.
const rowsPerInsert = 5_000;

async function recordRows(
  trx: Kysely<BillingDatabase>,
  account: LockedAccount,
  input: ChargeContainerInput,
  keys: readonly number[],
  entryId: number | null,
): Promise<void> {
  for (let start = 0; start < keys.length; start += rowsPerInsert) {
    const values = keys.slice(start, start + rowsPerInsert).map((key) => ({
      container_id: input.containerId,
      row_key: key,
      account_id: account.accountId,
      service: input.service,
      table_name: input.table,
      ledger_entry_id: entryId,
    }));
    try {
      await trx.insertInto('xm_system.charged_rows').values(values).execute();
    } catch (cause) {
      // Only possible when the caller's transaction reads an older snapshot (repeatable read) than the
      // lock: the constraint refused the double charge; the whole transaction must be retried.
      if (isUniqueViolation(cause)) throw new BillingError('history-conflict', undefined, { cause });
      throw cause;
    }
  }
}

async function addUsage(
  trx: Kysely<BillingDatabase>,
  account: LockedAccount,
  input: ChargeContainerInput,
  rows: number,
  bytes: number,
  at: Date,
): Promise<void> {
  await trx
    .insertInto('xm_system.usage_daily')
    .values({
      account_id: account.accountId,
      service: input.service,
      table_name: input.table,
      day: utcDay(at),
      rows,
      bytes,
    })
    .onConflict((oc) =>
      oc.columns(['account_id', 'service', 'table_name', 'day']).doUpdateSet((eb) => ({
        rows: eb('xm_system.usage_daily.rows', '+', eb.ref('excluded.rows')),
        bytes: eb('xm_system.usage_daily.bytes', '+', eb.ref('excluded.bytes')),
      })),
    )
    .execute();
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export type AllowanceInput = ClientRef & {
  readonly service: Service;
  readonly table: string;
  readonly at?: Date;
};

export type Allowance =
  | {
      readonly ok: true;
      /** Rows that may be charged now: the smaller of the two limits below; null when neither limits. */
      readonly rows: number | null;
      readonly byQuota: number | null;
      /** Free rows left plus what the available credit pays for at the per-row price. */
      readonly byCredit: number | null;
      readonly freeRowsLeft: number;
      readonly pricePerRow: number;
    }
  | { readonly ok: false; readonly reason: RefusalReason };

/**
 * How many rows a client may be charged for now, so that the server can cap an import request's
 * limit instead of having the whole answer refused. Advisory and lock-free: the charge checks again.
 * The per-kilobyte part of a price is not counted.
 */
export async function allowance<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: AllowanceInput,
): Promise<Allowance> {
  checkClientRef(input);
  const k = narrow(db);
  const found = await k
    .selectFrom('xm_system.accounts as a')
    .innerJoin('xm_system.clients as c', 'c.id', 'a.client_id')
    .select(['a.id', 'a.currency', 'a.overdraft_limit', 'c.id as client_id', 'c.matricule', 'c.status'])
    .$if('clientId' in input, (q) => q.where('c.id', '=', (input as { clientId: number }).clientId))
    .$if('matricule' in input, (q) => q.where('c.matricule', '=', (input as { matricule: string }).matricule))
    .executeTakeFirst();
  if (!found) return { ok: false, reason: 'unknown-client' };
  const gate = mayUse(found.status, input.service);
  if (!gate.ok) return { ok: false, reason: gate.reason };
  const account: LockedAccount = {
    accountId: found.id,
    clientId: found.client_id,
    matricule: found.matricule,
    clientStatus: found.status,
    currency: found.currency,
    overdraftLimit: found.overdraft_limit,
    balance: await currentBalance(k, found.id),
  };
  const at = input.at ?? new Date();
  const byQuota = await quotaLeft(k, account, input.service, input.table, at);
  const tariff = await findTariff(k, account.currency, input.service, input.table);
  let freeRowsLeft = 0;
  if (tariff && tariff.free_rows > 0) {
    const used = await usedRows(k, account.accountId, input.service, tariff.table_name, tariff.period, at);
    freeRowsLeft = Math.max(0, tariff.free_rows - used);
  }
  const pricePerRow = tariff?.per_row ?? 0;
  const available = Math.max(0, account.balance + account.overdraftLimit);
  const byCredit = pricePerRow > 0 ? freeRowsLeft + Math.floor(available / pricePerRow) : null;
  const limits = [byQuota, byCredit].filter((n): n is number => n !== null);
  return {
    ok: true,
    rows: limits.length ? Math.min(...limits) : null,
    byQuota,
    byCredit,
    freeRowsLeft,
    pricePerRow,
  };
}
