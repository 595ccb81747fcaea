import type { ServerDb } from './database.js';

/** What the service knows of a refusal (a status-sync outcome). */
export interface RefusalOutcome {
  readonly status: string;
  readonly containerId: string | null;
  readonly sender: string | null;
  readonly rejected: number;
  readonly reason: string | null;
}

/**
 * Keeps a refusal in `xm_system.refusals` (migration 20261207-80): a container refused whole, or
 * the rows refused in an applied one. Nothing for a container applied without refusal or a
 * duplicate (already counted when it first came).
 */
export async function recordRefusal(
  db: ServerDb,
  outcome: RefusalOutcome,
  at = new Date(),
): Promise<boolean> {
  const whole = outcome.status === 'refused';
  if (!whole && !(outcome.status === 'applied' && outcome.rejected > 0)) return false;
  await db
    .insertInto('xm_system.refusals')
    .values({
      at,
      sender_matricule: outcome.sender?.slice(0, 32) ?? null,
      container_id: outcome.containerId,
      scope: whole ? 'container' : 'rows',
      reason: (outcome.reason ?? 'unknown').split(':')[0]?.slice(0, 64) || 'unknown',
      rows: whole ? 0 : outcome.rejected,
    })
    .execute();
  return true;
}

/** Refusals since `since`, by reason: how many containers refused whole, how many rows refused. */
export async function refusalsByReason(
  db: ServerDb,
  since: Date,
): Promise<{ reason: string; containers: number; rows: number }[]> {
  const rows = await db
    .selectFrom('xm_system.refusals')
    .select((eb) => [
      'reason',
      eb.fn.count<number>('id').filterWhere('scope', '=', 'container').as('containers'),
      eb.fn.coalesce(eb.fn.sum<number>('rows'), eb.lit(0)).as('rows'),
    ])
    .where('at', '>=', since)
    .groupBy('reason')
    .orderBy('reason')
    .execute();
  return rows.map((r) => ({ reason: r.reason, containers: Number(r.containers), rows: Number(r.rows) }));
}
