import { type SiteContext, type Trx, timestampValue } from './context.js';
import type { OutboxItem } from './types.js';

// The outbox as transports read it: items due, every item waiting, and the backoff after a send.

const sequenceCounter = 'container-sequence';

/** The site's next container sequence number, in the transaction that writes the container. */
export async function nextSequence(trx: Trx): Promise<number> {
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

export async function nextItems(ctx: SiteContext, limit = 10): Promise<OutboxItem[]> {
  return items(ctx, limit, true);
}

export async function pendingItems(ctx: SiteContext, limit = 10_000): Promise<OutboxItem[]> {
  return items(ctx, limit, false);
}

async function items(ctx: SiteContext, limit: number, dueOnly: boolean): Promise<OutboxItem[]> {
  let query = ctx.db
    .selectFrom('xm_site.outbox')
    .select(['id', 'container_id', 'kind', 'table_name', 'row_count', 'attempts', 'payload'])
    .where('state', 'in', ['pending', 'sent']);
  if (dueOnly) query = query.where('next_attempt_at', '<=', timestampValue(ctx.now()));
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

function backoff(ctx: SiteContext, attempts: number, initialMs = ctx.retry.initialMs): number {
  const { retry } = ctx;
  const base = Math.min(
    Math.max(retry.maxMs, initialMs),
    initialMs * retry.factor ** Math.max(0, attempts - 1),
  );
  return Math.round(base * (1 + retry.jitter * (ctx.random() * 2 - 1)));
}

export async function markSent(
  ctx: SiteContext,
  id: number,
  error?: string,
  resendAfterMs?: number,
): Promise<void> {
  const item = await ctx.db
    .selectFrom('xm_site.outbox')
    .select(['attempts', 'state'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!item || item.state === 'acknowledged') return;
  const attempts = item.attempts + 1;
  const at = ctx.now();
  await ctx.db
    .updateTable('xm_site.outbox')
    .set({
      state: 'sent',
      attempts,
      sent_at: at,
      next_attempt_at: timestampValue(new Date(at.getTime() + backoff(ctx, attempts, resendAfterMs))),
      last_error: error ? error.slice(0, 500) : null,
    })
    .where('id', '=', id)
    .where('state', '!=', 'acknowledged')
    .execute();
}
