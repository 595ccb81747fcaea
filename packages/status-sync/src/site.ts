import {
  type AnyTable,
  exchangedTables,
  lifecycleColumnNames,
  type SiteDatabase,
  validateRow,
} from '@xmcomm/schema';
import type { ControlledTransaction, Kysely } from 'kysely';
import type { ContainerBody, ContainerCodec, Receipt, RowResult, SyncRow } from './container.js';
import { wholeContainer } from './container.js';
import { StatusSyncError } from './errors.js';
import { checkFilter, defaultFilterLimits, type FilterError, type ImportFilter } from './filter.js';
import { isAccountRefusal, parseReason } from './reasons.js';

/** The points between the steps of an export or of applying a received container (crash tests). */
export const siteSteps = [
  'export:selected',
  'export:sealed',
  'export:outbox-written',
  'export:rows-marked',
  'export:committed',
  'receive:stored',
  'receive:applied',
  'receive:committed',
] as const;
export type SiteStep = (typeof siteSteps)[number];

export interface RetryPolicy {
  /** Wait before the first re-send of an unacknowledged item (default 30 s). */
  readonly initialMs: number;
  /** Longest wait between re-sends (default 1 hour). */
  readonly maxMs: number;
  /** Each wait is the previous one times this (default 2). */
  readonly factor: number;
  /** Random spread, 0-1, so that many sites do not re-send at the same instant (default 0.2). */
  readonly jitter: number;
}

export interface SiteSyncOptions {
  readonly db: Kysely<SiteDatabase>;
  readonly codec: ContainerCodec;
  /** This site's matricule: the sender of its containers. */
  readonly matricule: string;
  /** The server's matricule: the only sender whose containers this site accepts. */
  readonly serverMatricule: string;
  readonly tables?: readonly AnyTable[];
  /** At most this many rows per container (default 50; one for a row per SDC). */
  readonly maxRows?: number;
  /** At most this many bytes per container (default 64 KiB; small on a satellite link). */
  readonly maxBytes?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly now?: () => Date;
  readonly random?: () => number;
  readonly onStep?: (step: SiteStep) => void | Promise<void>;
  /**
   * Called inside the export transaction, after the rows are marked sealed and before the commit,
   * so that what the application records about the export (an act's history) commits with it or
   * not at all.
   */
  readonly onSealed?: (trx: Kysely<SiteDatabase>, sealed: SealedContainer) => Promise<void>;
  /** Likewise inside the transaction that applies a receipt to the rows of a container. */
  readonly onReceipt?: (trx: Kysely<SiteDatabase>, receipt: AppliedReceipt) => Promise<void>;
}

export interface AppliedReceipt {
  readonly containerId: string;
  readonly table: string;
  /** Rows now at 4. */
  readonly exported: readonly number[];
  /** Rows back at 1, with the server's reason: the row itself must be corrected. */
  readonly rejected: readonly { numero: number; reason: string; detail: string | null }[];
  /** Rows back at 2 (still validated), refused for the account's sake: they wait for `hold` to lift. */
  readonly held: readonly { numero: number; reason: string; detail: string | null }[];
}

/**
 * The server refused the site's account (credit, status, quota): rows are not exported until the
 * server says the account allows it again (an account message with status 3, pushed when the
 * operator changes the status or credits the account, or the answer to `requestAccount`).
 */
export interface AccountHold {
  readonly reason: string;
  readonly detail: string | null;
  readonly since: Date;
  /** The container whose receipt said so. */
  readonly containerId: string;
}

export interface SealedContainer {
  readonly outboxId: number;
  readonly containerId: string;
  readonly table: string;
  readonly numeros: readonly number[];
}

export interface OutboxItem {
  readonly id: number;
  readonly containerId: string;
  readonly kind: string;
  readonly tableName: string | null;
  readonly rowCount: number;
  readonly attempts: number;
  readonly payload: Uint8Array;
}

export type ReceiveOutcome =
  | {
      readonly status: 'applied';
      readonly kind: ContainerBody['kind'];
      readonly accepted: number;
      readonly rejected: number;
      /** Rows of a receipt held back, still validated, because the server refused the site's account. */
      readonly held: number;
      /** For an import response with more rows to come: the cursor to ask for the next page with. */
      readonly cursor?: string | null;
    }
  | { readonly status: 'duplicate' }
  | { readonly status: 'refused'; readonly reason: string };

