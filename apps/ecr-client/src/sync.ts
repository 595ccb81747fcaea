import { SiteTransport, type SiteTransportState, type TransportError } from '@xmcomm/mqtt-transport';
import { issuedDocuments, type SiteDatabase } from '@xmcomm/schema';
import {
  createSiteSync,
  type FilterError,
  type ImportFilter,
  outboxSource,
  type ReceiveOutcome,
  type SiteSync,
} from '@xmcomm/status-sync';
import type { Kysely } from 'kysely';
import { formatActRef } from './acts.js';
import { settleChange } from './centre-password.js';
import type { BrokerSettings, CentreLink } from './link.js';
import { type ActTableName, kindOfTable } from './rules.js';

// The centre's synchronisation: status-sync's site side (outbox, receipts, imports) carried by
// mqtt-transport's site transport, plus what the centre adds: every step in each act's history and a
// report of what went and what came back.

export type SyncEvent =
  | { readonly event: 'link'; readonly state: SiteTransportState }
  | {
      readonly event: 'link-error';
      readonly code: string;
      readonly message: string;
      /** The MQTT reason code the broker gave, when it gave one (a refused login: 4, 5, 134, 135, 138). */
      readonly reasonCode?: number;
    }
  | {
      readonly event: 'sealed';
      readonly container: string;
      readonly table: string;
      readonly refs: readonly string[];
    }
  | {
      readonly event: 'sent';
      readonly container: string;
      readonly kind: string;
      readonly rows: number;
      readonly attempt: number;
    }
  | { readonly event: 'exported'; readonly container: string; readonly refs: readonly string[] }
  | {
      readonly event: 'rejected';
      readonly container: string;
      readonly ref: string;
      readonly niu: string | null;
      readonly reason: string;
      readonly detail: string | null;
    }
  | {
      /** Refused for the centre's account (credit, status, quota): the acts wait, validated, and go again by themselves. */
      readonly event: 'held';
      readonly container: string;
      readonly refs: readonly string[];
      readonly reason: string;
      readonly detail: string | null;
    }
  | {
      /** The server's answer to an import request or a control message (accepted, or refused with a reason). */
      readonly event: 'answered';
      readonly container: string;
      readonly kind: string;
      readonly accepted: boolean;
      readonly reason: string | null;
    }
  | {
      readonly event: 'imported';
      readonly table: string;
      readonly stored: number;
      readonly refused: number;
      readonly rows: readonly { readonly ref: string | null; readonly niu: string | null }[];
      readonly more: boolean;
    }
  | { readonly event: 'account' | 'profile'; readonly message: Readonly<Record<string, unknown>> }
  | {
      /** A text message from the server's operators, kept in xm_site.messages (`ecr message read <id>`). */
      readonly event: 'message';
      readonly id: number;
      readonly container: string;
      readonly text: string;
      readonly sentAt: string | null;
      /** Messages nobody at the centre has read yet, this one included. */
      readonly unread: number;
    }
  | { readonly event: 'refused-incoming'; readonly reason: string };

export interface CentreSyncOptions {
  readonly db: Kysely<SiteDatabase>;
  readonly link: CentreLink;
  /**
   * The broker that carries the outbox; absent at a centre without one (a USB stick carried by
   * `t2d export` and `t2d import`): requests are then only queued in the outbox.
   */
  readonly broker?: BrokerSettings;
  /** Who seals the acts, for their history (null: the synchronisation itself). */
  readonly user: string | null;
  /** At most this many acts per container (default 50). */
  readonly maxRows?: number;
  /** Re-send a container that got no receipt after this long, doubling up to 10 times that (default 30 s). */
  readonly resendAfterMs?: number;
  /** How often the outbox is looked at when nothing wakes the link (default 5 s). */
  readonly pollMs?: number;
  readonly onEvent: (event: SyncEvent) => void;
}

