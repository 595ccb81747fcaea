import {
  type AnyTable,
  exchangedTables,
  lifecycleColumnNames,
  type ServerDatabase,
  validateRow,
} from '@xmcomm/schema';
import type { ControlledTransaction, Kysely } from 'kysely';
import { type ChargeResult, type Charging, type SyncService, statusGateOnly } from './charging.js';
import type { ContainerBody, ContainerCodec, OpenedContainer, RowResult, SyncRow } from './container.js';
import { wholeContainer } from './container.js';
import { sqlStateOf } from './errors.js';
import { checkFilter, compileFilter, defaultFilterLimits, type FilterLimits, hasNul } from './filter.js';
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
  /** Status gate and charging; @xmcomm/billing provides them. Default: the status rules, nothing charged. */
  readonly charging?: Charging;
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

/** Thrown inside the apply transaction when the account cannot pay, so that it rolls back whole. */
class ChargeRefused extends Error {
  constructor(readonly result: ApplyResult) {
    super(result.reason ?? 'charge refused');
  }
}

const dayMs = 86_400_000;
/** A PHC scrypt hash as @xmcomm/pki's hashPassword writes it. */
const passwordHashPattern =
  /^\$scrypt\$ln=\d{1,2},r=\d{1,2},p=\d\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;
const lifecycle = new Set(lifecycleColumnNames);

