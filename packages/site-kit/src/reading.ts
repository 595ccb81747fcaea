import { sql } from 'kysely';
import { type KitContext, notFound, parseRef, recordsDb, refOf, statusName, typeNamed } from './context.js';
import type { RecordRef, RecordType, Row, Text } from './record-type.js';
import { requireAction } from './records.js';
import { canonicalRecord, verifyBytes } from './signing.js';
import type { MutableRow } from './tables.js';
import type { SessionUser } from './users.js';

export interface RecordView {
  readonly ref: string;
  readonly type: string;
  readonly numero: number;
  readonly status: number;
  readonly statusName: Text;
  readonly niu: string | null;
  readonly title: string;
  /** Imported from another site or the server: never changed, never sent again. */
  readonly readOnly: boolean;
  readonly origin: string | null;
  /** The record's data and workflow fields, nulls left out. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly signature: { readonly signer: string; readonly signedAt: Date; readonly valid: boolean } | null;
  /** The server's reason, while a refused record waits to be corrected and sent again. */
  readonly rejection: { readonly reason: string; readonly detail: string | null; readonly at: Date } | null;
}

/** Resolves `B12`, `12` with a type, or an NIU, to a record reference. */
export async function resolveRecord(ctx: KitContext, text: string, typeName?: string): Promise<RecordRef> {
  const ref = parseRef(ctx, text, typeName);
  if (ref) return ref;
  for (const type of typeName ? [typeNamed(ctx, typeName)] : ctx.types) {
    const row = await recordsDb(ctx.db)
      .selectFrom(type.table.qualifiedName)
      .select('numero')
      .where('niu', '=', text.trim())
      .executeTakeFirst();
    if (row) return refOf(type, row.numero as number);
  }
  throw notFound(text.trim());
}

