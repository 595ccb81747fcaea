import type { ServerDatabase } from '@xmcomm/schema';
import type { ControlledTransaction, Kysely } from 'kysely';
import type { ChargeResult } from '../charging.js';
import type { OpenedContainer, SyncRow } from '../container.js';
import { sqlStateOf } from '../errors.js';
import { type ApplyResult, sealAnswers, wholeRefusal } from './answers.js';
import type { Client } from './clients.js';
import type { ServerContext, Trx } from './context.js';
import { answerControl } from './control-messages.js';
import { answerImport } from './import-answer.js';
import { openContainer } from './open-container.js';
import { appliedOutcome, refused, replayOutcome } from './outcomes.js';
import { duplicateOutcome, findLogged, logValues } from './received-log.js';
import { planRows, rowsResult } from './rows-plan.js';
import type { ApplyOutcome } from './types.js';

// One container at a time, in its own transaction: the reference path, which applyBatch must match
// and falls back to.

/** Thrown inside the apply transaction when the account cannot pay, so that it rolls back whole. */
class ChargeRefused extends Error {
  constructor(readonly result: ApplyResult) {
    super(result.reason ?? 'charge refused');
  }
}

export async function applyContainer(ctx: ServerContext, bytes: Uint8Array): Promise<ApplyOutcome> {
  const opened = await openContainer(ctx, bytes);
  if ('outcome' in opened) return opened.outcome;
  await ctx.step('opened', opened.container.header.containerId);
  return applyOpened(ctx, opened.container, opened.bodyError, opened.size);
}

/** A verified container: answered from the log if seen before, refused as a replay, or applied. */
export async function applyOpened(
  ctx: ServerContext,
  container: OpenedContainer,
  bodyError: string | null,
  size: number,
): Promise<ApplyOutcome> {
  const { header } = container;
  // The client, whether the container was logged before and whether its sequence number was used:
  // one round trip.
  const found = await ctx.db
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
      'c.services',
    ])
    .select([
      'r.id as logged_id',
      'r.receipt',
      'r.signed_replies',
      'r.rows_accepted',
      'r.rows_rejected',
      'r.sender_matricule as logged_sender',
      'r.kind as logged_kind',
      'r.table_name as logged_table',
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
    const logged = await findLogged(ctx, header.containerId);
    if (logged) return duplicateOutcome(ctx, header.containerId, logged);
    return refused('unknown-client', container);
  }
  if (found.logged_id !== null) {
    return duplicateOutcome(ctx, header.containerId, {
      receipt: found.receipt,
      signed_replies: found.signed_replies,
      rows_accepted: found.rows_accepted ?? 0,
      rows_rejected: found.rows_rejected ?? 0,
      sender_matricule: found.logged_sender,
      kind: found.logged_kind ?? '',
      table_name: found.logged_table,
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
    services: found.services,
  };
  const reused = Boolean(found.sequence_used);

  const age = ctx.now().getTime() - header.createdAt.getTime();
  if (age > ctx.maxAgeMs || age < -ctx.maxSkewMs) return replayOutcome(ctx, container, 'created-at');
  if (reused) return replayOutcome(ctx, container, `sequence ${header.sequence} already used`);

  await ctx.codec.prepare?.(header.sender);
  try {
    try {
      return await applyNew(ctx, container, client, size, bodyError);
    } catch (error) {
      // The account could not pay: the insertions were rolled back; log the refusal on its own.
      if (error instanceof ChargeRefused)
        return await applyNew(ctx, container, client, size, bodyError, error.result);
      throw error;
    }
  } catch (error) {
    // Another server process applied the same container (or took its sequence) at the same time.
    if (sqlStateOf(error) === '23505') {
      const again = await findLogged(ctx, header.containerId);
      if (again) return duplicateOutcome(ctx, header.containerId, again);
      return replayOutcome(ctx, container, `sequence ${header.sequence} already used`);
    }
    throw error;
  }
}

/** Applies a new container in one transaction, with its log line; `precomputed`: only log that result. */
async function applyNew(
  ctx: ServerContext,
  container: OpenedContainer,
  client: Client,
  size: number,
  bodyError: string | null,
  precomputed?: ApplyResult,
): Promise<ApplyOutcome> {
  const { header, body } = container;
  const trx = await ctx.db.startTransaction().execute();
  try {
    let result: ApplyResult;
    if (precomputed) result = precomputed;
    else if (bodyError) result = wholeRefusal(header.containerId, bodyError);
    else if (body.kind === 'rows') result = await applyRows(ctx, trx, container, client, body.rows, size);
    else if (body.kind === 'import-request') result = await answerImport(ctx, trx, container, client, size);
    else if (body.kind === 'control') result = await answerControl(ctx, trx, container, client);
    else result = wholeRefusal(header.containerId, 'unsupported-kind');
    const replies = await sealAnswers(ctx, header.sender, result);
    await trx
      .insertInto('xm_system.received_containers')
      .values(logValues(container, size, result, replies))
      .execute();
    await ctx.step('logged', header.containerId);
    await trx.commit().execute();
    await ctx.step('committed', header.containerId);
    return appliedOutcome(header, result, replies);
  } catch (error) {
    if (!trx.isCommitted) await trx.rollback().execute();
    throw error;
  }
}

async function applyRows(
  ctx: ServerContext,
  trx: Trx,
  container: OpenedContainer,
  client: Client,
  rows: readonly SyncRow[],
  size: number,
): Promise<ApplyResult> {
  const id = container.header.containerId;
  const plan = planRows(ctx, container, client, rows);
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
    await ctx.step('rows-inserted', id);
    if (insertedNumeros.size > 0) {
      charged = await ctx.charging.charge(trx as unknown as Kysely<ServerDatabase>, {
        clientId: client.id,
        matricule: client.matricule,
        service: 'sds-export',
        table: table.name,
        rows: [...insertedNumeros],
        bytes: size,
        containerId: id,
      });
    }
    await ctx.step('charged', id);
  }
  const result = rowsResult(id, rows, plan, insertedNumeros, duplicateNiu, charged);
  if (!charged.ok) throw new ChargeRefused(result);
  return result;
}
