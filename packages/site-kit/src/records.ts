import { dataColumns, validateRow } from '@xmcomm/schema';
import { sql } from 'kysely';
import { type KitContext, notFound, recordsDb, refOf, statusName, typeNamed } from './context.js';
import { SiteKitError } from './errors.js';
import { formatNiu, maxNiuSequence } from './niu.js';
import {
  type FieldError,
  type RecordAction,
  type RecordRef,
  type RecordType,
  type Row,
  type Text,
  workflowColumnNames,
} from './record-type.js';
import { canonicalRecord, digestOf, signBytes, unlockSigningKey } from './signing.js';
import type { MutableRow, RecordsDb } from './tables.js';
import { requirePrivilege, type SessionUser } from './users.js';

const workflowFields: readonly string[] = workflowColumnNames;

/** The actions' verbs, for messages (`verify` / `vérifier`). */
export const actionVerbs: Readonly<Record<RecordAction, Text>> = {
  read: { en: 'read', fr: 'consulter' },
  draft: { en: 'draft', fr: 'rédiger' },
  edit: { en: 'edit', fr: 'modifier' },
  verify: { en: 'verify', fr: 'vérifier' },
  validate: { en: 'validate', fr: 'valider' },
  cancel: { en: 'cancel', fr: 'annuler' },
  print: { en: 'print copies of', fr: 'imprimer des copies' },
};

/** Refuses (`forbidden`) unless the user's privilege allows `action` on records of `type`. */
export function requireAction(user: SessionUser, type: RecordType, action: RecordAction): void {
  const verb = actionVerbs[action];
  requirePrivilege(user, type.privileges[action], {
    en: `${verb.en} ${type.label.en} records`,
    fr: `${verb.fr} des fiches ${type.label.fr}`,
    key: action,
  });
}

/** Whether the user may do `action` on records of `type` (what a page shows buttons for). */
export function allows(user: SessionUser, type: RecordType, action: RecordAction): boolean {
  return user.privilege >= type.privileges[action];
}

function workflowFieldError(field: string): FieldError {
  return {
    field,
    code: 'unknown-field',
    message: `${field} is set by the workflow, not by the record's author.`,
    messageFr: `${field} est renseigné par le circuit de validation, pas par l'auteur de la fiche.`,
  };
}

/** Each problem once: the same field and code said twice is one problem. */
function distinct(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.field}\u0000${error.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Every problem with a record's fields at once, each once: the contract's (format, required, allowed
 * values) and the record type's rules. A rule runs whenever the fields it reads passed the contract,
 * even when other fields did not, so a clerk never fixes the formats only to meet the rules in a
 * second round. Returns the row as it would be stored when there is none.
 */
export function checkFields(
  type: RecordType,
  input: unknown,
  today: string,
  settings: unknown,
): FieldError[] | MutableRow {
  const rules = (row: Row) => type.rules?.(row, { today, settings }) ?? [];
  const errors: FieldError[] = [];
  let candidate = input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const copy: MutableRow = { ...(input as Row) };
    for (const field of workflowFields) {
      if (field in copy) {
        errors.push(workflowFieldError(field));
        delete copy[field];
      }
    }
    candidate = copy;
  }
  const checked = validateRow(type.table, candidate);
  if (checked.ok) {
    const value = checked.value as MutableRow;
    for (const field of workflowFields) delete value[field];
    errors.push(...rules(value));
    return errors.length > 0 ? distinct(errors) : value;
  }
  errors.push(...checked.errors);
  if (typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate)) {
    // The fields the contract accepted are as it would store them, so the rules read them as given;
    // a refused field is left out, and a rule that reads it is skipped.
    const refused = new Set(checked.errors.map((error) => error.field));
    errors.push(
      ...rules(Object.fromEntries(Object.entries(candidate as Row).filter(([field]) => !refused.has(field)))),
    );
  }
  return distinct(errors);
}

export function invalidRecord(errors: readonly FieldError[]): SiteKitError {
  return new SiteKitError('invalid-record', { count: errors.length }, { fieldErrors: errors });
}

/** A history line, in the transaction of the change it records. */
export async function recordEvent(
  db: RecordsDb,
  type: RecordType,
  numero: number,
  kind: string,
  user: SessionUser | null,
  detail?: unknown,
): Promise<void> {
  await db
    .insertInto('xm_site.act_events')
    .values({
      table_name: type.table.name,
      act_numero: numero,
      kind,
      user_login: user?.login ?? null,
      workstation: user?.workstation ?? null,
      detail: detail === undefined ? null : JSON.stringify(detail),
    })
    .execute();
}

/**
 * History lines for several records of one type at once, made by a login or by nobody (the
 * synchronisation): no workstation. `detail` gives each record's detail.
 */
