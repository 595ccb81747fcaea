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
 * Charges every tariff's flat fee, once per period, to each account in the tariff's currency whose
 * client status allows the service. Idempotent: each (tariff, period, account) is charged at most once,
 * so this may run from a daily timer.
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
      const outcome = await inTransaction(k, async (trx) => {
        const account = await lockAccount(trx, { clientId: candidate.client_id });
        if (!account) return 'gone' as const;
        const earlier = await trx
          .selectFrom('xm_system.ledger_entries')
          .select('id')
          .where('idempotency_key', '=', key)
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
          reference: `${tariff.period}:${start}`,
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
