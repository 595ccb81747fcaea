import { SiteTransport, type TransportError } from '@xmcomm/mqtt-transport';
import type { AnyTable, SiteDatabase } from '@xmcomm/schema';
import {
  createSiteSync,
  type FilterError,
  type ImportFilter,
  outboxSource,
  type ReceiveOutcome,
  type SiteSync,
} from '@xmcomm/status-sync';
import type { Kysely } from 'kysely';
import { type BatchSettings, chooseBatch, defaultBatchSettings } from './batching.js';
import { createLinkMeter } from './link-meter.js';
import type { RecordType } from './record-type.js';
import { recordEvents } from './records.js';
import { type BrokerSettings, isLoginRefusal, type SiteLink } from './site-link.js';
import type { SyncAnswer, SyncEvent } from './sync-events.js';
import type { RecordsDb } from './tables.js';

// A site's synchronisation for the record types it declares: status-sync's site side (outbox,
// receipts, imports) carried by mqtt-transport's site transport, plus what every site adds: each
// step in each record's history, in the transaction of the step, and a report of what went and
// what came back.

export interface RecordSyncOptions {
  readonly db: Kysely<SiteDatabase>;
  /** The site's record types: their tables are exported and imported, their refs (`J12`) reported. */
  readonly recordTypes: readonly RecordType[];
  /** Other exchanged tables the site exports, with no history (ECR: the documents it printed). */
  readonly alsoExport?: readonly AnyTable[];
  readonly link: SiteLink;
  /**
   * The broker that carries the outbox; absent at a site without one (a USB stick): requests are
   * then only queued in the outbox, and what comes back is handed to `receive`.
   */
  readonly broker?: BrokerSettings;
  /** Who seals the records, for their history (null: the synchronisation itself). */
  readonly user: string | null;
  /**
   * At most this many records per container: a ceiling (default: what the server accepts, 10,000).
   * Below it the site sizes its containers for its link (`chooseBatch`).
   */
  readonly maxRows?: number;
  /** Seconds of the link one container may take, at the rate the link drained the last ones (default 15). */
  readonly containerSeconds?: number;
  /**
   * Re-send a container that got no receipt after this long at least (default 30 s), longer for a
   * container the link needs more time to carry (`resendDelayMs`); doubling up to 10 times that.
   */
  readonly resendAfterMs?: number;
  /** How often the outbox is looked at when nothing wakes the link (default 5 s). */
  readonly pollMs?: number;
  /**
   * The server answered an item that carried none of the site's records (a control message, an
   * import request, rows of `alsoExport`), before the `answered` event (ECR settles its centre
   * password change here).
   */
  readonly onAnswered?: (db: Kysely<SiteDatabase>, answer: SyncAnswer) => Promise<void>;
  /**
   * Each import-response page as the server sent it, once stored: its rows are the server's own
   * values, even for a record the site already holds (which the import leaves as it is), so a site
   * that compares with the centre reads them here.
   */
  readonly onImportResponse?: (page: ImportResponsePage) => void;
  readonly onEvent: (event: SyncEvent) => void;
}

/** One page of the server's answer to an import request. */
export interface ImportResponsePage {
  /** The import request's container id, when the codec carries it (sdc-codec v1 does not: null). */
  readonly request: string | null;
  readonly table: string | null;
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  /** More rows match than the request's limit. */
  readonly more: boolean;
}