export async function recordEvents(
  db: RecordsDb,
  type: RecordType,
  numeros: readonly number[],
  kind: string,
  login: string | null,
  detail: (numero: number) => unknown,
): Promise<void> {
  if (numeros.length === 0) return;
  await db
    .insertInto('xm_site.act_events')
    .values(
      numeros.map((numero) => ({
        table_name: type.table.name,
        act_numero: numero,
        kind,
        user_login: login,
        detail: JSON.stringify(detail(numero)),
      })),
    )
    .execute();
}

async function loadForUpdate(db: RecordsDb, type: RecordType, numero: number): Promise<MutableRow> {
  const row = (await db
    .selectFrom(type.table.qualifiedName)
    .selectAll()
    .where('numero', '=', numero)
    .forUpdate()
    .executeTakeFirst()) as MutableRow | undefined;
  const ref = refOf(type, numero).ref;
  if (!row) throw notFound(ref);
  if (row.origin_matricule !== null) {
    throw new SiteKitError('read-only', { id: ref, origin: String(row.origin_matricule) });
  }
  return row;
}

function wrongStatus(ref: RecordRef, status: number, action: Text): SiteKitError {
  const name = statusName(status);
  return new SiteKitError('invalid-state', {
    detail: `Record ${ref.ref} is ${name.en}: it cannot be ${action.en}.`,
    detailFr: `La fiche ${ref.ref} est à l'état ${name.fr} : elle ne peut pas être ${action.fr}.`,
    status,
  });
}

/** A status-1 row's fields as its author sees them: workflow and lifecycle columns left out. */
function dataOf(type: RecordType, row: Row): MutableRow {
  const data: MutableRow = {};
  for (const column of dataColumns(type.table)) {
    if (!workflowFields.includes(column) && row[column] !== null) data[column] = row[column];
  }
  return data;
}

/** Runs `body` on the record locked for update, at status 1, in one transaction. */
async function changeNew<T>(
  ctx: KitContext,
  ref: RecordRef,
  action: Text,
  body: (trx: RecordsDb, type: RecordType, row: MutableRow) => Promise<T>,
): Promise<T> {
  const type = typeNamed(ctx, ref.type);
  return recordsDb(ctx.db)
    .transaction()
    .execute(async (trx) => {
      const row = await loadForUpdate(trx, type, ref.numero);
      if (row.status !== 1) throw wrongStatus(ref, row.status as number, action);
      return body(trx, type, row);
    });
}

/** Inserts a checked record at status 1 with its `drafted` history line; the caller's transaction. */
export async function insertDraft(
  trx: RecordsDb,
  type: RecordType,
  user: SessionUser,
  row: MutableRow,
): Promise<RecordRef> {
  const inserted = await trx
    .insertInto(type.table.qualifiedName)
    .values({ ...row, status: 1, drafted_by: user.login, drafted_at: new Date() })
    .returning('numero')
    .executeTakeFirstOrThrow();
  const numero = inserted.numero as number;
  await recordEvent(trx, type, numero, 'drafted', user);
  return refOf(type, numero);
}

/** Drafts a record: checked on entry, stored at status 1. */
export async function draftRecord(
  ctx: KitContext,
  user: SessionUser,
  typeName: string,
  input: unknown,
): Promise<RecordRef> {
  const type = typeNamed(ctx, typeName);
  requireAction(user, type, 'draft');
  const checked = checkFields(type, input, ctx.today(), await ctx.settings());
  if (Array.isArray(checked)) throw invalidRecord(checked);
  return recordsDb(ctx.db)
    .transaction()
    .execute((trx) => insertDraft(trx, type, user, checked));
}

/** Changes fields of a record still at status 1 (`null` clears a field); its verification starts over. */
export async function editRecord(
  ctx: KitContext,
  user: SessionUser,
  ref: RecordRef,
  changes: Readonly<Record<string, unknown>>,
): Promise<string[]> {
  requireAction(user, typeNamed(ctx, ref.type), 'edit');
  const settings = await ctx.settings();
  return changeNew(ctx, ref, { en: 'edited', fr: 'modifiée' }, async (trx, type, row) => {
    const checked = checkFields(type, { ...dataOf(type, row), ...changes }, ctx.today(), settings);
    if (Array.isArray(checked)) throw invalidRecord(checked);
    const columns = dataColumns(type.table).filter((c) => !workflowFields.includes(c));
    const changed = columns.filter(
      (c) => JSON.stringify(checked[c] ?? null) !== JSON.stringify(row[c] ?? null),
    );
    if (changed.length === 0) return [];
    const set: MutableRow = { verified_by: null, verified_at: null };
    for (const column of changed) set[column] = checked[column] ?? null;
    await trx.updateTable(type.table.qualifiedName).set(set).where('numero', '=', ref.numero).execute();
    await recordEvent(trx, type, ref.numero, 'edited', user, { fields: changed });
    return changed;
  });
}