export interface Rejection {
  readonly table: string;
  readonly numero: number;
  readonly reason: string;
  readonly detail: string | null;
  readonly containerId: string;
  readonly rejectedAt: Date;
}

export interface SiteSync {
  /** Seals the validated rows of the given tables (all by default) into outbox items. Returns their ids. */
  exportRows(tableNames?: readonly string[]): Promise<number[]>;
  /** Items due for sending (never sent, or unacknowledged past their retry time), oldest first. */
  nextItems(limit?: number): Promise<OutboxItem[]>;
  /** A transport handed the item over; it stays in the outbox until its receipt, and is re-sent later with backoff. */
  markSent(id: number, error?: string): Promise<void>;
  /**
   * A container from the server: receipts, import responses, account and profile, and the
   * operators' text messages (kept in `xm_site.messages`).
   */
  receive(bytes: Uint8Array): Promise<ReceiveOutcome>;
  /** Queues an import request; the filter is checked here first, and again by the server. */
  requestImport(filter: ImportFilter): Promise<{ ok: true; id: number } | { ok: false; error: FilterError }>;
  /** Queues an account or profile request. */
  requestAccount(what: 'account' | 'profile'): Promise<number>;
  /**
   * Queues a control message for the server (`{ type: 'password-change', passwordHash }`, ...). The
   * server answers with a receipt (accepted, or refused with a reason) and, for a password change, a
   * `password-change-reply` control message. Returns the outbox item's id.
   */
  requestControl(message: Readonly<Record<string, unknown>>): Promise<number>;
  /**
   * Every item still waiting for its receipt, whatever its retry time, oldest first: what a carrier
   * that takes everything at once (a USB stick) should carry. Use `nextItems` for a live link.
   */
  pendingItems(limit?: number): Promise<OutboxItem[]>;
  /** Rows the server refused and that have not been sealed again, with the server's reason. */
  rejections(table?: string): Promise<Rejection[]>;
  /** Why rows are held back from export, or null when they go. */
  hold(): Promise<AccountHold | null>;
}

type Trx = ControlledTransaction<SiteDatabase>;
// biome-ignore lint/suspicious/noExplicitAny: exchanged tables are chosen at run time from the contract
type Untyped = Kysely<any>;

const lifecycle = new Set(lifecycleColumnNames);

// The schema types defaulted timestamps as Generated<ColumnType<Date, ...>>, which Kysely does not
// unwrap; values are plain Dates at run time.
const timestampValue = (date: Date) => date as never;
const sequenceCounter = 'container-sequence';
const holdSetting = 'status-sync.hold';