export interface RecordSync {
  readonly site: SiteSync;
  /** True when a broker carries the outbox now; false when what is queued waits for a stick or a later sync. */
  readonly carried: boolean;
  /** Connects in the background; reconnects by itself with backoff and jitter. */
  start(): void;
  /**
   * The broker's refusal of the site's login (not authorised, bad credentials, banned), once it
   * came: retrying does not help, the national centre must act. Undefined while none came.
   */
  refusal(): TransportError | undefined;
  /** Resolves when the broker refuses the site's login; never otherwise. */
  whenRefused(): Promise<TransportError>;
  /** Seals every validated record into the outbox (status 3) and sends at once. Returns how many records. */
  exportValidated(): Promise<number>;
  /** Queues a structured import request; the filter is checked against the contract first. */
  requestImport(filter: ImportFilter): Promise<{ ok: true; id: number } | { ok: false; error: FilterError }>;
  requestAccount(): Promise<number>;
  /** Queues a control message for the server (a site password change). */
  requestControl(message: Readonly<Record<string, unknown>>): Promise<number>;
  /**
   * A container from the server, however it came (the broker hands its own here): applied, then
   * reported. For a carrier without a broker.
   */
  receive(bytes: Uint8Array): Promise<ReceiveOutcome>;
  /** Outbox items still waiting for their receipt (all, or among `ids`). */
  unacknowledged(ids?: readonly number[]): Promise<number>;
  /** The container id and the server's answer for an outbox item once acknowledged. */
  answerOf(id: number): Promise<{ acknowledged: boolean; containerId: string; error: string | null }>;
  /**
   * Connected, nothing being taken in, and nothing came for `quietMs`: what the broker held for the
   * site while it was away (receipts, messages) has arrived.
   */
  settled(quietMs: number): boolean;
  /** Resolves when `done()` holds (checked every 200 ms and after each event) or `timeoutMs` passed: true if it held. */
  waitUntil(done: () => Promise<boolean>, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  stop(): Promise<void>;
}

type Numbered = { numero: number; reason: string; detail: string | null };

export function createRecordSync(options: RecordSyncOptions): RecordSync {
  const { db, link, onEvent, recordTypes } = options;
  const records = db as unknown as RecordsDb;
  const alsoExport = options.alsoExport ?? [];
  const typeOf = (table: string | null) =>
    table === null ? undefined : recordTypes.find((type) => type.table.name === table);
  const batchSettings: BatchSettings = {
    maxRows: options.maxRows ?? defaultBatchSettings.maxRows,
    containerSeconds: options.containerSeconds ?? defaultBatchSettings.containerSeconds,
    resendAfterMs: options.resendAfterMs ?? defaultBatchSettings.resendAfterMs,
  };
  const resendAfterMs = batchSettings.resendAfterMs;
  const site = createSiteSync({
    db,
    codec: link.codec,
    matricule: link.matricule,
    serverMatricule: link.serverName,
    tables: [...recordTypes.map((type) => type.table), ...alsoExport],
    maxRows: batchSettings.maxRows,
    retry: { initialMs: resendAfterMs, maxMs: Math.max(resendAfterMs * 10, 300_000) },
    // In the sealing transaction: a crash cannot leave a sealed record without its history line.
    onSealed: async (trx, sealed) => {
      const type = typeOf(sealed.table);
      if (!type) return;
      const container = sealed.containerId;
      await recordEvents(trx as unknown as RecordsDb, type, sealed.numeros, 'sealed', options.user, () => ({
        container,
      }));
    },
    onReceipt: async (trx, receipt) => {
      const type = typeOf(receipt.table);
      if (!type) return;
      const into = trx as unknown as RecordsDb;
      const container = receipt.containerId;
      const withReason = (list: readonly Numbered[]) => (numero: number) => {
        const found = list.find((r) => r.numero === numero);
        return { container, reason: found?.reason, detail: found?.detail ?? null };
      };
      const numerosOf = (list: readonly Numbered[]) => list.map((r) => r.numero);
      await recordEvents(into, type, receipt.exported, 'exported', null, () => ({ container }));
      await recordEvents(
        into,
        type,
        numerosOf(receipt.rejected),
        'rejected',
        null,
        withReason(receipt.rejected),
      );
      await recordEvents(into, type, numerosOf(receipt.held), 'held', null, withReason(receipt.held));
      // An NIU the server already has from this site cannot be kept: validating the record again gives it a new one.
      const duplicates = numerosOf(receipt.rejected.filter((r) => r.reason === 'duplicate-niu'));
      if (duplicates.length > 0) {
        await into
          .updateTable(type.table.qualifiedName)
          .set({ niu: null })
          .where('numero', 'in', duplicates)
          .where('status', '=', 1)
          .execute();
      }
    },
  });
  const outbox = outboxSource(site);
  const meter = createLinkMeter(db, batchSettings);
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
  let storing = 0;
  let lastActivity = 0;

  async function receive(payload: Uint8Array): Promise<ReceiveOutcome> {
    storing++;
    try {
      const outcome = await site.receive(payload);
      await afterReceive(outcome, payload);
      return outcome;
    } finally {
      storing--;
      lastActivity = Date.now();
    }
  }

  // Without a broker nothing carries the outbox from here: a stick takes it.
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
        // The broker's SUBACK for the site's down topic, remembered across processes: a resumed
        // session then needs no SUBSCRIBE (`ecr sync --once` is a new process each time).
        sessionSubscribed: () => meter.subscribed(),
        outbox: {
          nextBatch: async (limit, exclude) => {
            const batch = await outbox.nextBatch(limit, exclude);
            for (const item of batch) meter.publishing(item.id, item.payload.length);
            return batch;
          },
          markSent: async (id) => {
            await site.markSent(Number(id), undefined, await meter.acknowledged(id));
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
            await receive(payload);
          },
        },
      })
    : undefined;
  transport?.on('state', (state) => {
    if (state === 'connected') lastActivity = Date.now();
  });
  transport?.on('state', (state) => emit({ event: 'link', state }));
  // Kept in order: a session lost then subscribed again must end remembered as subscribed.
  let remembering = Promise.resolve();
  const rememberSubscribed = (granted: boolean) => {
    remembering = remembering.then(() => meter.setSubscribed(granted)).catch(() => {});
  };
  transport?.on('subscribed', () => rememberSubscribed(true));
  transport?.on('unsubscribed', () => rememberSubscribed(false));
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

  const sealedNumeros = async (outboxId: number) =>
    (
      await db
        .selectFrom('xm_site.sealed_rows')
        .select('numero')
        .where('outbox_id', '=', outboxId)
        .orderBy('numero')
        .execute()
    ).map((row) => row.numero);

  /** Records waiting to be sealed in `table`. */
  const validatedIn = async (table: AnyTable) => {
    const { n } = await (
      records as unknown as Kysely<Record<string, { status: number; origin_matricule: string | null }>>
    )
      .selectFrom(table.qualifiedName)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '=', 2)
      .where('origin_matricule', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(n);
  };

  /** Seals a table's validated records one container at a time, each handed to the link at once. */
  async function exportTable(table: AnyTable): Promise<number[]> {
    const ids: number[] = [];
    const pending = await validatedIn(table);
    if (pending === 0) return ids;
    const batch = chooseBatch(pending, await meter.estimate(), batchSettings);
    for (;;) {
      const sealed = await site.exportRows([table.name], { ...batch, maxContainers: 1 });
      if (sealed.length === 0) return ids;
      ids.push(...sealed);
      transport?.wake();
      // The first container is ready for the link: sealing the next ones (CPU, and the database in
      // this thread when it is PGlite) would only slow the handshake down, and the link cannot take
      // them before it is up. A connection attempt ends in seconds either way; 5 at most here.
      if (ids.length === 1) await connectionAttempt(5_000);
      // Sealing is CPU in this thread, and PGlite's queries answer without giving the event loop a
      // turn: without this the socket's writes and the PUBACKs waited for the whole backlog to be
      // sealed (30 single acts: 2.4 s of link lost before the first PUBLISH left).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Resolves when the transport is no longer in the middle of connecting, or after `capMs`. */
  async function connectionAttempt(capMs: number): Promise<void> {
    const link = transport;
    if (link?.state !== 'connecting') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        link.off('state', onState);
        resolve();
      };
      const onState = (state: string) => {
        if (state !== 'connecting') done();
      };
      const timer = setTimeout(done, capMs);
      link.on('state', onState);
    });
  }

  async function exportValidated(): Promise<number> {
    const ids: number[] = [];
    for (const table of [...recordTypes.map((type) => type.table), ...alsoExport])
      ids.push(...(await exportTable(table)));
    await meter.sealed(ids);
    let count = 0;
    for (const id of ids) {
      const item = await db
        .selectFrom('xm_site.outbox')
        .select(['container_id', 'table_name'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const type = typeOf(item.table_name);
      if (!type) continue;
      const numeros = await sealedNumeros(id);
      count += numeros.length;
      emit({
        event: 'sealed',
        container: item.container_id,
        table: type.table.name,
        refs: numeros.map((n) => `${type.refLetter}${n}`),
      });
    }
    if (ids.length > 0) transport?.wake();
    return count;
  }

  // The receipt's effect on the records and their history lines commit together (onReceipt); this
  // only tells the site what happened.
  async function afterReceive(outcome: ReceiveOutcome, payload: Uint8Array): Promise<void> {
    if (outcome.status === 'refused') {
      emit({ event: 'refused-incoming', reason: outcome.reason });
      return;
    }
    if (outcome.status !== 'applied') return;
    const opened = link.opened.get(payload);
    if (!opened) return;
    const { body, header } = opened;
    if (body.kind === 'receipt') await afterReceipt(body.receipt.acknowledges);
    else if (body.kind === 'import-response') {
      const type = typeOf(header.table);
      const shown: { ref: string | null; niu: string | null }[] = [];
      const origins = new Map<string, number[]>();
      for (const row of body.rows) {
        const origin = row.origin_matricule;
        const numero = row.origin_numero;
        if (typeof origin === 'string' && typeof numero === 'number')
          origins.set(origin, [...(origins.get(origin) ?? []), numero]);
      }
      if (type) {
        for (const [origin, numeros] of origins) {
          const local = (await records
            .selectFrom(type.table.qualifiedName)
            .select(['numero', 'niu'])
            .where('origin_matricule', '=', origin)
            .where('origin_numero', 'in', numeros)
            .orderBy('numero')
            .execute()) as { numero: number; niu: string | null }[];
          await recordEvents(
            records,
            type,
            local.map((row) => row.numero),
            'imported',
            null,
            () => ({ container: header.containerId, origin }),
          );
          for (const row of local) shown.push({ ref: `${type.refLetter}${row.numero}`, niu: row.niu });
        }
      }
      options.onImportResponse?.({
        request: body.request,
        table: header.table,
        rows: body.rows,
        more: body.cursor !== null,
      });
      emit({
        event: 'imported',
        table: header.table ?? '',
        stored: outcome.accepted,
        refused: outcome.rejected,
        rows: shown,
        more: body.cursor !== null,
      });
    } else if (body.kind === 'control') {
      const type = body.message.type;
      if (type === 'account' || type === 'profile') emit({ event: type, message: body.message });
      else if (type === 'message') await afterMessage(header.containerId);
    }
  }

  async function afterReceipt(acknowledges: string): Promise<void> {
    const item = await db
      .selectFrom('xm_site.outbox')
      .select(['id', 'kind', 'table_name', 'container_id', 'last_error'])
      .where('container_id', '=', acknowledges)
      .executeTakeFirst();
    if (!item) return;
    const type = typeOf(item.table_name);
    const container = item.container_id;
    if (item.kind !== 'rows' || !type) {
      const answer = { containerId: container, kind: item.kind, accepted: item.last_error === null };
      await options.onAnswered?.(db, { ...answer, reason: item.last_error });
      emit({
        event: 'answered',
        container,
        kind: item.kind,
        accepted: answer.accepted,
        reason: item.last_error,
      });
      return;
    }
    const sealed = await sealedNumeros(item.id);
    const rows = (await records
      .selectFrom(type.table.qualifiedName)
      .select(['numero', 'status', 'niu'])
      .where('numero', 'in', sealed.length > 0 ? sealed : [0])
      .execute()) as { numero: number; status: number; niu: string | null }[];
    const refOf = (numero: number) => `${type.refLetter}${numero}`;
    const exported = rows.filter((r) => r.status === 4).map((r) => r.numero);
    if (exported.length > 0) emit({ event: 'exported', container, refs: exported.map(refOf) });
    const held = rows.filter((r) => r.status === 2).map((r) => r.numero);
    if (held.length > 0) {
      const hold = await site.hold();
      emit({
        event: 'held',
        container,
        refs: held.map(refOf),
        reason: hold?.reason ?? 'suspended',
        detail: hold?.detail ?? null,
      });
    }
    const rejections = await db
      .selectFrom('xm_site.rejections')
      .select(['numero', 'reason', 'detail'])
      .where('container_id', '=', container)
      .execute();
    for (const rejection of rejections) {
      emit({
        event: 'rejected',
        container,
        ref: refOf(rejection.numero),
        niu: rows.find((r) => r.numero === rejection.numero)?.niu ?? null,
        reason: rejection.reason,
        detail: rejection.detail,
      });
    }
  }

  async function afterMessage(containerId: string): Promise<void> {
    const stored = await db
      .selectFrom('xm_site.messages')
      .select(['id', 'text', 'sent_at'])
      .where('container_id', '=', containerId)
      .executeTakeFirst();
    if (!stored) return;
    const { n } = await db
      .selectFrom('xm_site.messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow();
    emit({
      event: 'message',
      id: stored.id,
      container: containerId,
      text: stored.text,
      sentAt: stored.sent_at === null ? null : new Date(stored.sent_at).toISOString(),
      unread: Number(n),
    });
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
    receive,
    unacknowledged,
    answerOf,
    settled: (quietMs) =>
      transport?.state === 'connected' && storing === 0 && Date.now() - lastActivity >= quietMs,
    waitUntil,
    stop: async () => {
      // Once stopping, the link's last state changes are not news: the summary is the last line.
      transport?.removeAllListeners('state');
      await transport?.stop();
    },
  };
}
