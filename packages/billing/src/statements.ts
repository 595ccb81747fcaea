import type { Kysely } from 'kysely';
import { type ClientRef, checkClientRef } from './accounts.js';
import { csvLine } from './csv.js';
import { type BillingConnection, type BillingDatabase, narrow } from './database.js';
import { BillingError } from './errors.js';
import { type LedgerEntry, toEntry } from './ledger.js';
import type { Service } from './status-gate.js';

export type StatementInput = ClientRef & {
  /** Start of the period, included. */
  readonly from: Date;
  /** End of the period, excluded. */
  readonly to: Date;
};

export interface StatementClient {
  readonly id: number;
  readonly matricule: string;
  readonly name: string;
}

/** Every movement of an account in a period, with the balances that frame it. */
export interface Statement {
  readonly client: StatementClient;
  readonly accountId: number;
  readonly currency: string;
  readonly from: Date;
  readonly to: Date;
  readonly openingBalance: number;
  readonly closingBalance: number;
  /** Signed sums per kind of movement in the period. */
  readonly totals: {
    readonly credit: number;
    readonly charge: number;
    readonly refund: number;
    readonly adjustment: number;
  };
  readonly entries: readonly LedgerEntry[];
}

export type StatementResult =
  | { readonly ok: true; readonly value: Statement }
  | { readonly ok: false; readonly error: BillingError };

// The contract types a defaulted timestamp as Generated<ColumnType<Date, …>>, which Kysely does not
// unwrap in comparisons; the value is a Date all the same.
const instant = (date: Date) => date as never;

interface AccountHeader {
  readonly client: StatementClient;
  readonly accountId: number;
  readonly currency: string;
}

async function header(
  db: Kysely<BillingDatabase>,
  input: StatementInput,
): Promise<AccountHeader | BillingError> {
  checkClientRef(input);
  if (!(input.from instanceof Date) || !(input.to instanceof Date) || !(input.from < input.to)) {
    return new BillingError('invalid-input', {
      en: 'a period runs from a date to a later date',
      fr: "une période va d'une date à une date ultérieure",
    });
  }
  const row = await db
    .selectFrom('xm_system.accounts as a')
    .innerJoin('xm_system.clients as c', 'c.id', 'a.client_id')
    .select(['a.id', 'a.currency', 'c.id as client_id', 'c.matricule', 'c.name'])
    .$if('clientId' in input, (q) => q.where('c.id', '=', (input as { clientId: number }).clientId))
    .$if('matricule' in input, (q) => q.where('c.matricule', '=', (input as { matricule: string }).matricule))
    .executeTakeFirst();
  if (!row) return new BillingError('unknown-client');
  return {
    client: { id: row.client_id, matricule: row.matricule, name: row.name },
    accountId: row.id,
    currency: row.currency,
  };
}

async function entriesIn(
  db: Kysely<BillingDatabase>,
  accountId: number,
  from: Date,
  to: Date,
): Promise<LedgerEntry[]> {
  const rows = await db
    .selectFrom('xm_system.ledger_entries')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('created_at', '>=', instant(from))
    .where('created_at', '<', instant(to))
    .orderBy('id')
    .execute();
  return rows.map(toEntry);
}

/** The statement of a client's account for `[from, to)`: opening balance, every movement, closing balance. */
export async function statement<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: StatementInput,
): Promise<StatementResult> {
  const k = narrow(db);
  const head = await header(k, input);
  if (head instanceof BillingError) return { ok: false, error: head };
  // Sums, not the last running balance: correct whatever order entries were written in.
  const before = await k
    .selectFrom('xm_system.ledger_entries')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
    .where('account_id', '=', head.accountId)
    .where('created_at', '<', instant(input.from))
    .executeTakeFirstOrThrow();
  const entries = await entriesIn(k, head.accountId, input.from, input.to);
  const totals = { credit: 0, charge: 0, refund: 0, adjustment: 0 };
  for (const entry of entries) totals[entry.kind] += entry.amount;
  const openingBalance = Number(before.total);
  const closingBalance = openingBalance + totals.credit + totals.charge + totals.refund + totals.adjustment;
  return {
    ok: true,
    value: { ...head, from: input.from, to: input.to, openingBalance, closingBalance, totals, entries },
  };
}

/** A statement as CSV: the opening balance, one line per movement, the closing balance. */
export function statementToCsv(value: Statement): string {
  let csv = csvLine([
    'date',
    'kind',
    'amount',
    'balance',
    'currency',
    'service',
    'table',
    'rows',
    'bytes',
    'reference',
    'reason',
    'actor',
    'entry',
  ]);
  csv += csvLine([value.from.toISOString(), 'opening-balance', null, value.openingBalance, value.currency]);
  for (const e of value.entries) {
    csv += csvLine([
      e.createdAt.toISOString(),
      e.kind,
      e.amount,
      e.balanceAfter,
      value.currency,
      e.service,
      e.table,
      e.quantity,
      e.bytes,
      e.reference,
      e.reason,
      e.actor,
      e.id,
    ]);
  }
  csv += csvLine([value.to.toISOString(), 'closing-balance', null, value.closingBalance, value.currency]);
  return csv;
}

