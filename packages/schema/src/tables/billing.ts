import {
  bigint,
  date,
  defineSystemTable,
  identity,
  integer,
  oneOf,
  references,
  text,
  timestamp,
  uuid,
} from '@xmcomm/contract';
import { type Kysely, type Migration, sql } from 'kysely';
import { addColumnsMigration, createTablesMigration } from '../ddl.js';

// Billing (issue 6): the server's ledger, tariffs, quotas and usage, all confidential (`xm_system`).
// Amounts are integers in minor units of the account's currency, never floats.

/** What a client may ask of the server; the client status gates each of them. */
export const billingServices = [
  'account-query',
  'profile-query',
  'messages',
  'sds-export',
  'sds-import',
] as const;

/** The periods a free allowance or a quota is counted over (calendar periods, UTC). */
export const billingPeriods = ['day', 'month', 'year'] as const;

const service = () => oneOf(billingServices, { required: true });
const tableName = () => text({ maxLength: 63, required: true, default: '*' });
const accountId = () =>
  references(integer({ required: true }), {
    table: 'xm_system.accounts',
    column: 'id',
    onDelete: 'restrict',
  });

/**
 * Every movement on an account, append-only (a trigger refuses UPDATE and DELETE). `amount` is signed
 * (credit and refund positive, charge negative, adjustment either way); `balance_after` is the running
 * balance written under the account's row lock, so the last entry is the balance and the sum of
 * amounts proves it.
 */
export const ledgerEntries = defineSystemTable(
  'xm_system',
  'ledger_entries',
  {
    id: identity(),
    account_id: accountId(),
    kind: oneOf(['credit', 'charge', 'refund', 'adjustment'], { required: true }),
    amount: bigint({ required: true }),
    balance_after: bigint({ required: true }),
    service: oneOf(billingServices),
    table_name: text({ maxLength: 63 }),
    container_id: uuid(),
    /** Rows this charge covers (free ones included) and bytes billed. */
    quantity: integer({ min: 0 }),
    bytes: bigint({ min: 0 }),
    refunds_entry_id: references(integer(), {
      table: 'xm_system.ledger_entries',
      column: 'id',
      onDelete: 'restrict',
    }),
    /** Who: an operator's login, or the worker that applied a container. */
    actor: text({ maxLength: 100, required: true }),
    /** Why, in words. */
    reason: text({ maxLength: 500, required: true }),
    /** A payment receipt number, an invoice number, a container id. */
    reference: text({ maxLength: 200 }),
    /** Makes a retried operator action or a periodic fee happen once. */
    idempotency_key: text({ maxLength: 200, unique: true }),
    created_at: timestamp({ required: true, default: 'now' }),
  },
  { indexes: [['account_id', 'id'], ['account_id', 'created_at'], ['container_id']] },
);

/**
 * One line per (container, row) ever charged: the unique key that makes a charge idempotent.
 *
 * No foreign keys: their check per charged row (an index probe and a row lock each) was most of the
 * cost of writing a charge (docs/decisions/2026-12-07-comments-to-decisions.md), and protected nothing.
 * Lines are written only by the charge, in the transaction that writes the ledger entry and the usage
 * line they go with; a ledger entry is never deleted (append-only) and an account with a ledger entry
 * or a usage line cannot be.
 */
export const chargedRows = defineSystemTable(
  'xm_system',
  'charged_rows',
  {
    container_id: uuid({ required: true }),
    row_key: bigint({ required: true, min: 0 }),
    account_id: integer({ required: true }),
    service: service(),
    table_name: text({ maxLength: 63, required: true }),
    ledger_entry_id: integer(),
    created_at: timestamp({ required: true, default: 'now' }),
  },
  { uniques: [['container_id', 'row_key']] },
);

/** The migration that gave tariffs their period of validity (history and scheduled prices). */
export const tariffValidity = '20261207-30-tariff-validity';

/**
 * Prices per service and table (`*`: any table without its own line), in one currency, each over
 * a period of validity `[valid_from, valid_until)`: a new price ends the one before it, so the
 * table keeps every price ever set and the ones set for later. The periods of one service, table
 * and currency never overlap (billing's setTariff and endTariff keep them so, under a lock); a
 * unique index on (service, table_name, currency, valid_from) is made by migration 20261207-30.
 */
export const tariffs = defineSystemTable('xm_system', 'tariffs', {
  id: identity(),
  service: service(),
  table_name: tableName(),
  currency: text({ maxLength: 3, required: true, default: 'XAF' }),
  per_row: bigint({ required: true, min: 0, default: 0 }),
  per_kilobyte: bigint({ required: true, min: 0, default: 0 }),
  flat_fee: bigint({ required: true, min: 0, default: 0 }),
  /** Rows free of charge per period before `per_row` applies. */
  free_rows: bigint({ required: true, min: 0, default: 0 }),
  period: oneOf(billingPeriods, { required: true, default: 'month' }),
  updated_at: timestamp({ required: true, default: 'now' }),
  /** The first instant the tariff applies to (a charge's time, `at`). */
  valid_from: timestamp({ required: true, default: 'now', since: tariffValidity }),
  /** The instant it stops applying; null: until a later tariff begins, or for good. */
  valid_until: timestamp({ since: tariffValidity }),
});

