import type { Kysely } from 'kysely';
import { type ClientRef, checkClientRef, currentBalance, type LockedAccount } from './accounts.js';
import { type BillingConnection, type BillingDatabase, narrow } from './database.js';
import { type Period, periodStart } from './periods.js';
import { mayUse, type RefusalReason, type Service } from './status-gate.js';

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
  const tariff = await findTariff(k, account.currency, input.service, input.table, at);
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

async function findTariff(
  trx: Kysely<BillingDatabase>,
  currency: string,
  service: Service,
  table: string,
  at: Date,
) {
  const candidates = await trx
    .selectFrom('xm_system.tariffs')
    .select(['table_name', 'per_row', 'per_kilobyte', 'free_rows', 'period'])
    .where('service', '=', service)
    .where('currency', '=', currency)
    .where('table_name', 'in', [table, '*'])
    .where('valid_from', '<=', at as never)
    .where((w) => w.or([w('valid_until', 'is', null), w('valid_until', '>', at as never)]))
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
