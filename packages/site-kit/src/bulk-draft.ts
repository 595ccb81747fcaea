import { type KitContext, recordsDb, refOf, typeNamed } from './context.js';
import type { FieldError, RecordRef, RecordType } from './record-type.js';
import { checkFields, requireAction } from './records.js';
import type { MutableRow, RecordsDb } from './tables.js';
import type { SessionUser } from './users.js';

/** One record of a batch: its type and its fields, as `records.draft` takes them. */
export interface DraftItem {
  readonly type: string;
  readonly input: unknown;
}

export interface DraftManyOptions {
  /** Also mark every record verified by the same user (who must hold the verify privilege). */
  readonly verify?: boolean;
  /** Called as the batch is checked, then stored: `done` of `total` records. */
  readonly onProgress?: (phase: 'checking' | 'storing', done: number, total: number) => void;
}

/** A refused item: its index in the batch and every problem with its fields. */
export interface RefusedItem {
  readonly index: number;
  readonly errors: readonly FieldError[];
}

export type DraftManyResult =
  | { readonly ok: true; readonly refs: readonly RecordRef[] }
  | { readonly ok: false; readonly refused: readonly RefusedItem[] };

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for the widest record type. */
const chunkSize = 200;
/** Progress is reported at most this often (in records) while checking. */
const progressStep = 500;

/**
 * Drafts a batch of records, all or none: every item goes through the same privilege check and the
 * same field checks as `records.draft`; if any is refused, nothing is stored and every refusal is
 * returned; otherwise all are stored at status 1 (verified too with `verify`) in one transaction,
 * each with the history lines `records.draft` (and `records.verify`) would write.
 */
export async function draftRecords(
  ctx: KitContext,
  user: SessionUser,
  items: readonly DraftItem[],
  options: DraftManyOptions = {},
): Promise<DraftManyResult> {
  const types = new Map<string, RecordType>();
  for (const item of items) {
    if (types.has(item.type)) continue;
    const type = typeNamed(ctx, item.type);
    requireAction(user, type, 'draft');
    if (options.verify) requireAction(user, type, 'verify');
    types.set(item.type, type);
  }
  const today = ctx.today();
  const settings = await ctx.settings();
  const refused: RefusedItem[] = [];
  const checked: { type: RecordType; row: MutableRow }[] = [];
  const progress = options.onProgress ?? (() => {});
  items.forEach((item, index) => {
    const type = types.get(item.type) as RecordType;
    const result = checkFields(type, item.input, today, settings);
    if (Array.isArray(result)) refused.push({ index, errors: result });
    else checked.push({ type, row: result });
    if ((index + 1) % progressStep === 0) progress('checking', index + 1, items.length);
  });
  progress('checking', items.length, items.length);
  if (refused.length > 0) return { ok: false, refused };

  const refs = await recordsDb(ctx.db)
    .transaction()
    .execute(async (trx) => {
      const stored: RecordRef[] = new Array(checked.length);
      // Consecutive records of one type go in one INSERT; the order of the batch is kept.
      let start = 0;
      while (start < checked.length) {
        const type = checked[start]?.type as RecordType;
        let end = start;
        while (end < checked.length && end - start < chunkSize && checked[end]?.type === type) end += 1;
        const numeros = await insertChunk(
          trx,
          type,
          user,
          checked.slice(start, end),
          options.verify === true,
        );
        numeros.forEach((numero, offset) => {
          stored[start + offset] = refOf(type, numero);
        });
        start = end;
        progress('storing', start, checked.length);
      }
      return stored;
    });
  return { ok: true, refs };
}

async function insertChunk(
  trx: RecordsDb,
  type: RecordType,
  user: SessionUser,
  chunk: readonly { row: MutableRow }[],
  verify: boolean,
): Promise<number[]> {
  const now = new Date();
  const workflow = {
    status: 1,
    drafted_by: user.login,
    drafted_at: now,
    ...(verify ? { verified_by: user.login, verified_at: now } : {}),
  };
  const inserted = (await trx
    .insertInto(type.table.qualifiedName)
    .values(chunk.map(({ row }) => ({ ...row, ...workflow })))
    .returning('numero')
    .execute()) as { numero: number }[];
  // RETURNING gives the rows in the order of VALUES; sorted numbers say so whatever the engine does.
  const numeros = inserted.map((row) => Number(row.numero)).sort((a, b) => a - b);
  const event = (numero: number, kind: string) => ({
    table_name: type.table.name,
    act_numero: numero,
    kind,
    user_login: user.login,
    workstation: user.workstation ?? null,
    detail: null,
  });
  await trx
    .insertInto('xm_site.act_events')
    .values(
      numeros.flatMap((numero) => [event(numero, 'drafted'), ...(verify ? [event(numero, 'verified')] : [])]),
    )
    .execute();
  return numeros;
}
