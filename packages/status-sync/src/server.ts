import {
  type AnyTable,
  copyRows,
  copyText,
  exchangedTables,
  lifecycleColumnNames,
  type ServerDatabase,
  validateRow,
} from '@xmcomm/schema';
import { type ControlledTransaction, type Kysely, sql } from 'kysely';
import type { ChargeRequest, ChargeResult, Charging, SyncService } from './charging.js';
import type { ContainerBody, ContainerCodec, OpenedContainer, RowResult, SyncRow } from './container.js';
import { wholeContainer } from './container.js';
import { sqlStateOf } from './errors.js';
import { checkFilter, compileFilter, defaultFilterLimits, type FilterLimits } from './filter.js';
import { frameReplies, unframeReplies } from './framing.js';
import { formatReason, type RejectionReason } from './reasons.js';

/** The points between the steps of an apply, where tests inject crashes. */
export const serverSteps = ['opened', 'rows-inserted', 'charged', 'logged', 'committed'] as const;
export type ServerStep = (typeof serverSteps)[number];

export interface ServerSyncOptions {
  readonly db: Kysely<ServerDatabase>;
  readonly codec: ContainerCodec;
  /** The server's own matricule, the sender of its replies. */
  readonly serverMatricule: string;
  /** The exchanged tables this server accepts (the civil registration tables by default). */
  readonly tables?: readonly AnyTable[];
  /**
   * Status gate and charging: `syncCharging(actor)` of @xmcomm/billing on a real server. Required, so
   * that a server cannot bill nothing by forgetting it; `statusGateOnly` (the status rules, nothing
   * charged) is there for tests and demos that mean it.
   */
  readonly charging: Charging;
  /** Containers created longer ago than this are replays (default 30 days). */
  readonly maxAgeMs?: number;
  /** How far in the future a container's creation time may be (clock skew, default 5 minutes). */
  readonly maxSkewMs?: number;
  /** Rows per import-response container (default 500). */
  readonly importPageRows?: number;
  readonly filterLimits?: FilterLimits;
  readonly now?: () => Date;
  /** Called between steps; a hook that throws aborts the apply there (crash tests). */
  readonly onStep?: (step: ServerStep, containerId: string) => void | Promise<void>;
}

export type ApplyStatus = 'applied' | 'duplicate' | 'refused';

export interface ApplyOutcome {
  /** applied: new and answered; duplicate: seen before, same answer; refused: no usable container. */
  readonly status: ApplyStatus;
  readonly containerId: string | null;
  readonly sender: string | null;
  /** The containers to send back to the sender, in order (a receipt first). Empty when refused. */
  readonly replies: readonly Uint8Array[];
  readonly accepted: number;
  readonly rejected: number;
  /** Why a container was refused or rejected as a whole. */
  readonly reason: string | null;
}

export interface SequenceGap {
  readonly from: number;
  readonly to: number;
}

export interface ServerSync {
  /** Decodes, verifies, applies and answers one container, exactly once in effect. */
  applyContainer(bytes: Uint8Array): Promise<ApplyOutcome>;
  /**
   * Applies several containers: one outcome per container, in order, each the one `applyContainer`
   * would have given (same replies, duplicates, replays, refusals, charges and log), with the
   * database work of the rows containers done in a few statements and one transaction. Import
   * requests and control messages go through `applyContainer`'s path after that transaction.
   */
  applyBatch(containers: readonly Uint8Array[]): Promise<ApplyOutcome[]>;
  /** A container telling a site its account state and profile (when they change). Null if the site may not receive it. */
  pushAccount(matricule: string): Promise<Uint8Array | null>;
  /** A container giving a site its profile as the register holds it. Null if the site may not receive it. */
  pushProfile(matricule: string): Promise<Uint8Array | null>;
  /** A container carrying an operator's text message to a site. Null if the site may not receive it. */
  pushMessage(matricule: string, text: string): Promise<Uint8Array | null>;
  /** Missing sequence numbers of a sender, for the monitor. */
  sequenceGaps(matricule: string): Promise<readonly SequenceGap[]>;
}

interface Client {
  readonly id: number;
  readonly matricule: string;
  /** What its NIUs begin with (then a dash); null: none registered, no row of it is accepted. */
  readonly centre_code: string | null;
  readonly status: number;
  readonly name: string;
  readonly domain: string | null;
  readonly region: string | null;
  readonly locality: string | null;
}

interface Answer {
  readonly body: ContainerBody;
  readonly table?: string | null;
}

type Trx = ControlledTransaction<ServerDatabase>;

interface ApplyResult {
  readonly answers: Answer[];
  readonly accepted: number;
  readonly rejected: number;
  readonly reason: string | null;
}

interface ValidRow {
  readonly numero: number;
  readonly values: Record<string, unknown>;
}

type RowsPlan =
  | { readonly kind: 'whole'; readonly result: ApplyResult }
  | {
      readonly kind: 'rows';
      readonly table: AnyTable;
      readonly results: ReadonlyMap<number, RowResult>;
      readonly valid: readonly ValidRow[];
    };

/** A reply as sealed, and signed before encryption when the codec can encrypt it again later. */
interface SealedReply {
  readonly bytes: Uint8Array;
  readonly signed?: Uint8Array;
}

/** Thrown inside the apply transaction when the account cannot pay, so that it rolls back whole. */
class ChargeRefused extends Error {
  constructor(readonly result: ApplyResult) {
    super(result.reason ?? 'charge refused');
  }
}

interface StoredRows {
  readonly inserted: Set<number>;
  readonly duplicateNiu: number[];
  /** A row of this container was held back as a copy of an earlier one of the batch. */
  heldBack: boolean;
}

const dayMs = 86_400_000;
/** Attempts of a batch transaction, each after a container refused for want of credit or quota. */
const maxBatchAttempts = 4;
/** CPU time before other work may run (see shareTime). */
const timeSliceMs = 2;
/** Bound parameters per statement stay well under PostgreSQL's 65,535. */
const tuplesPerQuery = 10_000;

function sequenceKey(sender: string | null, sequence: number | string | null): string {
  return `${sender}\u0000${sequence}`;
}

function originKey(matricule: string, numero: number): string {
  return `${matricule}\u0000${numero}`;
}

// biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time from the contract
type AnyTrx = ControlledTransaction<any>;
interface Origin {
  readonly origin_matricule: string;
  readonly origin_numero: number;
}

/**
 * Inserts rows in their order and returns the origins of those stored; a row whose origin or NIU is
 * already there is skipped. Rows with the same fields go in one COPY (see copyRows in
 * @xmcomm/schema): PostgreSQL reads COPY's lines a third cheaper than arrays or a VALUES list.
 *
 * COPY is tried first, under a savepoint: conflicts only come from a re-sent row, and COPY cannot
 * skip them. When one does, the savepoint is rolled back and the rows go through a temporary table
 * into an INSERT … ON CONFLICT DO NOTHING, in the same order.
 */