export function createSiteSync(options: SiteSyncOptions): SiteSync {
  const { db, codec, matricule, serverMatricule } = options;
  const tables = options.tables ?? (exchangedTables as readonly AnyTable[]);
  const maxRows = options.maxRows ?? 50;
  const maxBytes = options.maxBytes ?? 64 * 1024;
  const retry: RetryPolicy = {
    initialMs: 30_000,
    maxMs: 3_600_000,
    factor: 2,
    jitter: 0.2,
    ...options.retry,
  };
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const step = async (name: SiteStep) => {
    await options.onStep?.(name);
  };

  function tableNamed(name: string): AnyTable {
    const table = tables.find((t) => t.name === name && t.kind === 'exchanged');
    if (!table) throw new StatusSyncError('unknown-table', name);
    return table;
  }

  async function nextSequence(trx: Trx): Promise<number> {
    const { value } = await trx
      .insertInto('xm_site.counters')
      .values({ name: sequenceCounter, value: 1 })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet((eb) => ({ value: eb(eb.ref('xm_site.counters.value'), '+', 1) })),
      )
      .returning('value')
      .executeTakeFirstOrThrow();
    return value;
  }

  /** Row as it travels: its local number and its data; status and origin stay here. */
  function travelling(row: Record<string, unknown>): SyncRow {
    const out: Record<string, unknown> = { numero: row.numero };
    for (const [field, value] of Object.entries(row)) if (!lifecycle.has(field)) out[field] = value;
    return out;
  }

  async function sealRows(table: AnyTable, rows: SyncRow[], sequence: number) {
    let count = rows.length;
    for (;;) {
      const sealed = await codec.seal({
        sender: matricule,
        recipient: serverMatricule,
        sequence,
        table: table.name,
        body: { kind: 'rows', rows: rows.slice(0, count) },
      });
      if (sealed.bytes.length <= maxBytes || count === 1) return { ...sealed, count };
      // Shrink in proportion to the overshoot; a single row larger than the limit still goes alone.
      count = Math.max(1, Math.min(count - 1, Math.floor((count * maxBytes) / sealed.bytes.length)));
    }
  }

  async function exportOne(table: AnyTable): Promise<number | null> {
    await codec.prepare?.(serverMatricule);
    const trx = await db.startTransaction().execute();
    try {
      const untyped = trx as unknown as Untyped;
      const selected = (await untyped
        .selectFrom(table.qualifiedName)
        .selectAll()
        .where('status', '=', 2)
        .where('origin_matricule', 'is', null)
        .orderBy('numero')
        .limit(maxRows)
        .forUpdate()
        .skipLocked()
        .execute()) as Record<string, unknown>[];
      if (selected.length === 0) {
        await trx.rollback().execute();
        return null;
      }
      await step('export:selected');
      const sequence = await nextSequence(trx);
      const sealed = await sealRows(table, selected.map(travelling), sequence);
      const numeros = selected.slice(0, sealed.count).map((row) => row.numero as number);
      await step('export:sealed');
      const { id } = await trx
        .insertInto('xm_site.outbox')
        .values({
          container_id: sealed.containerId,
          kind: 'rows',
          table_name: table.name,
          row_count: numeros.length,
          payload: sealed.bytes,
          next_attempt_at: timestampValue(now()),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('xm_site.sealed_rows')
        .values(numeros.map((numero) => ({ outbox_id: id, table_name: table.name, numero })))
        .execute();
      await step('export:outbox-written');
      await untyped
        .updateTable(table.qualifiedName)
        .set({ status: 3 })
        .where('numero', 'in', numeros)
        .where('status', '=', 2)
        .execute();
      await trx
        .updateTable('xm_site.rejections')
        .set({ resolved_at: now() })
        .where('table_name', '=', table.name)
        .where('numero', 'in', numeros)
        .where('resolved_at', 'is', null)
        .execute();
      await step('export:rows-marked');
      await options.onSealed?.(trx, {
        outboxId: id,
        containerId: sealed.containerId,
        table: table.name,
        numeros,
      });
      await trx.commit().execute();
      await step('export:committed');
      return id;
    } catch (error) {
      if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
      throw error;
    }
  }

  async function exportRows(tableNames?: readonly string[]): Promise<number[]> {
    const chosen = tableNames ? tableNames.map(tableNamed) : tables.filter((t) => t.kind === 'exchanged');
    // Sending while the account is refused would only bring the same refusal back, over a paid link.
    if (await hold()) return [];
    const ids: number[] = [];
    for (const table of chosen) {
      for (;;) {
        const id = await exportOne(table);
        if (id === null) break;
        ids.push(id);
      }
    }
    return ids;
  }

  async function queue(kind: 'import-request' | 'control', body: ContainerBody): Promise<number> {
    await codec.prepare?.(serverMatricule);
    const trx = await db.startTransaction().execute();
    try {
      const sequence = await nextSequence(trx);
      const sealed = await codec.seal({ sender: matricule, recipient: serverMatricule, sequence, body });
      const { id } = await trx
        .insertInto('xm_site.outbox')
        .values({
          container_id: sealed.containerId,
          kind,
          payload: sealed.bytes,
          next_attempt_at: timestampValue(now()),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.commit().execute();
      return id;
    } catch (error) {
      if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
      throw error;
    }
  }

  async function requestImport(filter: ImportFilter) {
    const checked = checkFilter(filter, tables, defaultFilterLimits);
    if (!checked.ok) return checked;
    return { ok: true as const, id: await queue('import-request', { kind: 'import-request', filter }) };
  }

  async function requestAccount(what: 'account' | 'profile') {
    return queue('control', { kind: 'control', message: { type: `${what}-request` } });
  }

  async function requestControl(message: Readonly<Record<string, unknown>>) {
    if (typeof message !== 'object' || message === null || Array.isArray(message) || !message.type)
      throw new StatusSyncError('seal-failed', 'a control message is an object with a type');
    return queue('control', { kind: 'control', message });
  }

  async function nextItems(limit = 10): Promise<OutboxItem[]> {
    return items(limit, true);
  }

  async function pendingItems(limit = 10_000): Promise<OutboxItem[]> {
    return items(limit, false);
  }

  async function items(limit: number, dueOnly: boolean): Promise<OutboxItem[]> {
    let query = db
      .selectFrom('xm_site.outbox')
      .select(['id', 'container_id', 'kind', 'table_name', 'row_count', 'attempts', 'payload'])
      .where('state', 'in', ['pending', 'sent']);
    if (dueOnly) query = query.where('next_attempt_at', '<=', timestampValue(now()));
    const items = await query.orderBy('id').limit(limit).execute();
    return items.map((item) => ({
      id: item.id,
      containerId: item.container_id,
      kind: item.kind,
      tableName: item.table_name,
      rowCount: item.row_count,
      attempts: item.attempts,
      payload: new Uint8Array(item.payload),
    }));
  }

  function backoff(attempts: number): number {
    const base = Math.min(retry.maxMs, retry.initialMs * retry.factor ** Math.max(0, attempts - 1));
    return Math.round(base * (1 + retry.jitter * (random() * 2 - 1)));
  }

  async function markSent(id: number, error?: string): Promise<void> {
    const item = await db
      .selectFrom('xm_site.outbox')
      .select(['attempts', 'state'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!item || item.state === 'acknowledged') return;
    const attempts = item.attempts + 1;
    const at = now();
    await db
      .updateTable('xm_site.outbox')
      .set({
        state: 'sent',
        attempts,
        sent_at: at,
        next_attempt_at: timestampValue(new Date(at.getTime() + backoff(attempts))),
        last_error: error ? error.slice(0, 500) : null,
      })
      .where('id', '=', id)
      .where('state', '!=', 'acknowledged')
      .execute();
  }

  async function applyReceipt(
    trx: Trx,
    receipt: Receipt,
  ): Promise<{ accepted: number; rejected: number; held: number }> {
    const item = await trx
      .selectFrom('xm_site.outbox')
      .select(['id', 'kind', 'table_name', 'state', 'container_id'])
      .where('container_id', '=', receipt.acknowledges)
      .executeTakeFirst();
    if (!item || item.state === 'acknowledged') return { accepted: 0, rejected: 0, held: 0 };
    const results = new Map<number, RowResult>(receipt.results.map((r) => [r.numero, r]));
    const whole = results.get(wholeContainer);
    let accepted = 0;
    let rejected = 0;
    let heldCount = 0;
    if (item.kind === 'rows' && item.table_name) {
      const table = tableNamed(item.table_name);
      const untyped = trx as unknown as Untyped;
      const sealed = await trx
        .selectFrom('xm_site.sealed_rows')
        .select('numero')
        .where('outbox_id', '=', item.id)
        .orderBy('numero')
        .execute();
      const toExported: number[] = [];
      const refusals: { numero: number; reason: string }[] = [];
      const heldBack: { numero: number; reason: string }[] = [];
      for (const { numero } of sealed) {
        const result: RowResult = results.get(numero) ??
          whole ?? { numero, accepted: false, reason: 'missing-from-receipt' };
        if (result.accepted) toExported.push(numero);
        else if (isAccountRefusal(parseReason(result.reason).code))
          heldBack.push({ numero, reason: result.reason });
        else refusals.push({ numero, reason: result.reason });
      }
      let exported: number[] = [];
      if (toExported.length > 0) {
        const done = await untyped
          .updateTable(table.qualifiedName)
          .set({ status: 4 })
          .where('numero', 'in', toExported)
          .where('status', '=', 3)
          .returning('numero')
          .execute();
        exported = done.map((r: { numero: number }) => r.numero);
        accepted = exported.length;
      }
      let recorded: {
        table_name: string;
        numero: number;
        container_id: string;
        reason: string;
        detail: string | null;
      }[] = [];
      if (refusals.length > 0) {
        const back = await untyped
          .updateTable(table.qualifiedName)
          .set({ status: 1 })
          .where(
            'numero',
            'in',
            refusals.map((r) => r.numero),
          )
          .where('status', '=', 3)
          .returning('numero')
          .execute();
        const moved = new Set(back.map((r: { numero: number }) => r.numero));
        recorded = refusals
          .filter((r) => moved.has(r.numero))
          .map((r) => {
            const { code, detail } = parseReason(r.reason);
            return {
              table_name: table.name,
              numero: r.numero,
              container_id: item.container_id,
              reason: code.slice(0, 64),
              detail: detail ? detail.slice(0, 500) : null,
            };
          });
        if (recorded.length > 0) await trx.insertInto('xm_site.rejections').values(recorded).execute();
        rejected = recorded.length;
      }
      let held: AppliedReceipt['held'] = [];
      if (heldBack.length > 0) {
        const back = await untyped
          .updateTable(table.qualifiedName)
          .set({ status: 2 })
          .where(
            'numero',
            'in',
            heldBack.map((r) => r.numero),
          )
          .where('status', '=', 3)
          .returning('numero')
          .execute();
        const moved = new Set(back.map((r: { numero: number }) => r.numero));
        held = heldBack
          .filter((r) => moved.has(r.numero))
          .map((r) => {
            const { code, detail } = parseReason(r.reason);
            return { numero: r.numero, reason: code, detail };
          });
        heldCount = held.length;
        const first = held[0];
        if (first) {
          await saveSetting(trx, holdSetting, {
            reason: first.reason,
            detail: first.detail,
            since: now().toISOString(),
            containerId: item.container_id,
          });
        }
      }
      await options.onReceipt?.(trx, {
        containerId: item.container_id,
        table: table.name,
        exported,
        rejected: recorded.map(({ numero, reason, detail }) => ({ numero, reason, detail })),
        held,
      });
    } else if (whole && !whole.accepted) rejected = 1;
    else accepted = 1;
    await trx
      .updateTable('xm_site.outbox')
      .set({
        state: 'acknowledged',
        acknowledged_at: now(),
        last_error: whole && !whole.accepted ? whole.reason.slice(0, 500) : null,
      })
      .where('id', '=', item.id)
      .execute();
    return { accepted, rejected, held: heldCount };
  }

  async function storeImported(trx: Trx, tableName: string | null, rows: readonly SyncRow[]) {
    const table = tableName ? tables.find((t) => t.name === tableName && t.kind === 'exchanged') : undefined;
    if (!table) return { accepted: 0, rejected: rows.length };
    const values: Record<string, unknown>[] = [];
    let rejected = 0;
    for (const row of rows) {
      const { origin_matricule, origin_numero } = row;
      const data: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(row)) if (!lifecycle.has(field)) data[field] = value;
      const checked = validateRow(table, data);
      const hasOrigin =
        typeof origin_matricule === 'string' &&
        typeof origin_numero === 'number' &&
        Number.isSafeInteger(origin_numero);
      if (!checked.ok || !hasOrigin) {
        rejected++;
        continue;
      }
      values.push({ ...checked.value, status: 2, origin_matricule, origin_numero });
    }
    if (values.length > 0) {
      // Read-only copies: a row already imported (or with a NIU already here) is left as it is.
      await (trx as unknown as Untyped)
        .insertInto(table.qualifiedName)
        .values(values)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    return { accepted: values.length, rejected };
  }

  async function saveSetting(trx: Trx, key: string, value: unknown) {
    const json = JSON.stringify(value);
    await trx
      .insertInto('xm_site.settings')
      .values({ key, value: json })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: timestampValue(now()) }))
      .execute();
  }

  /**
   * An operator's text message (`{ type: 'message', text, sentAt }`), kept in clear for the site's
   * users: the inbox holds only the encrypted container, which needs the site's key to open.
   */
  async function storeMessage(trx: Trx, containerId: string, message: Record<string, unknown>) {
    const text = typeof message.text === 'string' ? [...message.text].slice(0, 2000).join('') : '';
    if (text.trim() === '') return;
    const sentAt = typeof message.sentAt === 'string' ? new Date(message.sentAt) : null;
    await trx
      .insertInto('xm_site.messages')
      .values({
        container_id: containerId,
        text,
        sent_at: sentAt && !Number.isNaN(sentAt.getTime()) ? timestampValue(sentAt) : null,
        received_at: timestampValue(now()),
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async function receive(bytes: Uint8Array): Promise<ReceiveOutcome> {
    const opened = await codec.open(bytes);
    if (!opened.ok) return { status: 'refused', reason: opened.error.code };
    const { header, body, signer } = opened.value;
    if (signer.matricule !== serverMatricule || header.sender !== serverMatricule) {
      return { status: 'refused', reason: 'foreign' };
    }
    if (header.recipient !== null && header.recipient !== matricule)
      return { status: 'refused', reason: 'not-for-me' };
    const trx = await db.startTransaction().execute();
    try {
      const stored = await trx
        .insertInto('xm_site.inbox')
        .values({ container_id: header.containerId, kind: body.kind, payload: bytes })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!stored) {
        await trx.rollback().execute();
        return { status: 'duplicate' };
      }
      await step('receive:stored');
      let counts = { accepted: 0, rejected: 0, held: 0 };
      if (body.kind === 'receipt') counts = await applyReceipt(trx, body.receipt);
      else if (body.kind === 'import-response')
        counts = { ...(await storeImported(trx, header.table, body.rows)), held: 0 };
      else if (body.kind === 'control') {
        const { type, profile, ...rest } = body.message as Record<string, unknown>;
        if (type === 'account') {
          await saveSetting(trx, 'status-sync.account', rest);
          if (profile) await saveSetting(trx, 'status-sync.profile', profile);
          // The server allows every service again: held rows go with the next export (if the credit is
          // still short, the next receipt says so and holds them again).
          if (rest.status === 3)
            await trx.deleteFrom('xm_site.settings').where('key', '=', holdSetting).execute();
        } else if (type === 'profile') await saveSetting(trx, 'status-sync.profile', rest);
        else if (type === 'message') await storeMessage(trx, header.containerId, rest);
      }
      await step('receive:applied');
      await trx.updateTable('xm_site.inbox').set({ applied_at: now() }).where('id', '=', stored.id).execute();
      await trx.commit().execute();
      await step('receive:committed');
      return {
        status: 'applied',
        kind: body.kind,
        ...counts,
        ...(body.kind === 'import-response' ? { cursor: body.cursor } : {}),
      };
    } catch (error) {
      if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
      throw error;
    }
  }

  async function hold(): Promise<AccountHold | null> {
    const row = await db
      .selectFrom('xm_site.settings')
      .select('value')
      .where('key', '=', holdSetting)
      .executeTakeFirst();
    if (!row) return null;
    const value = (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) as {
      reason: string;
      detail: string | null;
      since: string;
      containerId: string;
    };
    return {
      reason: value.reason,
      detail: value.detail,
      since: new Date(value.since),
      containerId: value.containerId,
    };
  }

  async function rejections(table?: string): Promise<Rejection[]> {
    let query = db
      .selectFrom('xm_site.rejections')
      .select(['table_name', 'numero', 'reason', 'detail', 'container_id', 'rejected_at'])
      .where('resolved_at', 'is', null)
      .orderBy('id');
    if (table) query = query.where('table_name', '=', table);
    const rows = await query.execute();
    return rows.map((r) => ({
      table: r.table_name,
      numero: r.numero,
      reason: r.reason,
      detail: r.detail,
      containerId: r.container_id,
      rejectedAt: r.rejected_at as unknown as Date,
    }));
  }

  return {
    exportRows,
    nextItems,
    pendingItems,
    markSent,
    receive,
    requestImport,
    requestAccount,
    requestControl,
    rejections,
    hold,
  };
}
