import { chargedRows, usageDaily } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { type ClientRef, checkClientRef, entryTime } from './accounts.js';
import { type BillingConnection, type BillingDatabase, inTransaction, narrow } from './database.js';
import { BillingError } from './errors.js';
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
  const [result] = await chargeContainers(db, [input]);
  return result as ChargeResult;
}

/**
 * Charges several containers in one go, in a handful of statements whatever their number: one
 * result per input, in order, each what `chargeContainer` would have given had they been charged
 * one after another in that order (a refused one writes nothing and the next ones are charged as
 * if it had not come). The accounts involved are locked in the order of their ids, so that two
 * batches never wait on each other in a circle.
 */
export async function chargeContainers<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  inputs: readonly ChargeContainerInput[],
): Promise<ChargeResult[]> {
  for (const input of inputs) checkInput(input);
  if (inputs.length === 0) return [];
  return inTransaction(narrow(db), (trx) => chargeLocked(trx, inputs));
}

interface TariffLine {
  readonly service: string;
  readonly currency: string;
  readonly table_name: string;
  readonly per_row: number;
  readonly per_kilobyte: number;
  readonly free_rows: number;
  readonly period: Period;
  /** Its period of validity, as JSON gives timestamps (ISO 8601 text). */
  readonly valid_from: string;
  readonly valid_until: string | null;
}

/** Whether a tariff line (read as JSON) applies at an instant: `[valid_from, valid_until)`. */
const appliesAt = (line: TariffLine, at: Date) =>
  Date.parse(line.valid_from) <= at.getTime() &&
  (line.valid_until === null || at.getTime() < Date.parse(line.valid_until));

interface QuotaLine {
  readonly client_id: number;
  readonly service: string;
  readonly table_name: string;
  readonly period: Period;
  readonly max_rows: number;
}

interface UsageLine {
  readonly account_id: number;
  readonly service: string;
  readonly table_name: string;
  readonly day: string;
  rows: number;
}

