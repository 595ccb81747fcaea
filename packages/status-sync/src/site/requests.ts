import type { ContainerBody } from '../container.js';
import { StatusSyncError } from '../errors.js';
import { checkFilter, defaultFilterLimits, type FilterError, type ImportFilter } from '../filter.js';
import { type SiteContext, timestampValue } from './context.js';
import { nextSequence } from './outbox.js';

// What a site asks of the server (an import, its account or profile, a control message): sealed
// into the outbox at once, in one transaction with its sequence number.

async function queue(
  ctx: SiteContext,
  kind: 'import-request' | 'control',
  body: ContainerBody,
): Promise<number> {
  const { codec, db, matricule, serverMatricule } = ctx;
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
        next_attempt_at: timestampValue(ctx.now()),
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

export async function requestImport(
  ctx: SiteContext,
  filter: ImportFilter,
): Promise<{ ok: true; id: number } | { ok: false; error: FilterError }> {
  const checked = checkFilter(filter, ctx.tables, defaultFilterLimits);
  if (!checked.ok) return checked;
  return { ok: true as const, id: await queue(ctx, 'import-request', { kind: 'import-request', filter }) };
}

export async function requestAccount(ctx: SiteContext, what: 'account' | 'profile'): Promise<number> {
  return queue(ctx, 'control', { kind: 'control', message: { type: `${what}-request` } });
}

export async function requestControl(
  ctx: SiteContext,
  message: Readonly<Record<string, unknown>>,
): Promise<number> {
  if (typeof message !== 'object' || message === null || Array.isArray(message) || !message.type)
    throw new StatusSyncError('seal-failed', 'a control message is an object with a type');
  return queue(ctx, 'control', { kind: 'control', message });
}
