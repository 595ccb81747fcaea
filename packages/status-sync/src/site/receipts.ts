import type { Receipt, RowResult } from '../container.js';
import { wholeContainer } from '../container.js';
import { isAccountRefusal, parseReason } from '../reasons.js';
import { type SiteContext, type Trx, tableNamed, type Untyped } from './context.js';
import { holdSetting, saveSetting } from './settings.js';
import type { AppliedReceipt, Rejection } from './types.js';

/**
 * The server's receipt for one of this site's containers: accepted rows to 4, rows refused for
 * themselves back to 1 with the reason, rows refused for the account back to 2 under a hold; the
 * outbox item acknowledged.
 */
export async function applyReceipt(
  ctx: SiteContext,
  trx: Trx,
  receipt: Receipt,
): Promise<{ accepted: number; rejected: number; held: number }> {
  const item = await trx
    .selectFrom('xm_site.outbox')
    .select(['id', 'kind', 'table_name', 'state', 'container_id'])
    .where('container_id', '=', receipt.acknowledges)
    .executeTakeFirst();
  if (!item || item.state === 'acknowledged') return { accepted: 0, rejected: 0, held: 0 };
  const results = new Map<number, RowResult>(receipt.results.map((r) => [r.numero, r]));
  const whole = results.get(wholeContainer);
  let accepted = 0;
  let rejected = 0;
  let heldCount = 0;
  if (item.kind === 'rows' && item.table_name) {
    const table = tableNamed(ctx, item.table_name);
    const untyped = trx as unknown as Untyped;
    const sealed = await trx
      .selectFrom('xm_site.sealed_rows')
      .select('numero')
      .where('outbox_id', '=', item.id)
      .orderBy('numero')
      .execute();
    const toExported: number[] = [];
    const refusals: { numero: number; reason: string }[] = [];
    const heldBack: { numero: number; reason: string }[] = [];
    for (const { numero } of sealed) {
      const result: RowResult = results.get(numero) ??
        whole ?? { numero, accepted: false, reason: 'missing-from-receipt' };
      if (result.accepted) toExported.push(numero);
      else if (isAccountRefusal(parseReason(result.reason).code))
        heldBack.push({ numero, reason: result.reason });
      else refusals.push({ numero, reason: result.reason });
    }
    let exported: number[] = [];
    if (toExported.length > 0) {
      const done = await untyped
        .updateTable(table.qualifiedName)
        .set({ status: 4 })
        .where('numero', 'in', toExported)
        .where('status', '=', 3)
        .returning('numero')
        .execute();
      exported = done.map((r: { numero: number }) => r.numero);
      accepted = exported.length;
    }
    let recorded: {
      table_name: string;
      numero: number;
      container_id: string;
      reason: string;
      detail: string | null;
    }[] = [];
    if (refusals.length > 0) {
      const back = await untyped
        .updateTable(table.qualifiedName)
        .set({ status: 1 })
        .where(
          'numero',
          'in',
          refusals.map((r) => r.numero),
        )
        .where('status', '=', 3)
        .returning('numero')
        .execute();
      const moved = new Set(back.map((r: { numero: number }) => r.numero));
      recorded = refusals
        .filter((r) => moved.has(r.numero))
        .map((r) => {
          const { code, detail } = parseReason(r.reason);
          return {
            table_name: table.name,
            numero: r.numero,
            container_id: item.container_id,
            reason: code.slice(0, 64),
            detail: detail ? detail.slice(0, 500) : null,
          };
        });
      if (recorded.length > 0) await trx.insertInto('xm_site.rejections').values(recorded).execute();
      rejected = recorded.length;
    }
    let held: AppliedReceipt['held'] = [];
    if (heldBack.length > 0) {
      const back = await untyped
        .updateTable(table.qualifiedName)
        .set({ status: 2 })
        .where(
          'numero',
          'in',
          heldBack.map((r) => r.numero),
        )
        .where('status', '=', 3)
        .returning('numero')
        .execute();
      const moved = new Set(back.map((r: { numero: number }) => r.numero));
      held = heldBack
        .filter((r) => moved.has(r.numero))
        .map((r) => {
          const { code, detail } = parseReason(r.reason);
          return { numero: r.numero, reason: code, detail };
        });
      heldCount = held.length;
      const first = held[0];
      if (first) {
        await saveSetting(ctx, trx, holdSetting, {
          reason: first.reason,
          detail: first.detail,
          since: ctx.now().toISOString(),
          containerId: item.container_id,
        });
      }
    }
    await ctx.onReceipt?.(trx, {
      containerId: item.container_id,
      table: table.name,
      exported,
      rejected: recorded.map(({ numero, reason, detail }) => ({ numero, reason, detail })),
      held,
    });
  } else if (whole && !whole.accepted) rejected = 1;
  else accepted = 1;
  await trx
    .updateTable('xm_site.outbox')
    .set({
      state: 'acknowledged',
      acknowledged_at: ctx.now(),
      last_error: whole && !whole.accepted ? whole.reason.slice(0, 500) : null,
    })
    .where('id', '=', item.id)
    .execute();
  return { accepted, rejected, held: heldCount };
}

/** Rows the server refused and that have not been sealed again, with the server's reason. */
export async function rejections(ctx: SiteContext, table?: string): Promise<Rejection[]> {
  let query = ctx.db
    .selectFrom('xm_site.rejections')
    .select(['table_name', 'numero', 'reason', 'detail', 'container_id', 'rejected_at'])
    .where('resolved_at', 'is', null)
    .orderBy('id');
  if (table) query = query.where('table_name', '=', table);
  const rows = await query.execute();
  return rows.map((r) => ({
    table: r.table_name,
    numero: r.numero,
    reason: r.reason,
    detail: r.detail,
    containerId: r.container_id,
    rejectedAt: r.rejected_at as unknown as Date,
  }));
}