async function insertRows(trx: AnyTrx, rows: RowsInsert): Promise<Origin[]> {
  const savepoint = await trx.savepoint('xm_insert_rows').execute();
  try {
    for (const run of rows.runs) await copyRows(savepoint, rows.table, run.columns, run.text);
    await savepoint.releaseSavepoint('xm_insert_rows').execute();
    return rows.values.map((row) => ({
      origin_matricule: row.origin_matricule as string,
      origin_numero: row.origin_numero as number,
    }));
  } catch (error) {
    if (sqlStateOf(error) !== '23505') throw error;
    await savepoint.rollbackToSavepoint('xm_insert_rows').execute();
  }
  const stored: Origin[] = [];
  // A temporary table of this session (pg_temp named: no table of the search path can stand in for
  // it), filled in the rows' order: a fresh heap is read back in that order (ctid).
  const staging = `pg_temp.xm_copy_${rows.table.name}`;
  for (const run of rows.runs) {
    const columns = sql.join(run.columns.map((c) => sql.ref(c)));
    await sql`create temporary table ${sql.table(staging)} on commit drop as
      select ${columns} from ${sql.table(rows.table.qualifiedName)} with no data`.execute(trx);
    await copyRows(trx, rows.table, run.columns, run.text, { into: staging });
    const { rows: inserted } =
      await sql<Origin>`insert into ${sql.table(rows.table.qualifiedName)} (${columns})
      select ${columns} from ${sql.table(staging)} order by ${sql.ref('ctid')}
      on conflict do nothing returning ${sql.ref('origin_matricule')}, ${sql.ref('origin_numero')}`.execute(
        trx,
      );
    await sql`drop table ${sql.table(staging)}`.execute(trx);
    stored.push(...inserted);
  }
  return stored;
}

/** Rows ready to insert: their COPY text is made outside the transaction, which then only sends it. */
interface RowsInsert {
  readonly table: AnyTable;
  readonly values: readonly Record<string, unknown>[];
  readonly runs: readonly { readonly columns: readonly string[]; readonly text: string }[];
}

/** Rows in the text of a COPY between pauses (see shareTime in createServerSync). */
const copyChunkRows = 256;

/**
 * One COPY per run of rows with the same fields (a field left out takes its column's default).
 * `pause` between chunks of rows lets other work run.
 */
async function rowsInsert(
  table: AnyTable,
  values: readonly Record<string, unknown>[],
  pause: () => Promise<void>,
): Promise<RowsInsert> {
  const runs: { columns: readonly string[]; text: string }[] = [];
  let start = 0;
  while (start < values.length) {
    const columns = Object.keys(values[start] as object);
    let end = start + 1;
    while (end < values.length && hasKeys(values[end] as object, columns)) end++;
    const parts: string[] = [];
    for (let at = start; at < end; at += copyChunkRows) {
      await pause();
      parts.push(copyText(table, values.slice(at, Math.min(end, at + copyChunkRows)), columns));
    }
    runs.push({ columns, text: parts.join('') });
    start = end;
  }
  return { table, values, runs };
}

/** Whether two results answer with the same receipts, row by row (then the same sealed replies do). */
function sameAnswers(a: ApplyResult, b: ApplyResult): boolean {
  if (a === b) return true;
  if (a.answers.length !== b.answers.length) return false;
  return a.answers.every((answer, i) => {
    const x = answer.body;
    const y = (b.answers[i] as Answer).body;
    if (x.kind !== 'receipt' || y.kind !== 'receipt') return false;
    if (x.receipt.acknowledges !== y.receipt.acknowledges) return false;
    const rows = x.receipt.results;
    const others = y.receipt.results;
    return (
      rows.length === others.length &&
      rows.every((row, j) => {
        const other = others[j] as RowResult;
        return (
          row.numero === other.numero &&
          row.accepted === other.accepted &&
          (row.accepted || (!other.accepted && row.reason === other.reason))
        );
      })
    );
  });
}

/** Whether the object's keys are these, in this order (without an array per row, as for thousands of rows). */
function hasKeys(row: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const key in row) if (key !== keys[i++]) return false;
  return i === keys.length;
}

/** An error the database raised (a five-character SQLSTATE), as opposed to one of ours or a crash. */
function isDatabaseError(error: unknown): boolean {
  const code = sqlStateOf(error);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code);
}
/** Whether an NIU is one of the site's: its centre code, then a dash (the code has none). */
function ownNiu(centreCode: string | null, niu: string): boolean {
  return (
    centreCode !== null &&
    niu.length > centreCode.length + 1 &&
    niu.startsWith(centreCode) &&
    niu.charCodeAt(centreCode.length) === 0x2d
  );
}

function foreignNiu(centreCode: string | null, niu: string): string {
  return formatReason(
    'foreign-niu',
    centreCode === null
      ? 'no centre code is registered for this site'
      : `${niu.slice(0, 40)} does not begin with this site's centre code ${centreCode}-`,
  );
}

/** A PHC scrypt hash as @xmcomm/pki's hashPassword writes it. */
const passwordHashPattern =
  /^\$scrypt\$ln=\d{1,2},r=\d{1,2},p=\d\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;
const lifecycle = new Set(lifecycleColumnNames);

