import { type KitContext, recordsDb, typeNamed } from './context.js';
import { SiteKitError } from './errors.js';
import type { FieldError, RecordRef } from './record-type.js';
import { checkFields, insertDraft, invalidRecord, requireAction } from './records.js';
import type { SessionUser } from './users.js';

// A form its author could not finish (a paper missing a field): the exchanged table refuses a row
// without its required fields, so the fields wait in xm_site.unfinished_records, seen only by their
// author, until completed into a record at status 1 (through every check a draft passes) or discarded.

export interface UnfinishedRecord {
  readonly id: number;
  readonly type: string;
  readonly fields: Readonly<Record<string, unknown>>;
  /** What still stops it from becoming a record, both languages. */
  readonly problems: readonly FieldError[];
  readonly updatedAt: Date;
}

const maxFieldsBytes = 64 * 1024;

function fieldsOf(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SiteKitError('invalid-state', {
      detail: 'An unfinished form is an object of fields.',
      detailFr: 'Un formulaire inachevé est un objet de champs.',
    });
  }
  // Keep what was typed, as typed: text, numbers, booleans, nulls; nothing nested, nothing huge.
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  if (JSON.stringify(fields).length > maxFieldsBytes) {
    throw new SiteKitError('invalid-state', {
      detail: 'This form is too large to keep.',
      detailFr: 'Ce formulaire est trop volumineux pour être conservé.',
    });
  }
  return fields;
}

async function owned(ctx: KitContext, user: SessionUser, id: number) {
  const row = await ctx.db
    .selectFrom('xm_site.unfinished_records')
    .select(['id', 'record_type', 'fields', 'updated_at'])
    .where('id', '=', id)
    .where('author_id', '=', user.id)
    .executeTakeFirst();
  // Another author's form is as absent as a missing one: nobody else sees it.
  if (!row)
    throw new SiteKitError('not-found', { what: 'unfinished form', whatFr: 'formulaire inachevé', id });
  return row;
}

async function view(
  ctx: KitContext,
  row: { id: number; record_type: string; fields: unknown; updated_at: unknown },
): Promise<UnfinishedRecord> {
  const fields = (typeof row.fields === 'string' ? JSON.parse(row.fields) : row.fields) as Record<
    string,
    unknown
  >;
  const checked = checkFields(typeNamed(ctx, row.record_type), fields, ctx.today(), await ctx.settings());
  return {
    id: row.id,
    type: row.record_type,
    fields,
    problems: Array.isArray(checked) ? checked : [],
    updatedAt: row.updated_at as Date,
  };
}

/** Keeps a form as it is, new (no `id`) or over the author's earlier save. */
export async function saveUnfinished(
  ctx: KitContext,
  user: SessionUser,
  typeName: string,
  input: unknown,
  id?: number,
): Promise<UnfinishedRecord> {
  const type = typeNamed(ctx, typeName);
  requireAction(user, type, 'draft');
  const fields = JSON.stringify(fieldsOf(input));
  if (id !== undefined) {
    await owned(ctx, user, id);
    const row = await ctx.db
      .updateTable('xm_site.unfinished_records')
      .set({ fields, record_type: type.name, workstation: user.workstation ?? null, updated_at: new Date() })
      .where('id', '=', id)
      .returning(['id', 'record_type', 'fields', 'updated_at'])
      .executeTakeFirstOrThrow();
    return view(ctx, row);
  }
  const row = await ctx.db
    .insertInto('xm_site.unfinished_records')
    .values({ record_type: type.name, author_id: user.id, fields, workstation: user.workstation ?? null })
    .returning(['id', 'record_type', 'fields', 'updated_at'])
    .executeTakeFirstOrThrow();
  return view(ctx, row);
}

/** The author's unfinished forms, last saved first. */
export async function listUnfinished(ctx: KitContext, user: SessionUser): Promise<UnfinishedRecord[]> {
  const rows = await ctx.db
    .selectFrom('xm_site.unfinished_records')
    .select(['id', 'record_type', 'fields', 'updated_at'])
    .where('author_id', '=', user.id)
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const known = rows.filter((row) => ctx.types.some((type) => type.name === row.record_type));
  return Promise.all(known.map((row) => view(ctx, row)));
}

export async function openUnfinished(
  ctx: KitContext,
  user: SessionUser,
  id: number,
): Promise<UnfinishedRecord> {
  return view(ctx, await owned(ctx, user, id));
}

/**
 * Turns the form into a record at status 1 (with `changes` applied last), through every check a draft
 * passes; the form is removed in the same transaction. Refused (`invalid-record`) while incomplete.
 */
export async function completeUnfinished(
  ctx: KitContext,
  user: SessionUser,
  id: number,
  changes: Readonly<Record<string, unknown>> = {},
): Promise<RecordRef> {
  const form = await openUnfinished(ctx, user, id);
  const type = typeNamed(ctx, form.type);
  requireAction(user, type, 'draft');
  const checked = checkFields(type, { ...form.fields, ...changes }, ctx.today(), await ctx.settings());
  if (Array.isArray(checked)) throw invalidRecord(checked);
  return recordsDb(ctx.db)
    .transaction()
    .execute(async (trx) => {
      const removed = await trx
        .deleteFrom('xm_site.unfinished_records')
        .where('id', '=', id)
        .where('author_id', '=', user.id)
        .returning('id')
        .executeTakeFirst();
      // Completed meanwhile from another workstation: one record, not two.
      if (!removed)
        throw new SiteKitError('not-found', { what: 'unfinished form', whatFr: 'formulaire inachevé', id });
      return insertDraft(trx, type, user, checked);
    });
}

export async function discardUnfinished(ctx: KitContext, user: SessionUser, id: number): Promise<void> {
  await owned(ctx, user, id);
  await ctx.db
    .deleteFrom('xm_site.unfinished_records')
    .where('id', '=', id)
    .where('author_id', '=', user.id)
    .execute();
}