/** Limits the operator sets per client (read quotas): at most `max_rows` rows per period. */
export const quotas = defineSystemTable(
  'xm_system',
  'quotas',
  {
    id: identity(),
    client_id: references(integer({ required: true }), {
      table: 'xm_system.clients',
      column: 'id',
      onDelete: 'restrict',
    }),
    service: service(),
    table_name: tableName(),
    period: oneOf(billingPeriods, { required: true, default: 'month' }),
    max_rows: bigint({ required: true, min: 0 }),
    updated_at: timestamp({ required: true, default: 'now' }),
  },
  { uniques: [['client_id', 'service', 'table_name']] },
);

/** Rows and bytes used per account, service, table and UTC day, kept in the charging transaction. */
export const usageDaily = defineSystemTable(
  'xm_system',
  'usage_daily',
  {
    account_id: accountId(),
    service: service(),
    table_name: text({ maxLength: 63, required: true }),
    day: date({ required: true }),
    rows: bigint({ required: true, min: 0, default: 0 }),
    bytes: bigint({ required: true, min: 0, default: 0 }),
  },
  { uniques: [['account_id', 'service', 'table_name', 'day']] },
);

export const billingTables = [ledgerEntries, chargedRows, tariffs, quotas, usageDaily] as const;

// The ledger and the idempotency keys are history: the database itself refuses to rewrite them,
// whatever application or operator connects.
const appendOnly = ['ledger_entries', 'charged_rows'] as const;

/** Creates the billing tables and makes the ledger append-only. */
export const billingMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design
  async up(db: Kysely<any>) {
    await createTablesMigration(billingTables).up(db);
    await sql`create function xm_system.refuse_history_change() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only', tg_table_name using errcode = 'P0001';
      end $$`.execute(db);
    for (const table of appendOnly) {
      await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete or truncate
        on ${sql.id('xm_system', table)} for each statement
        execute function xm_system.refuse_history_change()`.execute(db);
    }
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design
  async down(db: Kysely<any>) {
    await createTablesMigration(billingTables).down?.(db);
    await sql`drop function xm_system.refuse_history_change()`.execute(db);
  },
};

/** Drops the foreign keys of charged_rows that databases created before 20261122-31 still have. */
export const chargedRowsWithoutForeignKeysMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design
  async up(db: Kysely<any>) {
    await sql`alter table xm_system.charged_rows
      drop constraint if exists charged_rows_account_id_fkey,
      drop constraint if exists charged_rows_ledger_entry_id_fkey`.execute(db);
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design
  async down(db: Kysely<any>) {
    await sql`alter table xm_system.charged_rows
      add constraint charged_rows_account_id_fkey foreign key (account_id)
        references xm_system.accounts (id) on delete restrict,
      add constraint charged_rows_ledger_entry_id_fkey foreign key (ledger_entry_id)
        references xm_system.ledger_entries (id) on delete restrict`.execute(db);
  },
};

const tariffsFromUnique = 'tariffs_service_table_name_currency_valid_from_unique';

/**
 * Gives tariffs a period of validity: the prices in force keep applying from when they were last
 * set (`updated_at`); one service, table and currency may then have several lines, one per period,
 * so the old unique constraint on the three gives way to one that includes `valid_from`.
 */
export const tariffValidityMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design
  async up(db: Kysely<any>) {
    await addColumnsMigration(tariffs, tariffValidity).up(db);
    await sql`update xm_system.tariffs set valid_from = updated_at`.execute(db);
    await sql`alter table xm_system.tariffs
      drop constraint if exists tariffs_unique,
      add constraint tariffs_valid_period_check check (valid_until is null or valid_until >= valid_from)`.execute(
      db,
    );
    await db.schema
      .createIndex(tariffsFromUnique)
      .on('xm_system.tariffs')
      .columns(['service', 'table_name', 'currency', 'valid_from'])
      .unique()
      .execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design
  async down(db: Kysely<any>) {
    await db.schema.withSchema('xm_system').dropIndex(tariffsFromUnique).execute();
    // One line per service, table and currency again: the latest to begin stays.
    await sql`delete from xm_system.tariffs t using xm_system.tariffs later
      where later.service = t.service and later.table_name = t.table_name
        and later.currency = t.currency and later.valid_from > t.valid_from`.execute(db);
    await sql`alter table xm_system.tariffs drop constraint tariffs_valid_period_check,
      add constraint tariffs_unique unique (service, table_name, currency)`.execute(db);
    await addColumnsMigration(tariffs, tariffValidity).down?.(db);
  },
};
