import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import type { OpenedContainer } from '../container.js';
import { wholeContainer } from '../container.js';
import { checkFilter, compileFilter } from '../filter.js';
import { formatReason } from '../reasons.js';
import { checkRestrictedImport, recordAccess } from './access-requests.js';
import { type Answer, type ApplyResult, receiptFor, wholeRefusal } from './answers.js';
import { type Client, gate } from './clients.js';
import type { ServerContext, Trx } from './context.js';

/**
 * An import request: the filter checked against the contract, the rows at status 2 it selects
 * (charged), then a receipt and import-response pages of `importPageRows` rows, the last with a
 * cursor when more rows remain.
 */
export async function answerImport(
  ctx: ServerContext,
  trx: Trx,
  container: OpenedContainer,
  client: Client,
  size: number,
): Promise<ApplyResult> {
  const { header, body } = container;
  const id = header.containerId;
  if (body.kind !== 'import-request') return wholeRefusal(id, 'unsupported-kind');
  const refusal = gate(ctx, client, 'sds-import');
  if (refusal) return wholeRefusal(id, refusal);
  const checked = checkFilter(body.filter, ctx.tables, ctx.filterLimits);
  if (!checked.ok) return wholeRefusal(id, formatReason('invalid-filter', checked.error.message));
  const restricted = await checkRestrictedImport(ctx, trx, client, checked.value);
  if (restricted && 'refusal' in restricted) return wholeRefusal(id, restricted.refusal);
  const filter = restricted
    ? { ...checked.value, limit: Math.min(checked.value.limit, restricted.maxRows) }
    : checked.value;
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
    const charged = await ctx.charging.charge(trx as unknown as Kysely<ServerDatabase>, {
      clientId: client.id,
      matricule: client.matricule,
      service: 'sds-import',
      table: filter.table.name,
      rows: rows.map((row) => row.numero as number),
      bytes: size,
      containerId: id,
    });
    if (!charged.ok) return wholeRefusal(id, charged.reason);
  }
  if (restricted) await recordAccess(trx, restricted.declaration, id, rows.length);
  const pageRows = ctx.importPageRows;
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
