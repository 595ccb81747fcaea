import { type Kysely, type Selectable, sql } from 'kysely';
import { type ClientRef, checkClientRef } from './accounts.js';
import { type BillingConnection, type BillingDatabase, inTransaction, narrow } from './database.js';
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
  /** The first instant the prices apply to (a charge's `at`); default now. */
  readonly from?: Date;
}

/** A tariff line and its period of validity `[validFrom, validUntil)`. */
export interface Tariff {
  readonly id: number;
  readonly service: Service;
  readonly table: string;
  readonly currency: string;
  readonly perRow: number;
  readonly perKilobyte: number;
  readonly flatFee: number;
  readonly freeRows: number;
  readonly period: Period;
  readonly validFrom: Date;
  /** null: until a later tariff of the same service, table and currency begins, or for good. */
  readonly validUntil: Date | null;
}

const periods: readonly Period[] = ['day', 'month', 'year'];

// Any constant: tariff changes take this transaction-scoped lock, so that two at once cannot make
// periods of one service, table and currency overlap.
const tariffLock = 0x786d_7461; // "xmta"

type TariffKey = { readonly service: Service; readonly table: string; readonly currency: string };

/**
 * Sets the prices of a service (and table, and currency) from `from` (default now): the tariff in
 * force at that instant ends there, and the new one applies until the next one set for later
 * begins, or for good. Set again from the same instant, it replaces those prices. Charges already
 * made keep their price; a charge is priced by the tariff in force at its time (`at`).
 */
export async function setTariff<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: TariffInput,
): Promise<Tariff> {
  if (!isService(input.service))
    invalid(
      'service',
      'service must be one of the billing services',
      'service doit être un des services facturés',
    );
  const table = checkTable(input.table);
  const currency = checkCurrency(input.currency);
  const period = input.period ?? 'month';
  if (!periods.includes(period))
    invalid('period', 'period is day, month or year', 'period vaut day, month ou year');
  const prices = {
    per_row: amount('perRow', input.perRow),
    per_kilobyte: amount('perKilobyte', input.perKilobyte),
    flat_fee: amount('flatFee', input.flatFee),
    free_rows: amount('freeRows', input.freeRows),
    period,
  };
  const from = instant('from', input.from);
  const key = { service: input.service, table, currency };
  return inTransaction(narrow(db), async (trx) => {
    await sql`select pg_advisory_xact_lock(${tariffLock})`.execute(trx);
    const lines = await linesOf(trx, key);
    const current = lines.find((t) => inForce(t, from));
    const next = lines.find((t) => t.validFrom > from);
    const until = next?.validFrom ?? null;
    if (current && current.validFrom.getTime() === from.getTime()) {
      const row = await trx
        .updateTable('xm_system.tariffs')
        .set({ ...prices, valid_until: until, updated_at: sql`now()` } as never)
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toTariff(row);
    }
    if (current) {
      await trx
        .updateTable('xm_system.tariffs')
        .set({ valid_until: from, updated_at: sql`now()` } as never)
        .where('id', '=', current.id)
        .execute();
    }
    const row = await trx
      .insertInto('xm_system.tariffs')
      .values({
        service: key.service,
        table_name: key.table,
        currency: key.currency,
        ...prices,
        valid_from: from,
        valid_until: until,
      } as never)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toTariff(row);
  });
}

/** Which tariff to end: by its id, or the one of a service (table `*`, currency XAF by default) in force then. */
export type TariffRef =
  | { readonly id: number }
  | { readonly service: Service; readonly table?: string; readonly currency?: string };

/**
 * Ends a tariff at `at` (default now): from then on its service and table cost nothing (or fall to
 * the `*` tariff, for a table's own) until another is set. Ending a tariff set for later at its
 * start cancels it. A tariff is never ended before it begins, nor past the end it has already.
 */
export async function endTariff<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  ref: TariffRef,
  options: { readonly at?: Date } = {},
): Promise<
  { readonly ok: true; readonly tariff: Tariff } | { readonly ok: false; readonly error: BillingError }
