import { type AnyTable, lifecycleColumnNames } from '@xmcomm/schema';
import type { SyncRow } from '../container.js';
import { type SiteContext, tableNamed, timestampValue, type Untyped } from './context.js';
import { nextSequence } from './outbox.js';
import { hold } from './settings.js';

const lifecycle = new Set(lifecycleColumnNames);

/** Row as it travels: its local number and its data; status and origin stay here. */
function travelling(row: Record<string, unknown>): SyncRow {
  const out: Record<string, unknown> = { numero: row.numero };
  for (const [field, value] of Object.entries(row)) if (!lifecycle.has(field)) out[field] = value;
  return out;
}

/** Seals as many of the rows as fit in `maxBytes`, in their order. */
async function sealRows(ctx: SiteContext, table: AnyTable, rows: SyncRow[], sequence: number) {
  let count = rows.length;
  for (;;) {
    const sealed = await ctx.codec.seal({
      sender: ctx.matricule,
      recipient: ctx.serverMatricule,
      sequence,
      table: table.name,
      body: { kind: 'rows', rows: rows.slice(0, count) },
    });
    if (sealed.bytes.length <= ctx.maxBytes || count === 1) return { ...sealed, count };
    // Shrink in proportion to the overshoot; a single row larger than the limit still goes alone.
    count = Math.max(1, Math.min(count - 1, Math.floor((count * ctx.maxBytes) / sealed.bytes.length)));
  }
}

/** One container of a table's validated rows, in one transaction with its outbox item; null: none left. */
async function exportOne(ctx: SiteContext, table: AnyTable): Promise<number | null> {
  const { db, step, now } = ctx;
  await ctx.codec.prepare?.(ctx.serverMatricule);
  const trx = await db.startTransaction().execute();
  try {
    const untyped = trx as unknown as Untyped;
    const selected = (await untyped
      .selectFrom(table.qualifiedName)
      .selectAll()
      .where('status', '=', 2)
      .where('origin_matricule', 'is', null)
      .orderBy('numero')
      .limit(ctx.maxRows)
      .forUpdate()
      .skipLocked()
      .execute()) as Record<string, unknown>[];
    if (selected.length === 0) {
      await trx.rollback().execute();
      return null;
    }
    await step('export:selected');
    const sequence = await nextSequence(trx);
    const sealed = await sealRows(ctx, table, selected.map(travelling), sequence);
    const numeros = selected.slice(0, sealed.count).map((row) => row.numero as number);
    await step('export:sealed');
    const { id } = await trx
      .insertInto('xm_site.outbox')
      .values({
        container_id: sealed.containerId,
        kind: 'rows',
        table_name: table.name,
        row_count: numeros.length,
        payload: sealed.bytes,
        next_attempt_at: timestampValue(now()),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('xm_site.sealed_rows')
      .values(numeros.map((numero) => ({ outbox_id: id, table_name: table.name, numero })))
      .execute();
    await step('export:outbox-written');
    await untyped
      .updateTable(table.qualifiedName)
      .set({ status: 3 })
      .where('numero', 'in', numeros)
      .where('status', '=', 2)
      .execute();
    await trx
      .updateTable('xm_site.rejections')
      .set({ resolved_at: now() })
      .where('table_name', '=', table.name)
      .where('numero', 'in', numeros)
      .where('resolved_at', 'is', null)
      .execute();
    await step('export:rows-marked');
    await ctx.onSealed?.(trx, {
      outboxId: id,
      containerId: sealed.containerId,
      table: table.name,
      numeros,
    });
    await trx.commit().execute();
    await step('export:committed');
    return id;
  } catch (error) {
    if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
    throw error;
  }
}

/** Seals the validated rows of the given tables (all by default) into outbox items; their ids. */
export async function exportRows(
  ctx: SiteContext,
  tableNames?: readonly string[],
  maxContainers = Number.POSITIVE_INFINITY,
): Promise<number[]> {
  const chosen = tableNames
    ? tableNames.map((name) => tableNamed(ctx, name))
    : ctx.tables.filter((t) => t.kind === 'exchanged');
  // Sending while the account is refused would only bring the same refusal back, over a paid link.
  if (await hold(ctx)) return [];
  const ids: number[] = [];
  for (const table of chosen) {
    while (ids.length < maxContainers) {
      const id = await exportOne(ctx, table);
      if (id === null) break;
      ids.push(id);
    }
  }
  return ids;
}