async function chargeLocked(
  trx: Kysely<BillingDatabase>,
  inputs: readonly ChargeContainerInput[],
): Promise<ChargeResult[]> {
  const clientIds = [...new Set(inputs.flatMap((i) => ('clientId' in i ? [i.clientId] : [])))];
  const matricules = [...new Set(inputs.flatMap((i) => ('matricule' in i ? [i.matricule] : [])))];
  const locked = await trx
    .selectFrom('xm_system.accounts as a')
    .innerJoin('xm_system.clients as c', 'c.id', 'a.client_id')
    .select(['a.id', 'a.currency', 'a.overdraft_limit', 'c.id as client_id', 'c.matricule', 'c.status'])
    .select((eb) =>
      eb
        .exists(eb.selectFrom('xm_system.quotas as q').select('q.id').whereRef('q.client_id', '=', 'c.id'))
        .as('has_quota'),
    )
    .where((eb) =>
      eb.or([
        ...(clientIds.length ? [eb('c.id', 'in', clientIds)] : []),
        ...(matricules.length ? [eb('c.matricule', 'in', matricules)] : []),
      ]),
    )
    .orderBy('a.id')
    .forUpdate('a')
    .execute();
  const accountOf = (input: ChargeContainerInput) =>
    locked.find((a) =>
      'clientId' in input ? a.client_id === input.clientId : a.matricule === input.matricule,
    );

  // One instant for the inputs without their own time, so that all of them see the same tariffs.
  const now = new Date();
  const times = inputs.map((i) => (i.at ?? now).getTime());
  const earliest = new Date(Math.min(...times));
  const latest = new Date(Math.max(...times));
  const accountIds = [...new Set(locked.map((a) => a.id))];
  const containerIds = [...new Set(inputs.map((i) => i.containerId))];
  const services = [...new Set(inputs.map((i) => i.service))];
  const tables = [...new Set([...inputs.map((i) => i.table), '*'])];
  const currencies = [...new Set(locked.map((a) => a.currency))];
  const quotaClients = locked.filter((a) => a.has_quota).map((a) => a.client_id);
  // Read after the lock, in a statement of its own: a subquery of the locking statement would read
  // the snapshot taken before the lock wait and miss the entry of the transaction we waited for.
  const state = accountIds.length
    ? await trx
        .selectNoFrom((eb) => [
          jsonArrayFrom(
            eb
              .selectFrom('xm_system.ledger_entries')
              .select(['account_id', 'balance_after'])
              .distinctOn('account_id')
              .where('account_id', 'in', accountIds)
              .orderBy('account_id')
              .orderBy('id', 'desc'),
          ).as('balances'),
          jsonArrayFrom(
            eb
              .selectFrom('xm_system.charged_rows')
              .select(['container_id', 'row_key'])
              .where('container_id', 'in', containerIds),
          ).as('earlier'),
          jsonArrayFrom(
            eb
              .selectFrom('xm_system.tariffs')
              .select([
                'service',
                'currency',
                'table_name',
                'per_row',
                'per_kilobyte',
                'free_rows',
                'period',
                'valid_from',
                'valid_until',
              ])
              .where('service', 'in', services)
              .where('currency', 'in', currencies)
              .where('table_name', 'in', tables)
              // Every line in force at some input's time; each input then picks its own below.
              .where('valid_from', '<=', latest as never)
              .where((w) => w.or([w('valid_until', 'is', null), w('valid_until', '>', earliest as never)])),
          ).as('tariffs'),
          jsonArrayFrom(
            eb
              .selectFrom('xm_system.quotas')
              .select(['client_id', 'service', 'table_name', 'period', 'max_rows'])
              .where('client_id', 'in', quotaClients.length ? quotaClients : [0])
              .where('service', 'in', services)
              .where('table_name', 'in', tables),
          ).as('quotas'),
        ])
        .executeTakeFirstOrThrow()
    : { balances: [], earlier: [], tariffs: [], quotas: [] };
  const balances = new Map<number, number>(
    state.balances.map((b) => [b.account_id, Number(b.balance_after)]),
  );
  const earlier = new Map<string, Set<number>>();
  for (const { container_id, row_key } of state.earlier) {
    const keys = earlier.get(container_id) ?? new Set<number>();
    keys.add(Number(row_key));
    earlier.set(container_id, keys);
  }
  const tariffs = state.tariffs as TariffLine[];
  const quotas = state.quotas as QuotaLine[];

  // Usage is read only when a free allowance or a quota needs it.
  const tariffFor = (currency: string, service: string, table: string, at: Date) => {
    const lines = tariffs.filter((t) => t.currency === currency && t.service === service && appliesAt(t, at));
    return lines.find((t) => t.table_name === table) ?? lines.find((t) => t.table_name === '*');
  };
  const quotasFor = (clientId: number, service: string, table: string) =>
    quotas.filter(
      (q) =>
        q.client_id === clientId && q.service === service && (q.table_name === table || q.table_name === '*'),
    );
  const counted = new Set<number>();
  let since: string | null = null;
  for (const input of inputs) {
    const account = accountOf(input);
    if (!account) continue;
    const at = input.at ?? now;
    const tariff = tariffFor(account.currency, input.service, input.table, at);
    const periods = quotasFor(account.client_id, input.service, input.table).map((q) => q.period);
    if (tariff && tariff.free_rows > 0) periods.push(tariff.period);
    if (periods.length === 0) continue;
    counted.add(account.id);
    for (const period of periods) {
      const start = periodStart(period, at);
      if (since === null || start < since) since = start;
    }
  }
  const usage: UsageLine[] =
    since !== null
      ? (
          await trx
            .selectFrom('xm_system.usage_daily')
            .select(['account_id', 'service', 'table_name', sql<string>`day::text`.as('day'), 'rows'])
            .where('account_id', 'in', [...counted])
            .where('day', '>=', since)
            .execute()
        ).map((u) => ({ ...u, rows: Number(u.rows) }))
      : [];
  const usedRows = (accountId: number, service: string, table: string, period: Period, at: Date) => {
    const start = periodStart(period, at);
    let sum = 0;
    for (const u of usage) {
      if (
        u.account_id === accountId &&
        u.service === service &&
        u.day >= start &&
        (table === '*' || u.table_name === table)
      )
        sum += u.rows;
    }
    return sum;
  };

  // Each charge in order, on the state the ones before it left.
  const results: ChargeResult[] = [];
  const entries: { index: number; values: Record<string, unknown> }[] = [];
  const pending: { index: number; account: number; fresh: number[]; bytes: number; at: Date }[] = [];
  for (const [index, input] of inputs.entries()) {
    const account = accountOf(input);
    if (!account) {
      results.push({ ok: false, reason: 'unknown-client' });
      continue;
    }
    const gate = mayUse(account.status, input.service);
    if (!gate.ok) {
      results.push({ ok: false, reason: gate.reason });
      continue;
    }
    const balanceBefore = balances.get(account.id) ?? 0;
    const wanted = [...new Set(input.rows)];
    const charged = earlier.get(input.containerId) ?? new Set<number>();
    const fresh = wanted.filter((key) => !charged.has(key));
    const already = wanted.length - fresh.length;
    if (fresh.length === 0) {
      results.push(success(0, 0, already, 0, balanceBefore, null));
      continue;
    }
    const at = input.at ?? now;
    let quotaLeft: number | null = null;
    for (const quota of quotasFor(account.client_id, input.service, input.table)) {
      const remaining = Math.max(
        0,
        quota.max_rows - usedRows(account.id, input.service, quota.table_name, quota.period, at),
      );
      quotaLeft = quotaLeft === null ? remaining : Math.min(quotaLeft, remaining);
    }
    if (quotaLeft !== null && fresh.length > quotaLeft) {
      results.push({ ok: false, reason: 'quota-exceeded' });
      continue;
    }
    const tariff = tariffFor(account.currency, input.service, input.table, at);
    const price = priceFrom(tariff, input, fresh.length, charged.size === 0, (t) =>
      usedRows(account.id, input.service, t.table_name, t.period, at),
    );
    const balance = balanceBefore - price.amount;
    if (price.amount > 0 && balance < -account.overdraft_limit) {
      results.push({
        ok: false,
        reason: 'insufficient-credit',
        required: price.amount,
        available: balanceBefore + account.overdraft_limit,
      });
      continue;
    }
    balances.set(account.id, balance);
    for (const key of fresh) charged.add(key);
    earlier.set(input.containerId, charged);
    usage.push({
      account_id: account.id,
      service: input.service,
      table_name: input.table,
      day: utcDay(at),
      rows: fresh.length,
    });
    if (price.amount > 0) {
      entries.push({
        index,
        values: {
          account_id: account.id,
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
        },
      });
    }
    pending.push({ index, account: account.id, fresh, bytes: price.bytes, at });
    results.push(success(price.amount, fresh.length, already, price.freeRows, balance, null));
  }
  if (pending.length === 0) return results;

  // The writes: the ledger entries (their ids go with the rows), then the charged rows and the usage.
  const entryIds = new Map<number, number>();
  if (entries.length > 0) {
    const ids = await trx
      .insertInto('xm_system.ledger_entries')
      .values(entries.map((e) => e.values as never))
      .returning('id')
      .execute();
    for (const [i, { index }] of entries.entries()) {
      const id = ids[i]?.id as number;
      entryIds.set(index, id);
      results[index] = { ...(results[index] as Extract<ChargeResult, { ok: true }>), entryId: id };
    }
  }
  // One line per container with its row keys, one per (account, service, table, day) of usage: both
  // as JSON parameters, so that a batch of thousands of rows is one small statement to build and send.
  const charged = pending.map((p) => {
    const input = inputs[p.index] as ChargeContainerInput;
    return {
      container_id: input.containerId,
      keys: p.fresh,
      account_id: p.account,
      service: input.service,
      table_name: input.table,
      ledger_entry_id: entryIds.get(p.index) ?? null,
    };
  });
  const daily = new Map<
    string,
    { account_id: number; service: Service; table_name: string; day: string; rows: number; bytes: number }
  >();
  for (const p of pending) {
    const input = inputs[p.index] as ChargeContainerInput;
    const day = utcDay(p.at);
    const key = `${p.account}\u0000${input.service}\u0000${input.table}\u0000${day}`;
    const line = daily.get(key) ?? {
      account_id: p.account,
      service: input.service,
      table_name: input.table,
      day,
      rows: 0,
      bytes: 0,
    };
    line.rows += p.fresh.length;
    line.bytes += p.bytes;
    daily.set(key, line);
  }
  const r = (name: keyof typeof chargedRows.columns) => sql.ref(name);
  const u = (name: keyof typeof usageDaily.columns) => sql.ref(name);
  const usageKey = sql.join([u('account_id'), u('service'), u('table_name'), u('day')]);
  try {
    await sql`with ${sql.id('charged')} as (
        insert into ${sql.table(chargedRows.qualifiedName)}
          (${sql.join([r('container_id'), r('row_key'), r('account_id'), r('service'), r('table_name'), r('ledger_entry_id')])})
        select c.container_id, k.key::bigint, c.account_id, c.service, c.table_name, c.ledger_entry_id
        from json_to_recordset(${JSON.stringify(charged)}::json)
          as c(container_id uuid, keys json, account_id integer, service text, table_name text, ledger_entry_id integer)
        cross join lateral json_array_elements_text(c.keys) as k(key)
      )
      insert into ${sql.table(usageDaily.qualifiedName)} (${usageKey}, ${u('rows')}, ${u('bytes')})
      select account_id, service, table_name, day, rows, bytes
      from json_to_recordset(${JSON.stringify([...daily.values()])}::json)
        as d(account_id integer, service text, table_name text, day date, rows bigint, bytes bigint)
      on conflict (${usageKey}) do update set
        ${u('rows')} = ${sql.table(usageDaily.qualifiedName)}.${u('rows')} + excluded.${u('rows')},
        ${u('bytes')} = ${sql.table(usageDaily.qualifiedName)}.${u('bytes')} + excluded.${u('bytes')}`.execute(
      trx,
    );
  } catch (cause) {
    // Only possible when the caller's transaction reads an older snapshot (repeatable read) than the
    // lock: the constraint refused the double charge; the whole transaction must be retried.
    if (isUniqueViolation(cause)) throw new BillingError('history-conflict', undefined, { cause });
    throw cause;
  }
  return results;
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

interface Price {
  readonly amount: number;
  readonly freeRows: number;
  readonly bytes: number;
}

function priceFrom(
  tariff: TariffLine | undefined,
  input: ChargeContainerInput,
  rows: number,
  firstDelivery: boolean,
  used: (tariff: TariffLine) => number,
): Price {
  // Bytes are billed with the container's first delivery only, never again for a re-delivery.
  const bytes = firstDelivery ? input.bytes : 0;
  if (!tariff) return { amount: 0, freeRows: 0, bytes };
  const freeRows = tariff.free_rows > 0 ? Math.min(rows, Math.max(0, tariff.free_rows - used(tariff))) : 0;
  const amount = (rows - freeRows) * tariff.per_row + Math.ceil(bytes / 1024) * tariff.per_kilobyte;
  if (!Number.isSafeInteger(amount)) {
    throw new BillingError('invalid-input', {
      en: 'the price exceeds the safe integer range',
      fr: 'le prix dépasse la plage des entiers sûrs',
    });
  }
  return { amount, freeRows, bytes };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