export interface InvoiceLine {
  readonly kind: 'usage' | 'flat-fee' | 'refund';
  readonly service: Service | null;
  readonly table: string | null;
  readonly description: { readonly en: string; readonly fr: string };
  /** Rows billed (usage), fees charged (flat-fee) or refunds made (refund). */
  readonly quantity: number;
  readonly bytes: number;
  /** Positive: owed by the client; negative: refunded. */
  readonly amount: number;
}

/** What a client is invoiced for a period (the original's "Facturation"): charges less refunds. */
export interface Invoice {
  readonly number: string;
  readonly client: StatementClient;
  readonly currency: string;
  readonly from: Date;
  readonly to: Date;
  readonly lines: readonly InvoiceLine[];
  readonly total: number;
}

export type InvoiceResult =
  | { readonly ok: true; readonly value: Invoice }
  | { readonly ok: false; readonly error: BillingError };

const day = (date: Date) => date.toISOString().slice(0, 10).replaceAll('-', '');

/**
 * The invoice of a client for `[from, to)`, grouped by service and table. Its default number,
 * `<matricule>-<from>-<to>`, is the same each time, so an invoice can be produced again identically.
 */
export async function invoice<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: StatementInput & { readonly number?: string },
): Promise<InvoiceResult> {
  const k = narrow(db);
  const head = await header(k, input);
  if (head instanceof BillingError) return { ok: false, error: head };
  const entries = await entriesIn(k, head.accountId, input.from, input.to);
  const lines = new Map<string, InvoiceLine>();
  const add = (key: string, line: InvoiceLine) => {
    const previous = lines.get(key);
    lines.set(
      key,
      previous
        ? {
            ...previous,
            quantity: previous.quantity + line.quantity,
            bytes: previous.bytes + line.bytes,
            amount: previous.amount + line.amount,
          }
        : line,
    );
  };
  for (const e of entries) {
    const scope = `${e.service ?? '-'} ${e.table ?? '*'}`;
    if (e.kind === 'charge' && e.idempotencyKey?.startsWith('fee:')) {
      add(`fee ${scope}`, {
        kind: 'flat-fee',
        service: e.service,
        table: e.table,
        description: { en: `Flat fee, ${scope}`, fr: `Forfait, ${scope}` },
        quantity: 1,
        bytes: 0,
        amount: -e.amount,
      });
    } else if (e.kind === 'charge') {
      add(`usage ${scope}`, {
        kind: 'usage',
        service: e.service,
        table: e.table,
        description: { en: `Rows, ${scope}`, fr: `Fiches, ${scope}` },
        quantity: e.quantity ?? 0,
        bytes: e.bytes ?? 0,
        amount: -e.amount,
      });
    } else if (e.kind === 'refund') {
      add('refund', {
        kind: 'refund',
        service: null,
        table: null,
        description: { en: 'Refunds', fr: 'Remboursements' },
        quantity: 1,
        bytes: 0,
        amount: -e.amount,
      });
    }
  }
  const sorted = [...lines.values()];
  return {
    ok: true,
    value: {
      number: input.number ?? `${head.client.matricule}-${day(input.from)}-${day(input.to)}`,
      client: head.client,
      currency: head.currency,
      from: input.from,
      to: input.to,
      lines: sorted,
      total: sorted.reduce((sum, line) => sum + line.amount, 0),
    },
  };
}

/** An invoice as CSV: one line per invoice line, then the total. */
export function invoiceToCsv(value: Invoice, lang: 'en' | 'fr' = 'en'): string {
  let csv = csvLine([
    'invoice',
    'client',
    'from',
    'to',
    'kind',
    'service',
    'table',
    'description',
    'quantity',
    'bytes',
    'amount',
    'currency',
  ]);
  const common = [value.number, value.client.matricule, value.from.toISOString(), value.to.toISOString()];
  for (const line of value.lines) {
    csv += csvLine([
      ...common,
      line.kind,
      line.service,
      line.table,
      line.description[lang],
      line.quantity,
      line.bytes,
      line.amount,
      value.currency,
    ]);
  }
  csv += csvLine([
    ...common,
    'total',
    null,
    null,
    lang === 'en' ? 'Total' : 'Total',
    null,
    null,
    value.total,
    value.currency,
  ]);
  return csv;
}