/** A secretary (or the head) checks a drafted record against the paper it came from. */
export async function verifyRecord(ctx: KitContext, user: SessionUser, ref: RecordRef): Promise<void> {
  requireAction(user, typeNamed(ctx, ref.type), 'verify');
  await changeNew(ctx, ref, { en: 'verified', fr: 'vérifiée' }, async (trx, type, row) => {
    if (row.verified_by !== null) {
      throw new SiteKitError('invalid-state', {
        detail: `Record ${ref.ref} was already verified by ${row.verified_by}.`,
        detailFr: `La fiche ${ref.ref} a déjà été vérifiée par ${row.verified_by}.`,
      });
    }
    await trx
      .updateTable(type.table.qualifiedName)
      .set({ verified_by: user.login, verified_at: new Date() })
      .where('numero', '=', ref.numero)
      .execute();
    await recordEvent(trx, type, ref.numero, 'verified', user);
  });
}

/** Takes the next number of the site's NIU sequence for `year`, atomically across workstations. */
async function nextNiuSequence(db: RecordsDb, year: number): Promise<number> {
  const row = await db
    .insertInto('xm_site.counters')
    .values({ name: `niu-${year}`, value: 1 })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({ value: sql`${sql.ref('xm_site.counters.value')} + 1` }),
    )
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

export interface Validation {
  readonly niu: string;
  /** Hex SHA-256 of the canonical record the head signed. */
  readonly digest: string;
}

/**
 * The head validates a verified record: status 2, its NIU (kept if the record had one and came back
 * rejected), and the head's signature over the record as it now stands.
 */
export async function validateRecord(
  ctx: KitContext,
  user: SessionUser,
  password: string,
  ref: RecordRef,
): Promise<Validation> {
  requireAction(user, typeNamed(ctx, ref.type), 'validate');
  const key = await unlockSigningKey(ctx.db, user, password);
  const [centre, settings] = [await ctx.centre(), await ctx.settings()];
  return changeNew(ctx, ref, { en: 'validated', fr: 'validée' }, async (trx, type, row) => {
    if (row.verified_by === null) {
      throw new SiteKitError('invalid-state', {
        detail: `Record ${ref.ref} must be verified by a secretary before it is validated.`,
        detailFr: `La fiche ${ref.ref} doit être vérifiée par un secrétaire avant d'être validée.`,
      });
    }
    // The rules again: a record drafted with a date "tomorrow" in another time zone is caught here.
    const checked = checkFields(type, dataOf(type, row), ctx.today(), settings);
    if (Array.isArray(checked)) throw invalidRecord(checked);
    let niu = row.niu as string | null;
    if (niu === null) {
      const year = Number(ctx.today().slice(0, 4));
      const sequence = await nextNiuSequence(trx, year);
      if (sequence > maxNiuSequence) {
        throw new SiteKitError('invalid-state', {
          detail: `The NIU sequence of ${year} is exhausted.`,
          detailFr: `La séquence de NIU de ${year} est épuisée.`,
        });
      }
      niu = formatNiu({ centreCode: centre.centreCode, year, sequence });
    }
    const validated = (await trx
      .updateTable(type.table.qualifiedName)
      .set({ status: 2, niu, validated_by: user.login, validated_at: new Date() })
      .where('numero', '=', ref.numero)
      .returningAll()
      .executeTakeFirstOrThrow()) as MutableRow;
    const bytes = canonicalRecord(type.table.name, centre.matricule, validated);
    const digest = digestOf(bytes);
    await trx
      .insertInto('xm_site.act_signatures')
      .values({
        table_name: type.table.name,
        act_numero: ref.numero,
        niu,
        signer_login: user.login,
        user_key_id: key.id,
        digest,
        signature: signBytes(key.privateKey, bytes),
      })
      .execute();
    await recordEvent(trx, type, ref.numero, 'validated', user, { niu, digest });
    return { niu, digest };
  });
}

/** Cancels a drafted record (status 0). A validated record is frozen: it goes to the server as it is. */
export async function cancelRecord(
  ctx: KitContext,
  user: SessionUser,
  ref: RecordRef,
  reason?: string,
): Promise<void> {
  requireAction(user, typeNamed(ctx, ref.type), 'cancel');
  await changeNew(ctx, ref, { en: 'cancelled', fr: 'annulée' }, async (trx, type) => {
    await trx
      .updateTable(type.table.qualifiedName)
      .set({ status: 0 })
      .where('numero', '=', ref.numero)
      .execute();
    await recordEvent(trx, type, ref.numero, 'cancelled', user, reason ? { reason } : undefined);
  });
}
