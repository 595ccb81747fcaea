import { sql } from 'kysely';
import { type ClientRef, checkClientRef } from './accounts.js';
import { type BillingConnection, type BillingDatabase, narrow } from './database.js';
import { BillingError } from './errors.js';
import type { Period } from './periods.js';
import { isService, type Service } from './status-gate.js';

export interface TariffInput {
  readonly service: Service;
  /** An exchanged table's name, or `*` (the default) for every table without its own tariff. */
  readonly table?: string;
  /** ISO 4217 code; a tariff applies to accounts in this currency. Default XAF. */
  readonly currency?: string;
  /** Minor units per row exported or imported. */
  readonly perRow?: number;
  /** Minor units per kilobyte (1,024 bytes, rounded up per container). */
  readonly perKilobyte?: number;
  /** Minor units charged once per period by `chargePeriodicFees`. */
  readonly flatFee?: number;
  /** Rows free of charge per period. */
  readonly freeRows?: number;
  readonly period?: Period;
}

const periods: readonly Period[] = ['day', 'month', 'year'];

/** Creates or replaces the tariff of a service (and table, and currency). New prices apply to later charges only. */
export async function setTariff<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: TariffInput,
): Promise<void> {
  if (!isService(input.service)) invalid('unknown service', 'service inconnu');
  const table = checkTable(input.table);
  const currency = input.currency ?? 'XAF';
  if (!/^[A-Z]{3}$/.test(currency))
    invalid('a currency is a 3-letter ISO 4217 code', 'une devise est un code ISO 4217 de 3 lettres');
  const period = input.period ?? 'month';
  if (!periods.includes(period))
    invalid('a period is day, month or year', 'une période est day, month ou year');
  const values = {
    service: input.service,
    table_name: table,
    currency,
    per_row: amount(input.perRow),
    per_kilobyte: amount(input.perKilobyte),
    flat_fee: amount(input.flatFee),
    free_rows: amount(input.freeRows),
    period,
  };
  await narrow(db)
    .insertInto('xm_system.tariffs')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['service', 'table_name', 'currency']).doUpdateSet({ ...values, updated_at: sql`now()` }),
    )
    .execute();
}

export type QuotaInput = ClientRef & {
  readonly service: Service;
  readonly table?: string;
  readonly period?: Period;
  /** At most this many rows per period; 0 refuses everything chargeable. */
  readonly maxRows: number;
};

/** Sets a client's quota (read quota for `sds-import`) for a service and table, per period. */
export async function setQuota<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: QuotaInput,
): Promise<{ readonly ok: true } | { readonly ok: false; readonly error: BillingError }> {
  checkClientRef(input);
  if (!isService(input.service)) invalid('unknown service', 'service inconnu');
  const period = input.period ?? 'month';
  if (!periods.includes(period))
    invalid('a period is day, month or year', 'une période est day, month ou year');
  const k = narrow(db);
  const client = await k
    .selectFrom('xm_system.clients')
    .select('id')
    .$if('clientId' in input, (q) => q.where('id', '=', (input as { clientId: number }).clientId))
    .$if('matricule' in input, (q) => q.where('matricule', '=', (input as { matricule: string }).matricule))
    .executeTakeFirst();
  if (!client) return { ok: false, error: new BillingError('unknown-client') };
  const values = {
    client_id: client.id,
    service: input.service,
    table_name: checkTable(input.table),
    period,
    max_rows: amount(input.maxRows),
  };
  await k
    .insertInto('xm_system.quotas')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['client_id', 'service', 'table_name']).doUpdateSet({ ...values, updated_at: sql`now()` }),
    )
    .execute();
  return { ok: true };
}

/** Removes a client's quota: the service is then limited by credit alone. */
export async function removeQuota<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: ClientRef & { readonly service: Service; readonly table?: string },
): Promise<void> {
  checkClientRef(input);
  const k = narrow(db);
  await k
    .deleteFrom('xm_system.quotas')
    .where('service', '=', input.service)
    .where('table_name', '=', checkTable(input.table))
    .where(
      'client_id',
      'in',
      k
        .selectFrom('xm_system.clients')
        .select('id')
        .$if('clientId' in input, (q) => q.where('id', '=', (input as { clientId: number }).clientId))
        .$if('matricule' in input, (q) =>
          q.where('matricule', '=', (input as { matricule: string }).matricule),
        ),
    )
    .execute();
}

function checkTable(table: string | undefined): string {
  const name = table ?? '*';
  if (name !== '*' && !/^[a-z][a-z0-9_]{0,62}$/.test(name)) {
    invalid(
      'a table is a lower-case SQL identifier or *',
      'une table est un identifiant SQL en minuscules ou *',
    );
  }
  return name;
}

function amount(value: number | undefined): number {
  const result = value ?? 0;
  if (!Number.isSafeInteger(result) || result < 0) {
    invalid('amounts and counts are integers >= 0', 'les montants et quantités sont des entiers >= 0');
  }
  return result;
}

function invalid(en: string, fr: string): never {
  throw new BillingError('invalid-input', { en, fr });
}