export function createServerSync(options: ServerSyncOptions): ServerSync {
  const db = options.db;
  const codec = options.codec;
  const tables = options.tables ?? (exchangedTables as readonly AnyTable[]);
  const charging = options.charging;
  const maxAgeMs = options.maxAgeMs ?? 30 * dayMs;
  const maxSkewMs = options.maxSkewMs ?? 5 * 60_000;
  const pageRows = options.importPageRows ?? 500;
  const filterLimits = options.filterLimits ?? defaultFilterLimits;
  const now = options.now ?? (() => new Date());
  const step = async (name: ServerStep, id: string) => {
    await options.onStep?.(name, id);
  };

  const refused = (reason: string, opened?: Pick<OpenedContainer, 'header'>): ApplyOutcome => ({
    status: 'refused',
    containerId: opened?.header.containerId ?? null,
    sender: opened?.header.sender ?? null,
    replies: [],
    accepted: 0,
    rejected: 0,
    reason,
  });

  async function seal(to: string, answer: Answer): Promise<SealedReply> {
    const { bytes, signed } = await codec.seal({
      sender: options.serverMatricule,
      recipient: to,
      sequence: now().getTime(),
      table: answer.table ?? null,
      body: answer.body,
    });
    return signed ? { bytes, signed } : { bytes };
  }

  function receiptFor(containerId: string, results: readonly RowResult[]): Answer {
    return { body: { kind: 'receipt', receipt: { acknowledges: containerId, results } } };
  }

  function rejectAll(containerId: string, reason: string): Answer {
    return receiptFor(containerId, [{ numero: wholeContainer, accepted: false, reason }]);
  }

  async function findLogged(containerId: string) {
    return db
      .selectFrom('xm_system.received_containers')
      .select(['receipt', 'signed_replies', 'rows_accepted', 'rows_rejected', 'sender_matricule'])
      .where('container_id', '=', containerId)
      .executeTakeFirst();
  }

  async function findClient(matricule: string): Promise<Client | undefined> {
    return db
      .selectFrom('xm_system.clients')
      .select(['id', 'matricule', 'centre_code', 'status', 'name', 'domain', 'region', 'locality'])
      .where('matricule', '=', matricule)
      .executeTakeFirst();
  }

  interface Logged {
    readonly receipt: Uint8Array | null;
    readonly signed_replies: Uint8Array | null;
    readonly rows_accepted: number;
    readonly rows_rejected: number;
    readonly sender_matricule: string | null;
  }

  /**
   * A container seen before: the same answer, encrypted again for the sender's certificate of now
   * (the site may have been re-enrolled since, after a wrong or revoked certificate).
   */
  async function duplicateOutcome(containerId: string, logged: Logged): Promise<ApplyOutcome> {
    let replies: Uint8Array[] = [];
    if (logged.signed_replies && codec.reseal && logged.sender_matricule !== null) {
      const to = logged.sender_matricule;
      const reseal = codec.reseal.bind(codec);
      replies = await Promise.all(
        unframeReplies(new Uint8Array(logged.signed_replies)).map((signed) => reseal(to, signed)),
      );
    } else if (logged.receipt) replies = unframeReplies(new Uint8Array(logged.receipt));
    return {
      status: 'duplicate',
      containerId,
      sender: logged.sender_matricule,
      replies,
      accepted: logged.rows_accepted,
      rejected: logged.rows_rejected,
      reason: null,
    };
  }

  type Opened =
    | { readonly outcome: ApplyOutcome }
    | { readonly container: OpenedContainer; readonly bodyError: string | null; readonly size: number };

  /** Decrypts and verifies, and checks the signer is the matricule the container claims. */
  async function openOne(bytes: Uint8Array): Promise<Opened> {
    const opened = await codec.open(bytes);
    let container: OpenedContainer;
    let bodyError: string | null = null;
    if (opened.ok) container = opened.value;
    else if (opened.verified) {
      // Signed by someone we trust, but not readable against our contract: answer so the site knows.
      container = {
        header: opened.verified.header,
        signer: opened.verified.signer,
        body: { kind: 'control', message: {} },
      };
      bodyError =
        opened.error.code === 'schema-mismatch'
          ? 'schema-mismatch'
          : formatReason(
              opened.verified.kind === 'import-request' ? 'invalid-filter' : 'invalid-field',
              opened.error.message.slice(0, 200),
            );
    } else return { outcome: refused(opened.error.code) };
    // The signer's certificate must be the one registered for the matricule the container claims.
    if (container.signer.matricule !== container.header.sender)
      return { outcome: refused('foreign', container) };
    return { container, bodyError, size: bytes.length };
  }

  async function applyContainer(bytes: Uint8Array): Promise<ApplyOutcome> {
    const opened = await openOne(bytes);
    if ('outcome' in opened) return opened.outcome;
    await step('opened', opened.container.header.containerId);
    return applyOpened(opened.container, opened.bodyError, opened.size);
  }

  async function applyOpened(
    container: OpenedContainer,
    bodyError: string | null,
    size: number,
  ): Promise<ApplyOutcome> {
    const { header } = container;
    // The client, whether the container was logged before and whether its sequence number was used:
    // one round trip.
    const found = await db
      .selectFrom('xm_system.clients as c')
      .leftJoin('xm_system.received_containers as r', (join) =>
        join.on('r.container_id', '=', header.containerId),
      )
      .select([
        'c.id',
        'c.matricule',
        'c.centre_code',
        'c.status',
        'c.name',
        'c.domain',
        'c.region',
        'c.locality',
      ])
      .select([
        'r.id as logged_id',
        'r.receipt',
        'r.signed_replies',
        'r.rows_accepted',
        'r.rows_rejected',
        'r.sender_matricule as logged_sender',
      ])
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('xm_system.received_containers as s')
              .select('s.id')
              .where('s.sender_matricule', '=', header.sender)
              .where('s.sequence', '=', header.sequence),
          )
          .as('sequence_used'),
      )
      .where('c.matricule', '=', header.sender)
      .executeTakeFirst();
    if (!found) {
      // A container logged before its client was removed still gets its answer.
      const logged = await findLogged(header.containerId);
      if (logged) return duplicateOutcome(header.containerId, logged);
      return refused('unknown-client', container);
    }
    if (found.logged_id !== null) {
      return duplicateOutcome(header.containerId, {
        receipt: found.receipt,
        signed_replies: found.signed_replies,
        rows_accepted: found.rows_accepted ?? 0,
        rows_rejected: found.rows_rejected ?? 0,
        sender_matricule: found.logged_sender,
      });
    }
    const client: Client = {
      id: found.id,
      matricule: found.matricule,
      centre_code: found.centre_code,
      status: found.status,
      name: found.name,
      domain: found.domain,
      region: found.region,
      locality: found.locality,
    };
    const reused = Boolean(found.sequence_used);

    const age = now().getTime() - header.createdAt.getTime();
    if (age > maxAgeMs || age < -maxSkewMs) return replayOutcome(container, 'created-at');
    if (reused) return replayOutcome(container, `sequence ${header.sequence} already used`);

    await codec.prepare?.(header.sender);
    try {
      try {
        return await applyNew(container, client, size, bodyError);
      } catch (error) {
        // The account could not pay: the insertions were rolled back; log the refusal on its own.
        if (error instanceof ChargeRefused)
          return await applyNew(container, client, size, bodyError, error.result);
        throw error;
      }
    } catch (error) {
      // Another server process applied the same container (or took its sequence) at the same time.
      if (sqlStateOf(error) === '23505') {
        const again = await findLogged(header.containerId);
        if (again) return duplicateOutcome(header.containerId, again);
        return replayOutcome(container, `sequence ${header.sequence} already used`);
      }
      throw error;
    }
  }

  interface BatchEntry {
    readonly index: number;
    readonly container: OpenedContainer;
    readonly bodyError: string | null;
    readonly size: number;
  }

  interface Planned extends BatchEntry {
    readonly client: Client;
    readonly plan: RowsPlan;
  }

  interface SentRow {
    readonly planned: Planned;
    readonly row: ValidRow;
    readonly key: string;
  }

  interface BatchInsert {
    readonly table: AnyTable;
    readonly group: readonly Planned[];
    readonly sent: readonly SentRow[];
    readonly heldBack: readonly SentRow[];
    readonly rows: RowsInsert;
  }

  async function applyBatch(list: readonly Uint8Array[]): Promise<ApplyOutcome[]> {
    const outcomes: ApplyOutcome[] = new Array(list.length);
    // Opened together: the codec checks their signatures on the thread pool meanwhile, and each
    // check that completes is a turn of the event loop, where the database's replies get through.
    const opened = await Promise.all(list.map((bytes) => openOne(bytes)));
    const live: BatchEntry[] = [];
    for (const [index, one] of opened.entries()) {
      if ('outcome' in one) {
        outcomes[index] = one.outcome;
        continue;
      }
      await step('opened', one.container.header.containerId);
      live.push({ index, container: one.container, bodyError: one.bodyError, size: one.size });
    }
    const from = live.length > 0 ? await applyLive(live, outcomes) : null;
    if (from !== null) {
      // What is left of the batch could not be applied as one (another process applied some of it
      // meanwhile, or something only the reference path can tell): none of it was committed; one by
      // one, in order.
      for (const entry of live.slice(from)) {
        outcomes[entry.index] = await applyOpened(entry.container, entry.bodyError, entry.size);
      }
    }
    return outcomes;
  }

  /**
   * The batch transactions of this server run one after another, the next batch decrypted and
   * checked meanwhile. Two at once would mostly wait on each other's client locks (they share
   * sites), and a transaction waiting holds its other locks: with two server processes, batches
   * queued behind each other across both.
   */
  let databaseTurn: Promise<unknown> = Promise.resolve();

  /**
   * Lets the event loop run once a few milliseconds of work have gone by. Opening a batch of
   * containers, checking and sealing them is CPU work that only awaits promises already settled: without
   * a pause, the transaction of the batch before it would wait for every reply from the database until
   * the whole batch is done, and the database would sit idle meanwhile.
   */
  let sliceStart = performance.now();
  async function shareTime(): Promise<void> {
    if (performance.now() - sliceStart < timeSliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  }
  function inDatabaseTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = databaseTurn.then(work);
    databaseTurn = result.catch(() => undefined);
    return result;
  }

  /**
   * Applies the verified containers of a batch. Null when done; otherwise the position in `live`
   * from which the rest must go one by one (nothing from there on was committed).
   */
  async function applyLive(live: readonly BatchEntry[], outcomes: ApplyOutcome[]): Promise<number | null> {
    const ids = [...new Set(live.map((e) => e.container.header.containerId))];
    const senders = [...new Set(live.map((e) => e.container.header.sender))];
    const [seen, clients] = await Promise.all([
      db
        .selectFrom('xm_system.received_containers')
        .select([
          'container_id',
          'sender_matricule',
          'sequence',
          'receipt',
          'signed_replies',
          'rows_accepted',
          'rows_rejected',
        ])
        .where((eb) =>
          eb.or([
            eb('container_id', 'in', ids),
            eb(
              eb.refTuple('sender_matricule', 'sequence'),
              'in',
              live.map((e) => eb.tuple(e.container.header.sender, e.container.header.sequence)),
            ),
          ]),
        )
        .execute(),
      db
        .selectFrom('xm_system.clients')
        .select(['id', 'matricule', 'centre_code', 'status', 'name', 'domain', 'region', 'locality'])
        .where('matricule', 'in', senders)
        .execute(),
    ]);
    const loggedById = new Map(seen.map((r) => [r.container_id, r]));
    const usedSequences = new Set(seen.map((r) => sequenceKey(r.sender_matricule, r.sequence)));
    const clientsByMatricule = new Map(clients.map((c) => [c.matricule, c]));

    // Walk the batch in order, as one-by-one would see it: what an earlier container of the batch
    // logs (its id, its sequence number) counts for the later ones.
    const logging = new Map<string, Planned>();
    const claimed = new Set<string>();
    let batch: Planned[] = [];
    let duplicates: { entry: BatchEntry; of: Planned }[] = [];
    let replays: { entry: BatchEntry; detail: string }[] = [];
    let segment = 0;
    // Applies what was gathered so far; false if it must go one by one.
    const flush = async (): Promise<boolean> => {
      if (batch.length > 0) {
        const applied = await applyPlanned(batch);
        if (!applied) return false;
        for (const [planned, outcome] of applied) outcomes[planned.index] = outcome;
      }
      for (const { entry, of } of duplicates) {
        const first = outcomes[of.index] as ApplyOutcome;
        outcomes[entry.index] = { ...first, status: 'duplicate', reason: null };
      }
      await Promise.all(
        replays.map(async ({ entry, detail }) => {
          outcomes[entry.index] = await replayOutcome(entry.container, detail);
        }),
      );
      batch = [];
      duplicates = [];
      replays = [];
      return true;
    };
    // Import requests and control messages go through applyOpened, in their place: the batch so far
    // is applied first. Whatever shares an id or a sequence number with one of them goes that way too.
    const singleKeys = new Set<string>();
    for (const [position, entry] of live.entries()) {
      await shareTime();
      const { header, body } = entry.container;
      const id = header.containerId;
      const sequence = sequenceKey(header.sender, header.sequence);
      const logged = loggedById.get(id);
      if (logged && !singleKeys.has(id)) {
        outcomes[entry.index] = await duplicateOutcome(id, logged);
        continue;
      }
      const alone =
        singleKeys.has(id) ||
        singleKeys.has(sequence) ||
        (!entry.bodyError && (body.kind === 'import-request' || body.kind === 'control'));
      if (alone && !logging.has(id)) {
        if (!(await flush())) return segment;
        segment = position;
        outcomes[entry.index] = await applyOpened(entry.container, entry.bodyError, entry.size);
        segment = position + 1;
        singleKeys.add(id);
        singleKeys.add(sequence);
        continue;
      }
      const first = logging.get(id);
      if (first) {
        duplicates.push({ entry, of: first });
        continue;
      }
      const client = clientsByMatricule.get(header.sender);
      if (!client) {
        outcomes[entry.index] = refused('unknown-client', entry.container);
        continue;
      }
      const age = now().getTime() - header.createdAt.getTime();
      if (age > maxAgeMs || age < -maxSkewMs) {
        replays.push({ entry, detail: 'created-at' });
        continue;
      }
      if (usedSequences.has(sequence) || claimed.has(sequence)) {
        replays.push({ entry, detail: `sequence ${header.sequence} already used` });
        continue;
      }
      const whole = (reason: string): RowsPlan => ({
        kind: 'whole',
        result: { answers: [rejectAll(id, reason)], accepted: 0, rejected: 1, reason },
      });
      const plan = entry.bodyError
        ? whole(entry.bodyError)
        : body.kind === 'rows'
          ? planRows(entry.container, client, body.rows)
          : whole('unsupported-kind');
      const planned: Planned = { ...entry, client, plan };
      logging.set(id, planned);
      claimed.add(sequence);
      batch.push(planned);
    }
    return (await flush()) ? null : segment;
  }

  /**
   * The batch's transactions. A container whose account cannot pay is found by its charge; its
   * verdict is then final (every container before it went as one-by-one would have), and the batch is
   * applied again with that container only logged, as applyContainer logs a refused charge.
   */
  async function applyPlanned(batch: readonly Planned[]): Promise<Map<Planned, ApplyOutcome> | null> {
    await Promise.all(
      [...new Set(batch.map((p) => p.container.header.sender))].map((s) => codec.prepare?.(s)),
    );
    // Ready before the database turn, so that the database does not wait on this process meanwhile:
    // the statements, and the receipts as they will be when every row goes in and is paid for.
    const expected = await sealExpected(batch);
    let inserts = await planInserts(batch);
    const refusedCharges = new Map<Planned, ApplyResult>();
    for (let attempt = 0; attempt < maxBatchAttempts; attempt++) {
      const done = await inDatabaseTurn(() => batchTransaction(batch, inserts, expected, refusedCharges));
      if (done === null) return null;
      if (!('refused' in done)) return done.outcomes;
      for (const [planned, result] of done.refused) refusedCharges.set(planned, result);
      inserts = await planInserts(batch.filter((p) => !refusedCharges.has(p)));
    }
    return null;
  }

  interface Sealed {
    readonly result: ApplyResult;
    readonly replies: SealedReply[];
  }

  async function sealExpected(batch: readonly Planned[]): Promise<Map<Planned, Sealed>> {
    const expected = new Map<Planned, Sealed>();
    for (const planned of batch) {
      await shareTime();
      const result = resultOf(planned, new Set(), [], { ok: true });
      expected.set(planned, { result, replies: await sealAnswers(planned, result) });
    }
    return expected;
  }

  async function sealAnswers(planned: Planned, result: ApplyResult): Promise<SealedReply[]> {
    const sealed: SealedReply[] = [];
    for (const answer of result.answers) sealed.push(await seal(planned.container.header.sender, answer));
    return sealed;
  }

  async function batchTransaction(
    batch: readonly Planned[],
    inserts: readonly BatchInsert[],
    expected: ReadonlyMap<Planned, Sealed>,
    refusedCharges: ReadonlyMap<Planned, ApplyResult>,
  ): Promise<{ outcomes: Map<Planned, ApplyOutcome> } | { refused: Map<Planned, ApplyResult> } | null> {
    const trx = await db.startTransaction().execute();
    try {
      // Batches that share a sender (and so may share containers) take their turns instead of
      // deadlocking on each other's rows: the clients are locked in one order.
      const clientIds = [...new Set(batch.map((p) => p.client.id))].sort((x, y) => x - y);
      await trx
        .selectFrom('xm_system.clients')
        .select('id')
        .where('id', 'in', clientIds)
        .orderBy('id')
        .forNoKeyUpdate()
        .execute();

      const stored = await insertBatchRows(trx, inserts);
      if (!stored) {
        await trx.rollback().execute();
        return null;
      }
      for (const p of stored.keys()) await step('rows-inserted', p.container.header.containerId);

      const charges: { planned: Planned; request: ChargeRequest }[] = [];
      for (const [planned, { inserted }] of stored) {
        if (inserted.size === 0 || planned.plan.kind !== 'rows') continue;
        charges.push({
          planned,
          request: {
            clientId: planned.client.id,
            matricule: planned.client.matricule,
            service: 'sds-export',
            table: planned.plan.table.name,
            rows: [...inserted],
            bytes: planned.size,
            containerId: planned.container.header.containerId,
          },
        });
      }
      const verdicts = await chargeAll(
        trx as unknown as Kysely<ServerDatabase>,
        charges.map((c) => c.request),
      );
      // The first refusal is final. So are the later ones when the batch charge gave every verdict and
      // no row of the batch was skipped for another row of it (a refused container's rows then changed
      // nothing for the others): the batch is run again once, not once per refusal.
      const independent =
        verdicts.length === charges.length &&
        [...stored.values()].every((r) => r.duplicateNiu.length === 0 && !r.heldBack);
      const refused = new Map<Planned, ApplyResult>();
      for (const [i, { planned }] of charges.entries()) {
        const verdict = verdicts[i] as ChargeResult;
        if (verdict.ok) continue;
        const { inserted, duplicateNiu } = stored.get(planned) as StoredRows;
        refused.set(planned, resultOf(planned, inserted, duplicateNiu, verdict));
        if (!independent) break;
      }
      if (refused.size > 0) {
        await trx.rollback().execute();
        return { refused };
      }
      for (const p of stored.keys()) await step('charged', p.container.header.containerId);

      const results = batch.map((planned) => {
        const precomputed = refusedCharges.get(planned);
        if (precomputed) return precomputed;
        if (planned.plan.kind === 'whole') return planned.plan.result;
        const rows = stored.get(planned);
        return resultOf(planned, rows?.inserted ?? new Set(), rows?.duplicateNiu ?? [], { ok: true });
      });
      const replies = await Promise.all(
        batch.map((planned, i) => {
          const result = results[i] as ApplyResult;
          const ahead = expected.get(planned);
          return ahead && sameAnswers(ahead.result, result) ? ahead.replies : sealAnswers(planned, result);
        }),
      );
      await trx
        .insertInto('xm_system.received_containers')
        .values(
          batch.map((planned, i) =>
            logValues(
              planned.container,
              planned.size,
              results[i] as ApplyResult,
              replies[i] as SealedReply[],
            ),
          ),
        )
        .execute();
      for (const p of batch) await step('logged', p.container.header.containerId);
      await trx.commit().execute();
      for (const p of batch) await step('committed', p.container.header.containerId);
      const outcomes = new Map(
        batch.map((planned, i) => {
          const result = results[i] as ApplyResult;
          const outcome: ApplyOutcome = {
            status: 'applied',
            containerId: planned.container.header.containerId,
            sender: planned.container.header.sender,
            replies: (replies[i] as SealedReply[]).map((reply) => reply.bytes),
            accepted: result.accepted,
            rejected: result.rejected,
            reason: result.reason,
          };
          return [planned, outcome];
        }),
      );
      return { outcomes };
    } catch (error) {
      if (!trx.isCommitted) await trx.rollback().execute();
      // A database refusal (typically a unique violation: another process applied one of these
      // containers, or took a sequence number, meanwhile): the one-by-one path sorts it out.
      if (!trx.isCommitted && isDatabaseError(error)) return null;
      throw error;
    }
  }

  function resultOf(
    planned: Planned,
    inserted: ReadonlySet<number>,
    duplicateNiu: readonly number[],
    charged: ChargeResult,
  ): ApplyResult {
    const { plan, container } = planned;
    if (plan.kind === 'whole') return plan.result;
    const rows = container.body.kind === 'rows' ? container.body.rows : [];
    return rowsResult(container.header.containerId, rows, plan, inserted, duplicateNiu, charged);
  }

  async function chargeAll(trx: Kysely<ServerDatabase>, requests: readonly ChargeRequest[]) {
    if (requests.length === 0) return [];
    if (charging.chargeBatch) return charging.chargeBatch(trx, requests);
    const verdicts: ChargeResult[] = [];
    for (const request of requests) {
      const verdict = await charging.charge(trx, request);
      verdicts.push(verdict);
      // The batch is applied again without this one: what follows would be charged again anyway.
      if (!verdict.ok) break;
    }
    return verdicts;
  }

  /**
   * What the batch inserts, table by table: built before the transaction (the column arrays take
   * time that the database would otherwise spend waiting). A row sent twice in the batch (same
   * origin) goes in once, with its first container, as one-by-one would store it; the later copy is
   * then accepted again.
   */
  async function planInserts(batch: readonly Planned[]): Promise<BatchInsert[]> {
    const byTable = new Map<AnyTable, Planned[]>();
    for (const planned of batch) {
      if (planned.plan.kind !== 'rows' || planned.plan.valid.length === 0) continue;
      const group = byTable.get(planned.plan.table) ?? [];
      group.push(planned);
      byTable.set(planned.plan.table, group);
    }
    const inserts: BatchInsert[] = [];
    for (const [table, group] of byTable) {
      const sent: SentRow[] = [];
      const heldBack: SentRow[] = [];
      const keys = new Set<string>();
      for (const planned of group) {
        if (planned.plan.kind !== 'rows') continue;
        for (const row of planned.plan.valid) {
          const key = originKey(planned.container.header.sender, row.numero);
          if (keys.has(key)) heldBack.push({ planned, row, key });
          else {
            keys.add(key);
            sent.push({ planned, row, key });
          }
        }
      }
      const rows = await rowsInsert(
        table,
        sent.map((s) => s.row.values),
        shareTime,
      );
      inserts.push({ table, group, sent, heldBack, rows });
    }
    return inserts;
  }

  /**
   * Inserts the valid rows of the batch, one statement per table, and tells for each container
   * which rows were stored, which were there before (accepted again) and which hit another row's NIU.
   * Null when only one-by-one can tell.
   */
  async function insertBatchRows(
    trx: Trx,
    inserts: readonly BatchInsert[],
  ): Promise<Map<Planned, StoredRows> | null> {
    // biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time from the contract
    const untyped = trx as unknown as ControlledTransaction<any>;
    const stored = new Map<Planned, StoredRows>();
    for (const { table, group, sent, heldBack, rows } of inserts) {
      for (const planned of group)
        stored.set(planned, { inserted: new Set(), duplicateNiu: [], heldBack: false });
      const returned = await insertRows(untyped, rows);
      const insertedKeys = new Set(returned.map((r) => originKey(r.origin_matricule, r.origin_numero)));
      const skipped = [...sent.filter((s) => !insertedKeys.has(s.key)), ...heldBack];
      const present = new Set<string>();
      for (let start = 0; start < skipped.length; start += tuplesPerQuery) {
        const chunk = skipped.slice(start, start + tuplesPerQuery);
        const found = await untyped
          .selectFrom(table.qualifiedName)
          .select(['origin_matricule', 'origin_numero'])
          .where((eb) =>
            eb(
              eb.refTuple('origin_matricule', 'origin_numero'),
              'in',
              chunk.map((s) => eb.tuple(s.planned.container.header.sender, s.row.numero)),
            ),
          )
          .execute();
        for (const r of found as { origin_matricule: string; origin_numero: number }[])
          present.add(originKey(r.origin_matricule, r.origin_numero));
      }
      for (const s of heldBack) (stored.get(s.planned) as StoredRows).heldBack = true;
      for (const s of sent) {
        const rows = stored.get(s.planned) as StoredRows;
        if (insertedKeys.has(s.key)) rows.inserted.add(s.row.numero);
        else if (!present.has(s.key)) rows.duplicateNiu.push(s.row.numero);
      }
      // The first copy was not stored and is not there: what the later one would do is one-by-one's call.
      if (heldBack.some((s) => !present.has(s.key))) return null;
    }
    return stored;
  }

  async function replayOutcome(container: OpenedContainer, detail: string): Promise<ApplyOutcome> {
    const { header } = container;
    const reply = await seal(header.sender, rejectAll(header.containerId, formatReason('replay', detail)));
    return {
      status: 'applied',
      containerId: header.containerId,
      sender: header.sender,
      replies: [reply.bytes],
      accepted: 0,
      rejected: 1,
      reason: 'replay',
    };
  }

  async function applyNew(
    container: OpenedContainer,
    client: Client,
    size: number,
    bodyError: string | null,
    precomputed?: ApplyResult,
  ): Promise<ApplyOutcome> {
    const { header, body } = container;
    const trx = await db.startTransaction().execute();
    try {
      let result: ApplyResult;
      if (precomputed) result = precomputed;
      else if (bodyError) {
        result = {
          answers: [rejectAll(header.containerId, bodyError)],
          accepted: 0,
          rejected: 1,
          reason: bodyError,
        };
      } else if (body.kind === 'rows') result = await applyRows(trx, container, client, body.rows, size);
      else if (body.kind === 'import-request') result = await answerImport(trx, container, client, size);
      else if (body.kind === 'control') result = await answerControl(trx, container, client);
      else {
        const reason = 'unsupported-kind';
        result = { answers: [rejectAll(header.containerId, reason)], accepted: 0, rejected: 1, reason };
      }
      const replies: SealedReply[] = [];
      for (const answer of result.answers) replies.push(await seal(header.sender, answer));
      await trx
        .insertInto('xm_system.received_containers')
        .values(logValues(container, size, result, replies))
        .execute();
      await step('logged', header.containerId);
      await trx.commit().execute();
      await step('committed', header.containerId);
      return {
        status: 'applied',
        containerId: header.containerId,
        sender: header.sender,
        replies: replies.map((reply) => reply.bytes),
        accepted: result.accepted,
        rejected: result.rejected,
        reason: result.reason,
      };
    } catch (error) {
      if (!trx.isCommitted) await trx.rollback().execute();
      throw error;
    }
  }

  function logValues(container: OpenedContainer, size: number, result: ApplyResult, replies: SealedReply[]) {
    const { header, body } = container;
    return {
      container_id: header.containerId,
      sender_matricule: header.sender,
      sequence: header.sequence,
      kind: body.kind,
      table_name: header.table,
      rows_total: body.kind === 'rows' ? body.rows.length : 0,
      rows_accepted: result.accepted,
      rows_rejected: result.rejected,
      size_bytes: size,
      created_at: header.createdAt,
      // The signed replies when the codec can encrypt them again (a duplicate is then answered for the
      // site's certificate of that day), else the sealed ones.
      ...(replies.every((reply) => reply.signed)
        ? { receipt: null, signed_replies: frameReplies(replies.map((reply) => reply.signed as Uint8Array)) }
        : { receipt: frameReplies(replies.map((reply) => reply.bytes)), signed_replies: null }),
    };
  }

  function gate(client: Client, service: SyncService): RejectionReason | null {
    const verdict = charging.mayUse(client.status, service);
    return verdict.ok ? null : verdict.reason;
  }

  /** What a rows container asks for, before the database: whole-container refusals, per-row verdicts. */
  function planRows(container: OpenedContainer, client: Client, rows: readonly SyncRow[]): RowsPlan {
    const { header } = container;
    const id = header.containerId;
    const whole = (reason: string): RowsPlan => ({
      kind: 'whole',
      result: { answers: [rejectAll(id, reason)], accepted: 0, rejected: rows.length, reason },
    });
    const refusal = gate(client, 'sds-export');
    if (refusal) return whole(refusal);
    const table = tables.find((t) => t.name === header.table);
    if (!table) return whole(formatReason('unknown-table', String(header.table)));
    if (!header.fingerprint || !table.fingerprint.startsWith(header.fingerprint.toLowerCase())) {
      return whole('schema-mismatch');
    }

    const results = new Map<number, RowResult>();
    const valid: ValidRow[] = [];
    for (const row of rows) {
      const numero = row.numero;
      if (typeof numero !== 'number' || !Number.isSafeInteger(numero) || numero < 1 || results.has(numero)) {
        return whole(formatReason('schema-mismatch', 'every row needs its own local numero'));
      }
      // The row as decoded, not a copy without its lifecycle columns: a copy made key by key has too
      // many properties for V8's fast mode, and every later read of it is a dictionary lookup.
      const checked = validateRow(table, row, { ignore: lifecycle });
      if (!checked.ok) {
        const first = checked.errors[0];
        const reason = formatReason('invalid-field', first ? `${first.field} ${first.code}` : undefined);
        results.set(numero, { numero, accepted: false, reason });
        continue;
      }
      const niu = checked.value.niu;
      if (niu === null || niu === undefined) {
        results.set(numero, {
          numero,
          accepted: false,
          reason: formatReason('invalid-field', 'niu required'),
        });
        continue;
      }
      if (!ownNiu(client.centre_code, niu as string)) {
        results.set(numero, {
          numero,
          accepted: false,
          reason: foreignNiu(client.centre_code, niu as string),
        });
        continue;
      }
      results.set(numero, { numero, accepted: true });
      // The validator's output is a fresh object: completed in place rather than copied.
      const values: Record<string, unknown> = checked.value;
      values.status = 2;
      values.origin_matricule = header.sender;
      values.origin_numero = numero;
      valid.push({ numero, values });
    }
    return { kind: 'rows', table, results, valid };
  }

  /**
   * The verdict once the database has spoken: rows skipped by the insert and not stored before hit
   * another row's NIU; a refused charge rejects the rows it was for.
   */
  function rowsResult(
    id: string,
    rows: readonly SyncRow[],
    plan: Extract<RowsPlan, { kind: 'rows' }>,
    inserted: ReadonlySet<number>,
    duplicateNiu: readonly number[],
    charged: ChargeResult,
  ): ApplyResult {
    const results = new Map(plan.results);
    for (const numero of duplicateNiu)
      results.set(numero, { numero, accepted: false, reason: 'duplicate-niu' });
    if (!charged.ok) {
      for (const numero of inserted) results.set(numero, { numero, accepted: false, reason: charged.reason });
    }
    const ordered = rows.map((row) => results.get(row.numero as number) as RowResult);
    const accepted = ordered.filter((r) => r.accepted).length;
    return {
      answers: [receiptFor(id, ordered)],
      accepted,
      rejected: ordered.length - accepted,
      reason: charged.ok ? null : charged.reason,
    };
  }

  async function applyRows(
    trx: Trx,
    container: OpenedContainer,
    client: Client,
    rows: readonly SyncRow[],
    size: number,
  ) {
    const id = container.header.containerId;
    const plan = planRows(container, client, rows);
    if (plan.kind === 'whole') return plan.result;
    const { table, valid } = plan;
    // biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time from the contract
    const untyped = trx as unknown as ControlledTransaction<any>;
    let charged: ChargeResult = { ok: true };
    let insertedNumeros = new Set<number>();
    const duplicateNiu: number[] = [];
    if (valid.length > 0) {
      const inserted = await untyped
        .insertInto(table.qualifiedName)
        .values(valid.map((v) => v.values))
        .onConflict((oc) => oc.doNothing())
        .returning('origin_numero')
        .execute();
      insertedNumeros = new Set(inserted.map((r: { origin_numero: number }) => r.origin_numero));
      const skipped = valid.filter((v) => !insertedNumeros.has(v.numero)).map((v) => v.numero);
      if (skipped.length > 0) {
        // Already stored from an earlier container: accepted again. Otherwise the NIU belongs to another row.
        const present = await untyped
          .selectFrom(table.qualifiedName)
          .select('origin_numero')
          .where('origin_matricule', '=', container.header.sender)
          .where('origin_numero', 'in', skipped)
          .execute();
        const presentNumeros = new Set(present.map((r: { origin_numero: number }) => r.origin_numero));
        for (const numero of skipped) if (!presentNumeros.has(numero)) duplicateNiu.push(numero);
      }
      await step('rows-inserted', id);
      if (insertedNumeros.size > 0) {
        charged = await charging.charge(trx as unknown as Kysely<ServerDatabase>, {
          clientId: client.id,
          matricule: client.matricule,
          service: 'sds-export',
          table: table.name,
          rows: [...insertedNumeros],
          bytes: size,
          containerId: id,
        });
      }
      await step('charged', id);
    }
    const result = rowsResult(id, rows, plan, insertedNumeros, duplicateNiu, charged);
    if (!charged.ok) throw new ChargeRefused(result);
    return result;
  }

  async function answerImport(trx: Trx, container: OpenedContainer, client: Client, size: number) {
    const { header, body } = container;
    const id = header.containerId;
    const whole = (reason: string) => ({
      answers: [rejectAll(id, reason)],
      accepted: 0,
      rejected: 1,
      reason,
    });
    if (body.kind !== 'import-request') return whole('unsupported-kind');
    const refusal = gate(client, 'sds-import');
    if (refusal) return whole(refusal);
    const checked = checkFilter(body.filter, tables, filterLimits);
    if (!checked.ok) return whole(formatReason('invalid-filter', checked.error.message));
    const filter = checked.value;
    const found = (await compileFilter<ServerDatabase>(trx, filter, filter.limit + 1).execute()) as Record<
      string,
      unknown
    >[];
    const more = found.length > filter.limit;
    const rows = found.slice(0, filter.limit).map((row) => {
      const { status: _status, ...rest } = row;
      return rest;
    });
    if (rows.length > 0) {
      const charged = await charging.charge(trx as unknown as Kysely<ServerDatabase>, {
        clientId: client.id,
        matricule: client.matricule,
        service: 'sds-import',
        table: filter.table.name,
        rows: rows.map((row) => row.numero as number),
        bytes: size,
        containerId: id,
      });
      if (!charged.ok) return whole(charged.reason);
    }
    const answers: Answer[] = [receiptFor(id, [{ numero: wholeContainer, accepted: true }])];
    const pages = Math.max(1, Math.ceil(rows.length / pageRows));
    for (let page = 0; page < pages; page++) {
      const last = page === pages - 1;
      answers.push({
        table: filter.table.name,
        body: {
          kind: 'import-response',
          request: id,
          rows: rows.slice(page * pageRows, (page + 1) * pageRows),
          cursor: last && more ? String(filter.offset + filter.limit) : null,
        },
      });
    }
    return { answers, accepted: rows.length, rejected: 0, reason: null };
  }

  async function accountMessage(trx: Kysely<ServerDatabase>, client: Client) {
    const state = charging.accountState ? await charging.accountState(trx, client.id) : {};
    return { type: 'account', matricule: client.matricule, status: client.status, ...state };
  }

  function profileMessage(client: Client) {
    return {
      type: 'profile',
      matricule: client.matricule,
      centreCode: client.centre_code,
      name: client.name,
      status: client.status,
      domain: client.domain,
      region: client.region,
      locality: client.locality,
    };
  }

  async function answerControl(trx: Trx, container: OpenedContainer, client: Client) {
    const { header, body } = container;
    const id = header.containerId;
    const whole = (reason: string) => ({
      answers: [rejectAll(id, reason)],
      accepted: 0,
      rejected: 1,
      reason,
    });
    const type = body.kind === 'control' ? body.message.type : undefined;
    if (type === 'password-change' && body.kind === 'control')
      return changePassword(trx, id, client, body.message.passwordHash);
    const service: SyncService | null =
      type === 'account-request' ? 'account-query' : type === 'profile-request' ? 'profile-query' : null;
    if (!service) return whole('unsupported-kind');
    const refusal = gate(client, service);
    if (refusal) return whole(refusal);
    const message =
      service === 'account-query'
        ? await accountMessage(trx as unknown as Kysely<ServerDatabase>, client)
        : profileMessage(client);
    return {
      answers: [
        receiptFor(id, [{ numero: wholeContainer, accepted: true }]),
        { body: { kind: 'control', message } } as Answer,
      ],
      accepted: 1,
      rejected: 0,
      reason: null,
    };
  }

  /**
   * The centre's password (`zerokey` until changed). Only its hash travels, inside the signed and
   * encrypted container, so the server stores exactly what it received. Anything that is not a
   * scrypt PHC hash is refused, so a password sent in clear by a faulty client is never stored.
   */
  async function changePassword(trx: Trx, id: string, client: Client, passwordHash: unknown) {
    const reply = (accepted: boolean, reason: string | null) => ({
      answers: [
        receiptFor(id, [
          accepted
            ? { numero: wholeContainer, accepted: true as const }
            : { numero: wholeContainer, accepted: false as const, reason: reason ?? 'refused' },
        ]),
        { body: { kind: 'control', message: { type: 'password-change-reply', accepted, reason } } } as Answer,
      ],
      accepted: accepted ? 1 : 0,
      rejected: accepted ? 0 : 1,
      reason,
    });
    // A password change is part of the profile: allowed wherever a profile query is (status 1 and up).
    const refusal = gate(client, 'profile-query');
    if (refusal) return reply(false, refusal);
    if (
      typeof passwordHash !== 'string' ||
      passwordHash.length > 255 ||
      !passwordHashPattern.test(passwordHash)
    )
      return reply(false, formatReason('invalid-field', 'passwordHash scrypt-hash'));
    await trx
      .updateTable('xm_system.clients')
      .set({ password_hash: passwordHash, must_change_password: false })
      .where('id', '=', client.id)
      .execute();
    return reply(true, null);
  }

  async function pushAccount(matricule: string): Promise<Uint8Array | null> {
    const client = await findClient(matricule);
    if (!client || gate(client, 'account-query')) return null;
    const account = await accountMessage(db, client);
    const sealed = await seal(matricule, {
      body: { kind: 'control', message: { ...account, profile: profileMessage(client) } },
    });
    return sealed.bytes;
  }

  async function pushProfile(matricule: string): Promise<Uint8Array | null> {
    const client = await findClient(matricule);
    if (!client || gate(client, 'profile-query')) return null;
    return (await seal(matricule, { body: { kind: 'control', message: profileMessage(client) } })).bytes;
  }

  async function pushMessage(matricule: string, text: string): Promise<Uint8Array | null> {
    const client = await findClient(matricule);
    // Status 1 is the least that may hear from the server at all, as for account and profile.
    if (!client || gate(client, 'account-query')) return null;
    const sealed = await seal(matricule, {
      body: { kind: 'control', message: { type: 'message', text, sentAt: now().toISOString() } },
    });
    return sealed.bytes;
  }

  async function sequenceGaps(matricule: string): Promise<readonly SequenceGap[]> {
    const seen = await db
      .selectFrom('xm_system.received_containers')
      .select('sequence')
      .where('sender_matricule', '=', matricule)
      .where('sequence', 'is not', null)
      .orderBy('sequence')
      .execute();
    const gaps: SequenceGap[] = [];
    let expected = 1;
    for (const { sequence } of seen) {
      if (sequence === null) continue;
      if (sequence > expected) gaps.push({ from: expected, to: sequence - 1 });
      expected = Math.max(expected, sequence + 1);
    }
    return gaps;
  }

  return { applyContainer, applyBatch, pushAccount, pushProfile, pushMessage, sequenceGaps };
}