export function createServerSync(options: ServerSyncOptions): ServerSync {
  const db = options.db;
  const codec = options.codec;
  const tables = options.tables ?? (exchangedTables as readonly AnyTable[]);
  const charging = options.charging ?? statusGateOnly;
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

  async function seal(to: string, answer: Answer): Promise<Uint8Array> {
    const { bytes } = await codec.seal({
      sender: options.serverMatricule,
      recipient: to,
      sequence: now().getTime(),
      table: answer.table ?? null,
      body: answer.body,
    });
    return bytes;
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
      .select(['receipt', 'rows_accepted', 'rows_rejected', 'sender_matricule'])
      .where('container_id', '=', containerId)
      .executeTakeFirst();
  }

  async function findClient(matricule: string): Promise<Client | undefined> {
    return db
      .selectFrom('xm_system.clients')
      .select(['id', 'matricule', 'status', 'name', 'domain', 'region', 'locality'])
      .where('matricule', '=', matricule)
      .executeTakeFirst();
  }

  function duplicateOutcome(
    containerId: string,
    logged: NonNullable<Awaited<ReturnType<typeof findLogged>>>,
  ): ApplyOutcome {
    return {
      status: 'duplicate',
      containerId,
      sender: logged.sender_matricule,
      replies: logged.receipt ? unframeReplies(new Uint8Array(logged.receipt)) : [],
      accepted: logged.rows_accepted,
      rejected: logged.rows_rejected,
      reason: null,
    };
  }

  async function applyContainer(bytes: Uint8Array): Promise<ApplyOutcome> {
    const opened = await codec.open(bytes);
    let container: OpenedContainer;
    let bodyError: string | null = null;
    if (opened.ok) container = opened.value;
    else if (opened.verified) {
      // Signed by someone we trust, but not readable against our contract: answer so the site knows.
      container = { ...opened.verified, body: { kind: 'control', message: {} } };
      bodyError = opened.error.code === 'schema-mismatch' ? 'schema-mismatch' : 'invalid-field';
    } else return refused(opened.error.code);
    const { header, signer } = container;
    // The signer's certificate must be the one registered for the matricule the container claims.
    if (signer.matricule !== header.sender) return refused('foreign', container);
    await step('opened', header.containerId);

    const logged = await findLogged(header.containerId);
    if (logged) return duplicateOutcome(header.containerId, logged);

    // The client and whether its sequence number was used before, in one round trip.
    const found = await db
      .selectFrom('xm_system.clients')
      .select(['id', 'matricule', 'status', 'name', 'domain', 'region', 'locality'])
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('xm_system.received_containers')
              .select('id')
              .where('sender_matricule', '=', header.sender)
              .where('sequence', '=', header.sequence),
          )
          .as('sequence_used'),
      )
      .where('matricule', '=', header.sender)
      .executeTakeFirst();
    if (!found) return refused('unknown-client', container);
    const { sequence_used: reused, ...client } = found;

    const age = now().getTime() - header.createdAt.getTime();
    if (age > maxAgeMs || age < -maxSkewMs) return replayOutcome(container, 'created-at');
    if (reused) return replayOutcome(container, `sequence ${header.sequence} already used`);

    await codec.prepare?.(header.sender);
    try {
      try {
        return await applyNew(container, client, bytes.length, bodyError);
      } catch (error) {
        // The account could not pay: the insertions were rolled back; log the refusal on its own.
        if (error instanceof ChargeRefused)
          return await applyNew(container, client, bytes.length, bodyError, error.result);
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

  async function replayOutcome(container: OpenedContainer, detail: string): Promise<ApplyOutcome> {
    const { header } = container;
    const reply = await seal(header.sender, rejectAll(header.containerId, formatReason('replay', detail)));
    return {
      status: 'applied',
      containerId: header.containerId,
      sender: header.sender,
      replies: [reply],
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
      const replies: Uint8Array[] = [];
      for (const answer of result.answers) replies.push(await seal(header.sender, answer));
      await trx
        .insertInto('xm_system.received_containers')
        .values({
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
          receipt: frameReplies(replies),
        })
        .execute();
      await step('logged', header.containerId);
      await trx.commit().execute();
      await step('committed', header.containerId);
      return {
        status: 'applied',
        containerId: header.containerId,
        sender: header.sender,
        replies,
        accepted: result.accepted,
        rejected: result.rejected,
        reason: result.reason,
      };
    } catch (error) {
      if (!trx.isCommitted) await trx.rollback().execute();
      throw error;
    }
  }

  function gate(client: Client, service: SyncService): RejectionReason | null {
    const verdict = charging.mayUse(client.status, service);
    return verdict.ok ? null : verdict.reason;
  }

  async function applyRows(
    trx: Trx,
    container: OpenedContainer,
    client: Client,
    rows: readonly SyncRow[],
    size: number,
  ) {
    const { header } = container;
    const id = header.containerId;
    const whole = (reason: string) => ({
      answers: [rejectAll(id, reason)],
      accepted: 0,
      rejected: rows.length,
      reason,
    });
    const refusal = gate(client, 'sds-export');
    if (refusal) return whole(refusal);
    const table = tables.find((t) => t.name === header.table);
    if (!table) return whole(formatReason('unknown-table', String(header.table)));
    if (!header.fingerprint || !table.fingerprint.startsWith(header.fingerprint.toLowerCase())) {
      return whole('schema-mismatch');
    }

    const results = new Map<number, RowResult>();
    const valid: { numero: number; values: Record<string, unknown> }[] = [];
    for (const row of rows) {
      const numero = row.numero;
      if (typeof numero !== 'number' || !Number.isSafeInteger(numero) || numero < 1 || results.has(numero)) {
        return whole(formatReason('schema-mismatch', 'every row needs its own local numero'));
      }
      const data: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(row)) if (!lifecycle.has(field)) data[field] = value;
      const nul = Object.keys(data).find((field) => hasNul(data[field]));
      if (nul) {
        results.set(numero, {
          numero,
          accepted: false,
          reason: formatReason('invalid-field', `${nul} type`),
        });
        continue;
      }
      const checked = validateRow(table, data);
      if (!checked.ok) {
        const first = checked.errors[0];
        const reason = formatReason('invalid-field', first ? `${first.field} ${first.code}` : undefined);
        results.set(numero, { numero, accepted: false, reason });
        continue;
      }
      if (checked.value.niu === null || checked.value.niu === undefined) {
        results.set(numero, {
          numero,
          accepted: false,
          reason: formatReason('invalid-field', 'niu required'),
        });
        continue;
      }
      results.set(numero, { numero, accepted: true });
      valid.push({
        numero,
        values: { ...checked.value, status: 2, origin_matricule: header.sender, origin_numero: numero },
      });
    }

    // biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time from the contract
    const untyped = trx as unknown as ControlledTransaction<any>;
    let charged: ChargeResult = { ok: true };
    if (valid.length > 0) {
      const inserted = await untyped
        .insertInto(table.qualifiedName)
        .values(valid.map((v) => v.values))
        .onConflict((oc) => oc.doNothing())
        .returning('origin_numero')
        .execute();
      const insertedNumeros = new Set(inserted.map((r: { origin_numero: number }) => r.origin_numero));
      const skipped = valid.filter((v) => !insertedNumeros.has(v.numero)).map((v) => v.numero);
      if (skipped.length > 0) {
        // Already stored from an earlier container: accepted again. Otherwise the NIU belongs to another row.
        const present = await untyped
          .selectFrom(table.qualifiedName)
          .select('origin_numero')
          .where('origin_matricule', '=', header.sender)
          .where('origin_numero', 'in', skipped)
          .execute();
        const presentNumeros = new Set(present.map((r: { origin_numero: number }) => r.origin_numero));
        for (const numero of skipped) {
          if (!presentNumeros.has(numero)) {
            results.set(numero, { numero, accepted: false, reason: 'duplicate-niu' });
          }
        }
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
      if (!charged.ok) {
        for (const numero of insertedNumeros) {
          results.set(numero, { numero, accepted: false, reason: charged.reason });
        }
      }
      await step('charged', id);
    }
    const ordered = rows.map((row) => results.get(row.numero as number) as RowResult);
    const accepted = ordered.filter((r) => r.accepted).length;
    const result = {
      answers: [receiptFor(id, ordered)],
      accepted,
      rejected: ordered.length - accepted,
      reason: charged.ok ? null : charged.reason,
    };
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
    return seal(matricule, {
      body: { kind: 'control', message: { ...account, profile: profileMessage(client) } },
    });
  }

  async function pushProfile(matricule: string): Promise<Uint8Array | null> {
    const client = await findClient(matricule);
    if (!client || gate(client, 'profile-query')) return null;
    return seal(matricule, { body: { kind: 'control', message: profileMessage(client) } });
  }

  async function pushMessage(matricule: string, text: string): Promise<Uint8Array | null> {
    const client = await findClient(matricule);
    // Status 1 is the least that may hear from the server at all, as for account and profile.
    if (!client || gate(client, 'account-query')) return null;
    return seal(matricule, {
      body: { kind: 'control', message: { type: 'message', text, sentAt: now().toISOString() } },
    });
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

  return { applyContainer, pushAccount, pushProfile, pushMessage, sequenceGaps };
}
