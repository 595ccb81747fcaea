import { entryTime, lockAccount } from './accounts.js';
import { type BillingConnection, type BillingDatabase, inTransaction, narrow } from './database.js';
import { appendEntry } from './ledger.js';
import { periodStart } from './periods.js';
import { mayUse, type Service } from './status-gate.js';

export interface PeriodicFeesResult {
  readonly charged: readonly {
    readonly clientId: number;
    readonly service: Service;
    readonly amount: number;
  }[];
  /** Not charged for want of credit; running again later (same period) charges them once. */
  readonly refused: readonly {
    readonly clientId: number;
    readonly service: Service;
    readonly amount: number;
  }[];
  readonly alreadyCharged: number;
}

/**
 * Charges the flat fee of every tariff in force at `at` (default now), once per period, to each
 * account in the tariff's currency whose client status allows the service. Idempotent: each
 * (service, table, period, account) is charged at most once, even when its tariff changed within
 * the period (the fee already paid for it stands), so this may run from a daily timer.
 */
export async function chargePeriodicFees<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  options: { readonly actor: string; readonly at?: Date },
): Promise<PeriodicFeesResult> {
  const k = narrow(db);
  const at = options.at ?? new Date();
  const charged: { clientId: number; service: Service; amount: number }[] = [];
  const refused: { clientId: number; service: Service; amount: number }[] = [];
  let alreadyCharged = 0;
  const tariffs = await k
    .selectFrom('xm_system.tariffs')
    .select(['id', 'service', 'table_name', 'currency', 'flat_fee', 'period'])
    .where('flat_fee', '>', 0)
    .where('valid_from', '<=', at as never)
    .where((w) => w.or([w('valid_until', 'is', null), w('valid_until', '>', at as never)]))
    .orderBy('id')
    .execute();
  for (const tariff of tariffs) {
    const start = periodStart(tariff.period, at);
    const accounts = await k
      .selectFrom('xm_system.accounts as a')
      .innerJoin('xm_system.clients as c', 'c.id', 'a.client_id')
      .select(['c.id as client_id', 'c.status'])
      .where('a.currency', '=', tariff.currency)
      .orderBy('c.id')
      .execute();
    for (const candidate of accounts) {
      if (!mayUse(candidate.status, tariff.service).ok) continue;
      const key = `fee:${tariff.id}:${start}:${candidate.client_id}`;
      const reference = `${tariff.period}:${start}`;
      const outcome = await inTransaction(k, async (trx) => {
        const account = await lockAccount(trx, { clientId: candidate.client_id });
        if (!account) return 'gone' as const;
        // Any fee of this service and table for this period, whichever tariff line charged it.
        const earlier = await trx
          .selectFrom('xm_system.ledger_entries')
          .select('id')
          .where('account_id', '=', account.accountId)
          .where('kind', '=', 'charge')
          .where('service', '=', tariff.service)
          .where('table_name', '=', tariff.table_name)
          .where('reference', '=', reference)
          .where('idempotency_key', 'like', 'fee:%')
          .executeTakeFirst();
        if (earlier) return 'already' as const;
        const balance = account.balance - tariff.flat_fee;
        if (balance < -account.overdraftLimit) return 'refused' as const;
        await appendEntry(trx, {
          account_id: account.accountId,
          kind: 'charge',
          amount: -tariff.flat_fee,
          balance_after: balance,
          service: tariff.service,
          table_name: tariff.table_name,
          actor: options.actor,
          reason: `Flat fee for ${tariff.service} (${tariff.table_name}), ${tariff.period} from ${start}`,
          reference,
          idempotency_key: key,
          created_at: entryTime(options.at),
        });
        return 'charged' as const;
      });
      const item = { clientId: candidate.client_id, service: tariff.service, amount: tariff.flat_fee };
      if (outcome === 'charged') charged.push(item);
      else if (outcome === 'refused') refused.push(item);
      else if (outcome === 'already') alreadyCharged++;
    }
  }
  return { charged, refused, alreadyCharged };
}
