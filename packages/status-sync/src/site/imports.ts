import { lifecycleColumnNames, validateRow } from '@xmcomm/schema';
import type { SyncRow } from '../container.js';
import type { SiteContext, Trx, Untyped } from './context.js';

const lifecycle = new Set(lifecycleColumnNames);

/** An import-response page: its rows stored read-only, at status 2 with their origin. */
export async function storeImported(
  ctx: SiteContext,
  trx: Trx,
  tableName: string | null,
  rows: readonly SyncRow[],
): Promise<{ accepted: number; rejected: number }> {
  const table = tableName
    ? ctx.tables.find((t) => t.name === tableName && t.kind === 'exchanged')
    : undefined;
  if (!table) return { accepted: 0, rejected: rows.length };
  const values: Record<string, unknown>[] = [];
  let rejected = 0;
  for (const row of rows) {
    const { origin_matricule, origin_numero } = row;
    const data: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(row)) if (!lifecycle.has(field)) data[field] = value;
    const checked = validateRow(table, data);
    const hasOrigin =
      typeof origin_matricule === 'string' &&
      typeof origin_numero === 'number' &&
      Number.isSafeInteger(origin_numero);
    if (!checked.ok || !hasOrigin) {
      rejected++;
      continue;
    }
    values.push({ ...checked.value, status: 2, origin_matricule, origin_numero });
  }
  if (values.length > 0) {
    // Read-only copies: a row already imported (or with a NIU already here) is left as it is.
    await (trx as unknown as Untyped)
      .insertInto(table.qualifiedName)
      .values(values)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return { accepted: values.length, rejected };
}
