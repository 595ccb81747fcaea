import { type KitContext, recordsDb } from './context.js';
import { type RecordSummary, summaryOf } from './reading.js';
import type { Row } from './record-type.js';
import { allows } from './records.js';
import type { SessionUser } from './users.js';

export interface RecordCounts {
  /** Records of the site's own making (imported ones left out), by status `0`..`4`. */
  readonly byStatus: Readonly<Record<number, number>>;
  /** By type name, then by status. */
  readonly byType: Readonly<Record<string, Readonly<Record<number, number>>>>;
}

/** How many records each status and type has: the home page's figures. */
export async function recordCounts(ctx: KitContext, user: SessionUser): Promise<RecordCounts> {
  const byStatus: Record<number, number> = { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 };
  const byType: Record<string, Record<number, number>> = {};
  for (const type of ctx.types) {
    if (!allows(user, type, 'read')) continue;
    const counts: Record<number, number> = { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 };
    const rows = (await recordsDb(ctx.db)
      .selectFrom(type.table.qualifiedName)
      .select(['status', (eb) => eb.fn.countAll().as('count')])
      .where('origin_matricule', 'is', null)
      .groupBy('status')
      .execute()) as { status: number; count: number | string }[];
    for (const row of rows) {
      counts[row.status] = Number(row.count);
      byStatus[row.status] = (byStatus[row.status] ?? 0) + Number(row.count);
    }
    byType[type.name] = counts;
  }
  return { byStatus, byType };
}

export interface RefusedRecord extends RecordSummary {
  readonly reason: string;
  readonly detail: string | null;
  readonly refusedAt: Date;
}

export interface WaitingFor {
  /** Drafts nobody verified yet, for whoever may verify them (secretaries, the head). */
  readonly toVerify: RecordSummary[];
  /** Verified drafts, for whoever may validate them (the head). */
  readonly toValidate: RecordSummary[];
  /** Records the server refused, with its reason, until they are corrected and sent again. */
  readonly refused: RefusedRecord[];
}

/** What waits for this user, oldest first, at most `limit` (100) of each. */
export async function waitingFor(
  ctx: KitContext,
  user: SessionUser,
  options: { readonly limit?: number } = {},
): Promise<WaitingFor> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const result: WaitingFor = { toVerify: [], toValidate: [], refused: [] };
  for (const type of ctx.types) {
    if (!allows(user, type, 'read')) continue;
    const drafts = (verified: boolean) =>
      recordsDb(ctx.db)
        .selectFrom(type.table.qualifiedName)
        .selectAll()
        .where('status', '=', 1)
        .where('origin_matricule', 'is', null)
        .where('verified_by', verified ? 'is not' : 'is', null)
        .orderBy('numero')
        .limit(limit)
        .execute() as Promise<Row[]>;
    if (allows(user, type, 'verify')) {
      result.toVerify.push(...(await drafts(false)).map((row) => summaryOf(type, row)));
    }
    if (allows(user, type, 'validate')) {
      result.toValidate.push(...(await drafts(true)).map((row) => summaryOf(type, row)));
    }
    const refused = (await recordsDb(ctx.db)
      .selectFrom('xm_site.rejections as j')
      .innerJoin(`${type.table.qualifiedName} as r`, 'r.numero', 'j.numero')
      .selectAll('r')
      .select(['j.reason as refusal_reason', 'j.detail as refusal_detail', 'j.rejected_at as refused_at'])
      .where('j.table_name', '=', type.table.name)
      .where('j.resolved_at', 'is', null)
      .orderBy('j.id')
      .limit(limit)
      .execute()) as Row[];
    for (const row of refused) {
      result.refused.push({
        ...summaryOf(type, row),
        reason: String(row.refusal_reason),
        detail: (row.refusal_detail as string | null) ?? null,
        refusedAt: row.refused_at as Date,
      });
    }
  }
  return result;
}