> {
  const at = instant('at', options.at);
  let key: TariffKey | undefined;
  if ('id' in ref) {
    if (!Number.isSafeInteger(ref.id) || ref.id <= 0)
      invalid('id', 'id must be a positive integer', 'id doit être un entier positif');
  } else {
    if (!isService(ref.service))
      invalid(
        'service',
        'service must be one of the billing services',
        'service doit être un des services facturés',
      );
    key = { service: ref.service, table: checkTable(ref.table), currency: checkCurrency(ref.currency) };
  }
  return inTransaction(narrow(db), async (trx) => {
    await sql`select pg_advisory_xact_lock(${tariffLock})`.execute(trx);
    const line =
      'id' in ref
        ? await trx
            .selectFrom('xm_system.tariffs')
            .selectAll()
            .where('id', '=', ref.id)
            .executeTakeFirst()
            .then((row) => (row ? toTariff(row) : undefined))
        : (await linesOf(trx, key as TariffKey)).find((t) => inForce(t, at));
    if (!line) {
      const what =
        'id' in ref
          ? { en: `no tariff ${ref.id}`, fr: `aucun tarif ${ref.id}` }
          : {
              en: `no ${key?.service} tariff for ${key?.table} in ${key?.currency} in force at ${at.toISOString()}`,
              fr: `aucun tarif ${key?.service} pour ${key?.table} en ${key?.currency} en vigueur le ${at.toISOString()}`,
            };
      return { ok: false, error: new BillingError('unknown-tariff', what) };
    }
    if (at < line.validFrom) {
      invalid(
        'at',
        `the tariff begins at ${line.validFrom.toISOString()}; it cannot end before`,
        `le tarif commence le ${line.validFrom.toISOString()} ; il ne peut finir avant`,
      );
    }
    if (line.validUntil !== null && at > line.validUntil) {
      invalid(
        'at',
        `the tariff already ends at ${line.validUntil.toISOString()}`,
        `le tarif finit déjà le ${line.validUntil.toISOString()}`,
      );
    }
    const row = await trx
      .updateTable('xm_system.tariffs')
      .set({ valid_until: at, updated_at: sql`now()` } as never)
      .where('id', '=', line.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true, tariff: toTariff(row) };
  });
}

/**
 * Tariff lines: those in force at `at`; or, with `from`, those in force then or set for later;
 * or all of them, ended ones included. Ordered by service, table, currency and start.
 */
export async function listTariffs<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  filter: { readonly at?: Date; readonly from?: Date } = {},
): Promise<Tariff[]> {
  const at = filter.at === undefined ? undefined : instant('at', filter.at);
  const from = filter.from === undefined ? undefined : instant('from', filter.from);
  const rows = await narrow(db)
    .selectFrom('xm_system.tariffs')
    .selectAll()
    .$if(at !== undefined, (q) =>
      q
        .where('valid_from', '<=', at as never)
        .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', at as never)])),
    )
    .$if(from !== undefined, (q) =>
      q.where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', from as never)])),
    )
    .orderBy('service')
    .orderBy('table_name')
    .orderBy('currency')
    .orderBy('valid_from')
    .execute();
  return rows.map(toTariff);
}

/** Whether a tariff line applies at an instant: `[validFrom, validUntil)`. */
export function inForce(
  tariff: { readonly validFrom: Date; readonly validUntil: Date | null },
  at: Date,
): boolean {
  return tariff.validFrom <= at && (tariff.validUntil === null || at < tariff.validUntil);
}

async function linesOf(trx: Kysely<BillingDatabase>, key: TariffKey): Promise<Tariff[]> {
  const rows = await trx
    .selectFrom('xm_system.tariffs')
    .selectAll()
    .where('service', '=', key.service)
    .where('table_name', '=', key.table)
    .where('currency', '=', key.currency)
    .orderBy('valid_from')
    .execute();
  return rows.map(toTariff);
}

type TariffRow = Selectable<BillingDatabase['xm_system.tariffs']>;

function toTariff(row: TariffRow): Tariff {
  return {
    id: row.id,
    service: row.service,
    table: row.table_name,
    currency: row.currency,
    perRow: row.per_row,
    perKilobyte: row.per_kilobyte,
    flatFee: row.flat_fee,
    freeRows: row.free_rows,
    period: row.period,
    validFrom: row.valid_from as unknown as Date,
    validUntil: (row.valid_until as unknown as Date | null) ?? null,
  };
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
  if (!isService(input.service))
    invalid(
      'service',
      'service must be one of the billing services',
      'service doit être un des services facturés',
    );
  const period = input.period ?? 'month';
  if (!periods.includes(period))
    invalid('period', 'period is day, month or year', 'period vaut day, month ou year');
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
    max_rows: amount('maxRows', input.maxRows),
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
      'table',
      'table must be a lower-case SQL identifier or *',
      'table doit être un identifiant SQL en minuscules ou *',
    );
  }
  return name;
}

function checkCurrency(value: string | undefined): string {
  const currency = value ?? 'XAF';
  if (!/^[A-Z]{3}$/.test(currency))
    invalid(
      'currency',
      'currency must be a 3-letter ISO 4217 code',
      'currency doit être un code ISO 4217 de 3 lettres',
    );
  return currency;
}

function amount(field: string, value: number | undefined): number {
  const result = value ?? 0;
  if (!Number.isSafeInteger(result) || result < 0) {
    invalid(field, `${field} must be an integer >= 0`, `${field} doit être un entier >= 0`);
  }
  return result;
}

function instant(field: string, value: Date | undefined): Date {
  const result = value ?? new Date();
  if (!(result instanceof Date) || Number.isNaN(result.getTime()))
    invalid(field, `${field} must be a date`, `${field} doit être une date`);
  return result;
}

function invalid(field: string, en: string, fr: string): never {
  throw new BillingError('invalid-input', { en, fr }, { field });
}
