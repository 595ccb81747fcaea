import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import type { ChargeRequest, ChargeResult } from '../charging.js';
import { sqlStateOf } from '../errors.js';
import { type ApplyResult, type SealedReply, sameAnswers, sealAnswers } from './answers.js';
import { type Planned, resultOf } from './batch-entry.js';
import { type BatchInsert, insertBatchRows, planInserts, type StoredRows } from './batch-inserts.js';
import type { ServerContext } from './context.js';
import { appliedOutcome } from './outcomes.js';
import { logValues } from './received-log.js';
import type { ApplyOutcome } from './types.js';

/** Attempts of a batch transaction, each after a container refused for want of credit or quota. */
const maxBatchAttempts = 4;

/** A planned container's receipts as sealed ahead, for the result they answer. */
interface Sealed {
  readonly result: ApplyResult;
  readonly replies: SealedReply[];
}

type Attempt = { outcomes: Map<Planned, ApplyOutcome> } | { refused: Map<Planned, ApplyResult> } | null;

/** An error the database raised (a five-character SQLSTATE), as opposed to one of ours or a crash. */
function isDatabaseError(error: unknown): boolean {
  const code = sqlStateOf(error);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * The batch's transactions. A container whose account cannot pay is found by its charge; its
 * verdict is then final (every container before it went as one-by-one would have), and the batch is
 * applied again with that container only logged, as applyContainer logs a refused charge. Null when
 * the batch must go one by one (nothing of it was committed).
 */
export async function applyPlanned(
  ctx: ServerContext,
  batch: readonly Planned[],
): Promise<Map<Planned, ApplyOutcome> | null> {
  await Promise.all(
    [...new Set(batch.map((p) => p.container.header.sender))].map((s) => ctx.codec.prepare?.(s)),
  );
  // Ready before the database turn, so that the database does not wait on this process meanwhile:
  // the statements, and the receipts as they will be when every row goes in and is paid for.
  const expected = await sealExpected(ctx, batch);
  let inserts = await planInserts(ctx, batch);
  const refusedCharges = new Map<Planned, ApplyResult>();
  for (let attempt = 0; attempt < maxBatchAttempts; attempt++) {
    const done = await ctx.turns.inDatabaseTurn(() =>
      batchTransaction(ctx, batch, inserts, expected, refusedCharges),
    );
    if (done === null) return null;
    if (!('refused' in done)) return done.outcomes;
    for (const [planned, result] of done.refused) refusedCharges.set(planned, result);
    inserts = await planInserts(
      ctx,
      batch.filter((p) => !refusedCharges.has(p)),
    );
  }
  return null;
}

async function sealExpected(ctx: ServerContext, batch: readonly Planned[]): Promise<Map<Planned, Sealed>> {
  const expected = new Map<Planned, Sealed>();
  for (const planned of batch) {
    await ctx.turns.shareTime();
    const result = resultOf(planned, new Set(), [], { ok: true });
    expected.set(planned, {
      result,
      replies: await sealAnswers(ctx, planned.container.header.sender, result),
    });
  }
  return expected;
}

async function chargeAll(
  ctx: ServerContext,
  trx: Kysely<ServerDatabase>,
  requests: readonly ChargeRequest[],
): Promise<ChargeResult[]> {
  const { charging } = ctx;
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
 * One attempt: the clients locked, the rows inserted, the charges, the log, the commit. The charges
 * refused (the transaction rolled back), or null when a database error leaves it to one-by-one.
 */
async function batchTransaction(
  ctx: ServerContext,
  batch: readonly Planned[],
  inserts: readonly BatchInsert[],
  expected: ReadonlyMap<Planned, Sealed>,
  refusedCharges: ReadonlyMap<Planned, ApplyResult>,
): Promise<Attempt> {
  const { step } = ctx;
  const trx = await ctx.db.startTransaction().execute();
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
      ctx,
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
        return ahead && sameAnswers(ahead.result, result)
          ? ahead.replies
          : sealAnswers(ctx, planned.container.header.sender, result);
      }),
    );
    await trx
      .insertInto('xm_system.received_containers')
      .values(
        batch.map((planned, i) =>
          logValues(planned.container, planned.size, results[i] as ApplyResult, replies[i] as SealedReply[]),
        ),
      )
      .execute();
    for (const p of batch) await step('logged', p.container.header.containerId);
    await trx.commit().execute();
    for (const p of batch) await step('committed', p.container.header.containerId);
    const outcomes = new Map(
      batch.map((planned, i): [Planned, ApplyOutcome] => [
        planned,
        appliedOutcome(planned.container.header, results[i] as ApplyResult, replies[i] as SealedReply[]),
      ]),
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
