import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { wholeContainer } from '../container.js';
import type { CheckedFilter } from '../filter.js';
import { formatReason } from '../reasons.js';
import { type ApplyResult, receiptFor, wholeRefusal } from './answers.js';
import { type Client, tableGate } from './clients.js';
import type { ServerContext, Trx } from './context.js';

// Restricted tables (`restrictedTables`: the criminal record's): a site declares who asks for rows and
// why in an `access-request` control message, logged in `xm_system.access_requests`; its next import
// request for that table is answered against that declaration, once, and only for conditions that
// fix the identifying fields. Nothing else of a restricted table ever leaves the server.

/** An access request declared by a site, whatever it asks for afterwards: its who and why, checked. */
export async function declareAccess(
  ctx: ServerContext,
  trx: Trx,
  id: string,
  client: Client,
  message: Readonly<Record<string, unknown>>,
): Promise<ApplyResult> {
  const { table, requestedBy, purpose, detail } = message;
  if (typeof table !== 'string' || !ctx.restrictedTables[table]) {
    return wholeRefusal(id, formatReason('unknown-table', String(table)));
  }
  const refusal = tableGate(ctx, client, table);
  if (refusal) return wholeRefusal(id, refusal);
  // A NUL would make PostgreSQL refuse the insert, and the site resend the same message forever.
  const text = (value: unknown, max: number) =>
    typeof value === 'string' && value.trim().length >= 2 && value.length <= max && !value.includes('\u0000')
      ? value.trim()
      : null;
  const who = text(requestedBy, 100);
  const why = text(purpose, 500);
  if (!who || !why) return wholeRefusal(id, formatReason('purpose-required', 'requestedBy and purpose'));
  const detailJson = detail === undefined ? null : JSON.stringify(detail);
  if (detailJson !== null && (detailJson.length > 4_000 || detailJson.includes('\\u0000'))) {
    return wholeRefusal(id, formatReason('purpose-required', 'detail too long or not text'));
  }
  await (trx as unknown as Kysely<ServerDatabase>)
    .insertInto('xm_system.access_requests')
    .values({
      client_id: client.id,
      matricule: client.matricule,
      container_id: id,
      table_name: table,
      requested_by: who,
      purpose: why,
      detail: detailJson,
      at: ctx.now(),
    })
    .execute();
  return {
    answers: [receiptFor(id, [{ numero: wholeContainer, accepted: true }])],
    accepted: 1,
    rejected: 0,
    reason: null,
  };
}

/** How long a declaration allows its import request (the court's request and its import go together). */
const declarationMs = 60 * 60_000;

/**
 * May this import of a restricted table be answered? Null when the table is not restricted; else
 * the refusal, or the declaration it uses (marked used by `recordAccess`).
 */
export async function checkRestrictedImport(
  ctx: ServerContext,
  trx: Trx,
  client: Client,
  filter: CheckedFilter,
): Promise<{ refusal: string } | { declaration: number; maxRows: number } | null> {
  const restricted = ctx.restrictedTables[filter.table.name];
  if (!restricted) return null;
  const refusal = tableGate(ctx, client, filter.table.name);
  if (refusal) return { refusal };
  const fixing = filter.conditions.filter((c) => c.op === '=' || c.op === 'in');
  const missing = restricted.identifying.filter((field) => !fixing.some((c) => c.field === field));
  if (missing.length > 0) return { refusal: formatReason('purpose-required', `fix ${missing.join(', ')}`) };
  // An `in` of many names or dates would be many people under one declaration.
  const tooMany = fixing.find(
    (c) =>
      c.op === 'in' &&
      restricted.identifying.includes(c.field) &&
      (!Array.isArray(c.value) || c.value.length > restricted.maxValues),
  );
  if (tooMany) {
    return {
      refusal: formatReason('purpose-required', `at most ${restricted.maxValues} values of ${tooMany.field}`),
    };
  }
  const declared = await (trx as unknown as Kysely<ServerDatabase>)
    .selectFrom('xm_system.access_requests')
    .select('id')
    .where('client_id', '=', client.id)
    .where('table_name', '=', filter.table.name)
    .where('import_container_id', 'is', null)
    .where('at', '>=', new Date(ctx.now().getTime() - declarationMs))
    .orderBy('id', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
  if (!declared) return { refusal: formatReason('purpose-required', 'no access request declared') };
  return { declaration: declared.id, maxRows: restricted.maxRows };
}

/** Marks the declaration used by this import, with the rows that went. */
export async function recordAccess(trx: Trx, declaration: number, importId: string, rows: number) {
  await (trx as unknown as Kysely<ServerDatabase>)
    .updateTable('xm_system.access_requests')
    .set({ import_container_id: importId, rows })
    .where('id', '=', declaration)
    .execute();
}