export interface CentreSync {
  readonly site: SiteSync;
  /** True when a broker carries the outbox now; false when what is queued waits for a stick or a later sync. */
  readonly carried: boolean;
  /** Connects in the background; reconnects by itself with backoff and jitter. */
  start(): void;
  /**
   * The broker's refusal of the centre's login (not authorised, bad credentials, banned), once it
   * came: retrying does not help, the national centre must act (a suspended account, a revoked
   * certificate). Undefined while none came.
   */
  refusal(): TransportError | undefined;
  /** Resolves when the broker refuses the centre's login; never otherwise. */
  whenRefused(): Promise<TransportError>;
  /** Seals every validated act into the outbox (status 3) and sends at once. Returns how many acts. */
  exportValidated(): Promise<number>;
  /** Queues a structured import request; the filter is checked against the contract first. */
  requestImport(filter: ImportFilter): Promise<{ ok: true; id: number } | { ok: false; error: FilterError }>;
  requestAccount(): Promise<number>;
  /** Queues a control message for the server (the centre's password change). */
  requestControl(message: Readonly<Record<string, unknown>>): Promise<number>;
  /** Outbox items still waiting for their receipt (all, or among `ids`). */
  unacknowledged(ids?: readonly number[]): Promise<number>;
  /** The container id and the server's answer for an outbox item once acknowledged. */
  answerOf(id: number): Promise<{ acknowledged: boolean; containerId: string; error: string | null }>;
  /**
   * Connected, nothing being taken in, and nothing came for `quietMs`: what the broker held for the
   * centre while it was away (receipts, messages) has arrived.
   */
  settled(quietMs: number): boolean;
  /** Resolves when `done()` holds (checked every 200 ms and after each event) or `timeoutMs` passed: true if it held. */
  waitUntil(done: () => Promise<boolean>, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  stop(): Promise<void>;
}

const actTables: readonly ActTableName[] = ['births', 'marriages', 'deaths'];
const isActTable = (name: string | null): name is ActTableName =>
  name !== null && (actTables as readonly string[]).includes(name);
const refOf = (table: ActTableName, numero: number) => formatActRef({ kind: kindOfTable(table), numero });

// biome-ignore lint/suspicious/noExplicitAny: act tables are chosen at run time from the contract
type Untyped = Kysely<any>;

/**
 * A refused login, as opposed to a broker out of reach: the broker answered, and said no to this
 * centre (MQTT 5 134 bad credentials, 135 not authorised, 138 banned; MQTT 3.1.1 4 and 5).
 */
export function isLoginRefusal(error: TransportError): boolean {
  return error.code === 'NOT_AUTHORIZED' || (error.code === 'CONNECT_REFUSED' && error.reasonCode === 138);
}

export function createCentreSync(options: CentreSyncOptions): CentreSync {
  const { db, link, onEvent } = options;
  const resendAfterMs = options.resendAfterMs ?? 30_000;
  const site = createSiteSync({
    db,
    codec: link.codec,
    matricule: link.matricule,
    serverMatricule: link.serverName,
    maxRows: options.maxRows ?? 50,
    retry: { initialMs: resendAfterMs, maxMs: Math.max(resendAfterMs * 10, 300_000) },
    // In the sealing transaction: a crash cannot leave a sealed act without its history line.
    onSealed: async (trx, sealed) => {
      if (!isActTable(sealed.table)) return;
      await recordEvents(
        sealed.table,
        sealed.numeros,
        'sealed',
        options.user,
        () => ({ container: sealed.containerId }),
        trx,
      );
    },
    onReceipt: async (trx, receipt) => {
      if (!isActTable(receipt.table)) return;
      const container = receipt.containerId;
      await recordEvents(receipt.table, receipt.exported, 'exported', null, () => ({ container }), trx);
      await recordEvents(
        receipt.table,
        receipt.rejected.map((r) => r.numero),
        'rejected',
        null,
        (numero) => {
          const found = receipt.rejected.find((r) => r.numero === numero);
          return { container, reason: found?.reason, detail: found?.detail ?? null };
        },
        trx,
      );
      await recordEvents(
        receipt.table,
        receipt.held.map((r) => r.numero),
        'held',
        null,
        (numero) => {
          const found = receipt.held.find((r) => r.numero === numero);
          return { container, reason: found?.reason, detail: found?.detail ?? null };
        },
        trx,
      );
      // An NIU the server already has from this centre cannot be kept: validating the act again gives it a new one.
      const duplicates = receipt.rejected.filter((r) => r.reason === 'duplicate-niu').map((r) => r.numero);
      if (duplicates.length > 0) {
        await (trx as unknown as Untyped)
          .updateTable(`xm_data.${receipt.table}`)
          .set({ niu: null })
          .where('numero', 'in', duplicates)
          .where('status', '=', 1)
          .execute();
      }
    },
  });
  const outbox = outboxSource(site);
  let changed = () => {};
  const emit = (event: SyncEvent) => {
    onEvent(event);
    changed();
  };

  const broker = options.broker;
  let refused: TransportError | undefined;
  let onRefused: (error: TransportError) => void = () => {};
  const refusedPromise = new Promise<TransportError>((resolve) => {
    onRefused = resolve;
  });
  // Without a broker nothing carries the outbox from here: `t2d export` takes it to a stick.
  const transport = broker
    ? new SiteTransport({
        url: broker.url,
        protocolVersion: broker.protocolVersion,
        ...(broker.username ? { username: broker.username } : {}),
        ...(broker.password ? { password: broker.password } : {}),
        ...(broker.ca ? { ca: broker.ca } : {}),
        server: link.serverName,
        matricule: link.matricule,
        pollIntervalMs: options.pollMs ?? 5_000,
        outbox: {
          nextBatch: outbox.nextBatch,
          markSent: async (id) => {
            await outbox.markSent(id);
            const item = await db
              .selectFrom('xm_site.outbox')
              .select(['container_id', 'kind', 'row_count', 'attempts'])
              .where('id', '=', Number(id))
              .executeTakeFirst();
            if (item)
              emit({
                event: 'sent',
                container: item.container_id,
                kind: item.kind,
                rows: item.row_count,
                attempt: item.attempts,
              });
          },
        },
        inbox: {
          store: async (_topic, payload) => {
            storing++;
            try {
              const outcome = await site.receive(payload);
              await afterReceive(outcome, payload);
            } finally {
              storing--;
              lastActivity = Date.now();
            }
          },
        },
      })
    : undefined;
  let storing = 0;
  let lastActivity = 0;
  transport?.on('state', (state) => {
    if (state === 'connected') lastActivity = Date.now();
  });
  transport?.on('state', (state) => emit({ event: 'link', state }));
  transport?.on('error', (error: TransportError) => {
    if (refused === undefined && isLoginRefusal(error)) {
      refused = error;
      onRefused(error);
    }
    emit({
      event: 'link-error',
      code: error.code,
      message: error.message,
      ...(error.reasonCode !== undefined ? { reasonCode: error.reasonCode } : {}),
    });
  });

  async function recordEvents(
    table: ActTableName,
    numeros: readonly number[],
    kind: 'sealed' | 'exported' | 'rejected' | 'held' | 'imported',
    user: string | null,
    detail: (numero: number) => unknown,
    into: Kysely<SiteDatabase> = db,
  ): Promise<void> {
    if (numeros.length === 0) return;
    await into
      .insertInto('xm_site.act_events')
      .values(
        numeros.map((numero) => ({
          table_name: table,
          act_numero: numero,
          kind,
          user_login: user,
          detail: JSON.stringify(detail(numero)),
        })),
      )
      .execute();
  }

  async function exportValidated(): Promise<number> {
    // The documents printed from acts go too: the server counts them and charges the centre's account.
    const ids = await site.exportRows([...actTables, issuedDocuments.name]);
    let count = 0;
    for (const id of ids) {
      const item = await db
        .selectFrom('xm_site.outbox')
        .select(['container_id', 'table_name'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const table = item.table_name;
      if (!isActTable(table)) continue;
      const numeros = (
        await db
          .selectFrom('xm_site.sealed_rows')
          .select('numero')
          .where('outbox_id', '=', id)
          .orderBy('numero')
          .execute()
      ).map((row) => row.numero);
      count += numeros.length;
      emit({
        event: 'sealed',
        container: item.container_id,
        table,
        refs: numeros.map((n) => refOf(table, n)),
      });
    }
    if (ids.length > 0) transport?.wake();
    return count;
  }

  // The receipt's effect on the acts and their history lines commit together (onReceipt); this
  // only tells the officer what happened.
  async function afterReceive(outcome: ReceiveOutcome, payload: Uint8Array): Promise<void> {
    if (outcome.status === 'refused') {
      emit({ event: 'refused-incoming', reason: outcome.reason });
      return;
    }
    if (outcome.status !== 'applied') return;
    const opened = link.opened.get(payload);
    if (!opened) return;
    const { body, header } = opened;
    if (body.kind === 'receipt') {
      const item = await db
        .selectFrom('xm_site.outbox')
        .select(['id', 'kind', 'table_name', 'container_id', 'last_error'])
        .where('container_id', '=', body.receipt.acknowledges)
        .executeTakeFirst();
      if (!item) return;
      const table = item.table_name;
      if (item.kind === 'rows' && isActTable(table)) {
        const sealed = (
          await db
            .selectFrom('xm_site.sealed_rows')
            .select('numero')
            .where('outbox_id', '=', item.id)
            .orderBy('numero')
            .execute()
        ).map((row) => row.numero);
        const rows = (await (db as unknown as Untyped)
          .selectFrom(`xm_data.${table}`)
          .select(['numero', 'status', 'niu'])
          .where('numero', 'in', sealed.length > 0 ? sealed : [0])
          .execute()) as { numero: number; status: number; niu: string | null }[];
        const exported = rows.filter((r) => r.status === 4).map((r) => r.numero);
        const rejections = await db
          .selectFrom('xm_site.rejections')
          .select(['numero', 'reason', 'detail'])
          .where('container_id', '=', item.container_id)
          .execute();
        if (exported.length > 0)
          emit({
            event: 'exported',
            container: item.container_id,
            refs: exported.map((n) => refOf(table, n)),
          });
        const held = rows.filter((r) => r.status === 2).map((r) => r.numero);
        if (held.length > 0) {
          const hold = await site.hold();
          emit({
            event: 'held',
            container: item.container_id,
            refs: held.map((n) => refOf(table, n)),
            reason: hold?.reason ?? 'suspended',
            detail: hold?.detail ?? null,
          });
        }
        for (const rejection of rejections) {
          emit({
            event: 'rejected',
            container: item.container_id,
            ref: refOf(table, rejection.numero),
            niu: rows.find((r) => r.numero === rejection.numero)?.niu ?? null,
            reason: rejection.reason,
            detail: rejection.detail,
          });
        }
      } else {
        const accepted = item.last_error === null;
        if (item.kind === 'control')
          await settleChange(db, item.container_id, { accepted, reason: item.last_error });
        emit({
          event: 'answered',
          container: item.container_id,
          kind: item.kind,
          accepted,
          reason: item.last_error,
        });
      }
    } else if (body.kind === 'import-response') {
      const table = header.table;
      const shown: { ref: string | null; niu: string | null }[] = [];
      const origins = new Map<string, number[]>();
      for (const row of body.rows) {
        const origin = row.origin_matricule;
        const numero = row.origin_numero;
        if (typeof origin === 'string' && typeof numero === 'number')
          origins.set(origin, [...(origins.get(origin) ?? []), numero]);
      }
      if (isActTable(table)) {
        for (const [origin, numeros] of origins) {
          const local = (await (db as unknown as Untyped)
            .selectFrom(`xm_data.${table}`)
            .select(['numero', 'niu'])
            .where('origin_matricule', '=', origin)
            .where('origin_numero', 'in', numeros)
            .orderBy('numero')
            .execute()) as { numero: number; niu: string | null }[];
          for (const row of local) shown.push({ ref: refOf(table, row.numero), niu: row.niu });
        }
      }
      emit({
        event: 'imported',
        table: table ?? '',
        stored: outcome.accepted,
        refused: outcome.rejected,
        rows: shown,
        more: body.cursor !== null,
      });
    } else if (body.kind === 'control') {
      const type = body.message.type;
      if (type === 'account' || type === 'profile') emit({ event: type, message: body.message });
      else if (type === 'message') {
        const stored = await db
          .selectFrom('xm_site.messages')
          .select(['id', 'text', 'sent_at'])
          .where('container_id', '=', header.containerId)
          .executeTakeFirst();
        if (!stored) return;
        const { n } = await db
          .selectFrom('xm_site.messages')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('read_at', 'is', null)
          .executeTakeFirstOrThrow();
        const sentAt = stored.sent_at === null ? null : new Date(stored.sent_at).toISOString();
        emit({
          event: 'message',
          id: stored.id,
          container: header.containerId,
          text: stored.text,
          sentAt,
          unread: Number(n),
        });
      }
    }
  }

  async function unacknowledged(ids?: readonly number[]): Promise<number> {
    let query = db
      .selectFrom('xm_site.outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', '!=', 'acknowledged');
    if (ids) query = query.where('id', 'in', ids.length > 0 ? ids : [0]);
    const { n } = await query.executeTakeFirstOrThrow();
    return Number(n);
  }

  async function answerOf(id: number) {
    const item = await db
      .selectFrom('xm_site.outbox')
      .select(['state', 'container_id', 'last_error'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return {
      acknowledged: item.state === 'acknowledged',
      containerId: item.container_id,
      error: item.last_error,
    };
  }

  async function waitUntil(done: () => Promise<boolean>, timeoutMs: number, signal?: AbortSignal) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await done()) return true;
      if (Date.now() >= deadline || signal?.aborted) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, Math.min(200, Math.max(0, deadline - Date.now())));
        function finish() {
          clearTimeout(timer);
          changed = () => {};
          signal?.removeEventListener('abort', finish);
          resolve();
        }
        changed = finish;
        signal?.addEventListener('abort', finish);
      });
      transport?.wake();
    }
  }

  return {
    site,
    carried: transport !== undefined,
    start: () => transport?.start(),
    refusal: () => refused,
    whenRefused: () => refusedPromise,
    exportValidated,
    requestImport: async (filter) => {
      const queued = await site.requestImport(filter);
      if (queued.ok) transport?.wake();
      return queued;
    },
    requestAccount: async () => {
      const id = await site.requestAccount('account');
      transport?.wake();
      return id;
    },
    requestControl: async (message) => {
      const id = await site.requestControl(message);
      transport?.wake();
      return id;
    },
    unacknowledged,
    answerOf,
    settled: (quietMs) =>
      transport?.state === 'connected' && storing === 0 && Date.now() - lastActivity >= quietMs,
    waitUntil,
    stop: async () => {
      // Once stopping, the link's last state changes are not news: the command's summary is the last line.
      transport?.removeAllListeners('state');
      await transport?.stop();
    },
  };
}