export async function getRecord(ctx: KitContext, user: SessionUser, ref: RecordRef): Promise<RecordView> {
  const type = typeNamed(ctx, ref.type);
  requireAction(user, type, 'read');
  const db = recordsDb(ctx.db);
  const table = type.table.name;
  const row = (await db
    .selectFrom(type.table.qualifiedName)
    .selectAll()
    .where('numero', '=', ref.numero)
    .executeTakeFirst()) as MutableRow | undefined;
  if (!row) throw notFound(ref.ref);
  const signatureRow = await ctx.db
    .selectFrom('xm_site.act_signatures as s')
    .innerJoin('xm_site.user_keys as k', 'k.id', 's.user_key_id')
    .select(['s.signer_login', 's.signed_at', 's.signature', 'k.public_key'])
    .where('s.table_name', '=', table)
    .where('s.act_numero', '=', ref.numero)
    .orderBy('s.id', 'desc')
    .executeTakeFirst();
  const centre = signatureRow ? await ctx.centre() : undefined;
  const signature =
    signatureRow && centre
      ? {
          signer: signatureRow.signer_login,
          signedAt: signatureRow.signed_at as unknown as Date,
          valid: verifyBytes(
            signatureRow.public_key,
            canonicalRecord(table, centre.matricule, row),
            signatureRow.signature,
          ),
        }
      : null;
  const rejectionRow = await ctx.db
    .selectFrom('xm_site.rejections')
    .select(['reason', 'detail', 'rejected_at'])
    .where('table_name', '=', table)
    .where('numero', '=', ref.numero)
    .where('resolved_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const fields: MutableRow = {};
  for (const [key, value] of Object.entries(row)) {
    if (value !== null && !['numero', 'status', 'niu', 'origin_matricule', 'origin_numero'].includes(key)) {
      fields[key] = value;
    }
  }
  const status = row.status as number;
  return {
    ref: ref.ref,
    type: type.name,
    numero: ref.numero,
    status,
    statusName: statusName(status),
    niu: row.niu as string | null,
    title: type.title(row),
    readOnly: row.origin_matricule !== null,
    origin: row.origin_matricule as string | null,
    fields,
    signature,
    rejection: rejectionRow
      ? {
          reason: rejectionRow.reason,
          detail: rejectionRow.detail,
          at: rejectionRow.rejected_at as unknown as Date,
        }
      : null,
  };
}

export interface RecordSearch {
  readonly type?: string;
  /** The start of a name (any of the type's `search.names`), any case. */
  readonly name?: string;
  readonly niu?: string;
  /** The event date, inclusive, `YYYY-MM-DD`. */
  readonly from?: string;
  readonly to?: string;
  /** Part of the event's place (any of the type's `search.places`), any case. */
  readonly place?: string;
  readonly status?: number;
  /** 1-1000, 50 by default. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface RecordSummary {
  readonly ref: string;
  readonly type: string;
  readonly numero: number;
  readonly status: number;
  readonly niu: string | null;
  readonly title: string;
  readonly eventDate: string;
  readonly place: string | null;
  readonly imported: boolean;
}

/** Where a search stops counting: past it, a clerk narrows the search rather than reads on. */
export const searchCountLimit = 1000;

export interface SearchResult {
  readonly items: RecordSummary[];
  /**
   * How many records match, all pages together, counted up to `searchCountLimit`: when `more` is
   * true, more records than that match and `total` is `searchCountLimit`.
   */
  readonly total: number;
  readonly more: boolean;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function summaryOf(type: RecordType, row: Row): RecordSummary {
  const firstPlace = type.places[0];
  return {
    ...refOf(type, row.numero as number),
    status: row.status as number,
    niu: row.niu as string | null,
    title: type.title(row),
    eventDate: String(row[type.eventDate]),
    place: firstPlace === undefined ? null : ((row[firstPlace] as string | null) ?? null),
    imported: row.origin_matricule !== null,
  };
}

/**
 * A type's records matching a search (the filters only: no order, no page); the name compared in
 * `nameColumns` only (all the type's name columns by default).
 */
function filtered(
  ctx: KitContext,
  type: RecordType,
  search: RecordSearch,
  nameColumns: readonly string[] = type.search.names,
) {
  let query = recordsDb(ctx.db).selectFrom(type.table.qualifiedName);
  if (search.name) {
    // lower(column) LIKE 'prefix%': the expression indexes of siteKitMigrations serve it.
    const pattern = `${escapeLike(search.name.trim().toLowerCase())}%`;
    query = query.where((eb) =>
      eb.or(nameColumns.map((column) => eb(eb.fn('lower', [eb.ref(column)]), 'like', pattern))),
    );
  }
  if (search.place && type.places.length > 0) {
    const pattern = `%${escapeLike(search.place.trim())}%`;
    query = query.where((eb) => eb.or(type.places.map((column) => eb(column, 'ilike', pattern))));
  }
  if (search.niu) query = query.where('niu', '=', search.niu.trim());
  if (search.from) query = query.where(type.eventDate, '>=', search.from);
  if (search.to) query = query.where(type.eventDate, '<=', search.to);
  if (search.status !== undefined) query = query.where('status', '=', search.status);
  return query;
}

/**
 * How many records of a type match, up to `searchCountLimit + 1`. A name search counts the matches of
 * each name column apart, each from its own index and stopped at the limit, then the distinct records
 * among them: one column at the limit means more than the limit, else the union is exact. (Asked
 * with the columns' OR and a limit, PostgreSQL reads the table in order and tests every row's names.)
 */
async function countUpToLimit(ctx: KitContext, type: RecordType, search: RecordSearch): Promise<number> {
  const most = searchCountLimit + 1;
  const branches = search.name
    ? type.search.names.map((column) => filtered(ctx, type, search, [column]).select('numero').limit(most))
    : [filtered(ctx, type, search).select('numero').limit(most)];
  const union = sql.join(
    branches.map((branch) => sql`(${branch})`),
    sql` union all `,
  );
  const row = (
    await sql<{ count: string }>`select count(distinct numero) as count from (${union}) as matches`.execute(
      ctx.db,
    )
  ).rows[0];
  return Number(row?.count ?? 0);
}

/**
 * The newest `end` keys of a name search: the matches of each name column from its own index (which
 * includes the numero and the event date: index-only), merged without duplicates, then sorted; what
 * it costs grows with the matches, not with the register. Asked with the columns' OR, PostgreSQL
 * either walks the event-date index testing four names per row (through most of the table for a
 * rare name) or visits every match's row in the table before sorting (254 ms for a 4-letter prefix
 * matching 3,450 of 85,000 births, against 11 ms for its index-only count).
 */
async function nameMatchKeys(ctx: KitContext, type: RecordType, search: RecordSearch, end: number) {
  const branches = type.search.names.map(
    (column) =>
      sql`(${filtered(ctx, type, search, [column]).select(['numero', sql.ref(type.eventDate).as('event')])})`,
  );
  const { rows } = await sql<{ numero: number; event_date: string }>`select numero, event::text as event_date
    from (${sql.join(branches, sql` union `)}) as matches order by event desc, numero desc limit ${end}`.execute(
    ctx.db,
  );
  return rows;
}

interface Key {
  readonly type: RecordType;
  readonly numero: number;
  readonly eventDate: string;
}

const newestFirst = (a: Key, b: Key) =>
  a.eventDate !== b.eventDate
    ? a.eventDate < b.eventDate
      ? 1
      : -1
    : a.numero !== b.numero
      ? b.numero - a.numero
      : a.type.name < b.type.name
        ? -1
        : 1;

/**
 * Records of every type (or one), newest event first, one page at a time. What it costs does not grow
 * with the register: each type gives the keys (event date, numero) of its first `offset + limit`
 * matches in index order, the page's whole rows are read by key after, and the matches are counted
 * up to `searchCountLimit` only.
 */
export async function searchRecords(
  ctx: KitContext,
  user: SessionUser,
  search: RecordSearch,
): Promise<SearchResult> {
  const types = search.type ? [typeNamed(ctx, search.type)] : ctx.types;
  for (const type of types) requireAction(user, type, 'read');
  const limit = Math.min(Math.max(Math.trunc(search.limit ?? 50), 1), 1000);
  const offset = Math.max(Math.trunc(search.offset ?? 0), 0);
  const end = offset + limit;
  let total = 0;
  const keys: Key[] = [];
  for (const type of types) {
    // Only the sort key of each match (the whole rows of thousands of matches cost their transfer).
    const rows = search.name
      ? await nameMatchKeys(ctx, type, search, end)
      : await filtered(ctx, type, search)
          .select(['numero', sql<string>`${sql.ref(type.eventDate)}::text`.as('event_date')])
          .orderBy(type.eventDate, 'desc')
          .orderBy('numero', 'desc')
          .limit(end)
          .execute();
    for (const row of rows) {
      keys.push({ type, numero: row.numero as number, eventDate: row.event_date as string });
    }
    // Fewer keys than asked for: they are every match; as many as the limit, or the types before
    // already past it: enough to say "more".
    total +=
      rows.length < end || end > searchCountLimit || total > searchCountLimit
        ? rows.length
        : await countUpToLimit(ctx, type, search);
  }
  const page = keys.sort(newestFirst).slice(offset, end);
  const items = new Map<string, RecordSummary>();
  for (const type of types) {
    const numeros = page.filter((key) => key.type === type).map((key) => key.numero);
    if (numeros.length === 0) continue;
    const rows = (await recordsDb(ctx.db)
      .selectFrom(type.table.qualifiedName)
      .selectAll()
      .where('numero', 'in', numeros)
      .execute()) as Row[];
    for (const row of rows) items.set(`${type.name}:${row.numero}`, summaryOf(type, row));
  }
  return {
    items: page.flatMap((key) => items.get(`${key.type.name}:${key.numero}`) ?? []),
    total: Math.min(total, searchCountLimit),
    more: total > searchCountLimit,
  };
}

export interface RecordEvent {
  readonly kind: string;
  readonly user: string | null;
  readonly workstation: string | null;
  readonly at: Date;
  readonly detail: unknown;
}

/** Traceability: who drafted, edited, verified, validated, cancelled the record, from where and when. */
export async function recordHistory(
  ctx: KitContext,
  user: SessionUser,
  ref: RecordRef,
): Promise<RecordEvent[]> {
  const type = typeNamed(ctx, ref.type);
  requireAction(user, type, 'read');
  const table = type.table.name;
  const rows = await ctx.db
    .selectFrom('xm_site.act_events')
    .select(['kind', 'user_login', 'workstation', 'at', 'detail'])
    .where('table_name', '=', table)
    .where('act_numero', '=', ref.numero)
    .orderBy('id')
    .execute();
  if (rows.length === 0) {
    const exists = await recordsDb(ctx.db)
      .selectFrom(type.table.qualifiedName)
      .select('numero')
      .where('numero', '=', ref.numero)
      .executeTakeFirst();
    if (!exists) throw notFound(ref.ref);
  }
  const events: RecordEvent[] = rows.map((row) => ({
    kind: row.kind,
    user: row.user_login,
    workstation: row.workstation,
    at: row.at as unknown as Date,
    detail: row.detail,
  }));
  // Sends are not history rows: the outbox keeps the last send of each container and its attempts.
  const sends = await ctx.db
    .selectFrom('xm_site.sealed_rows as r')
    .innerJoin('xm_site.outbox as o', 'o.id', 'r.outbox_id')
    .select(['o.container_id', 'o.sent_at', 'o.attempts'])
    .where('r.table_name', '=', table)
    .where('r.numero', '=', ref.numero)
    .where('o.sent_at', 'is not', null)
    .execute();
  for (const send of sends) {
    events.push({
      kind: 'sent',
      user: null,
      workstation: null,
      at: send.sent_at as unknown as Date,
      detail: { container: send.container_id, attempts: send.attempts },
    });
  }
  return events.sort((a, b) => a.at.getTime() - b.at.getTime());
}
