import {
  births,
  dataColumns,
  deaths,
  type Language,
  marriages,
  type SiteDatabase,
  validateRow,
} from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import type { CentreSettings } from './centre.js';
import { EcrError } from './errors.js';
import { formatNiu, maxNiuSequence } from './niu.js';
import {
  type ActFieldError,
  type ActKind,
  type ActTableName,
  type CivilRules,
  checkCivilRules,
  kindOfTable,
  tableOfKind,
} from './rules.js';
import { canonicalAct, digestOf, signBytes, unlockSigningKey, verifyBytes } from './signing.js';
import { requirePrivilege, type SessionUser } from './users.js';

/** What every act operation needs: the centre's database, identity and rules, and today's date. */
export interface CentreContext {
  readonly db: Kysely<SiteDatabase>;
  readonly centre: CentreSettings;
  readonly rules: CivilRules;
  /** `YYYY-MM-DD` in the centre's time zone. */
  readonly today: () => string;
}

// Rows of the three tables are handled through their contract definitions, so the column names
// come from the contract; Kysely's row types cannot follow a table chosen at run time.
// biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time from the contract
type AnyDb = Kysely<any>;
type Row = Record<string, unknown>;

const definitions = { birth: births, marriage: marriages, death: deaths } as const;

export const statusNames: Readonly<Record<number, { en: string; fr: string }>> = {
  0: { en: 'cancelled', fr: 'annulé' },
  1: { en: 'new', fr: 'nouveau' },
  2: { en: 'validated', fr: 'validé' },
  3: { en: 'sealed', fr: 'SDC' },
  4: { en: 'exported', fr: 'exporté' },
};

/** Where each kind of act keeps the columns that search, lists and statistics read. */
export const actLayout = {
  birth: {
    eventDate: 'date_of_birth',
    names: ['child_surname', 'child_given_names', 'mother_surname', 'father_surname'],
    places: ['place_of_birth_locality', 'place_of_birth_region'],
    sex: 'child_sex',
    title: (row: Row) => `${row.child_surname} ${row.child_given_names}`,
  },
  marriage: {
    eventDate: 'date_of_marriage',
    names: ['spouse1_surname', 'spouse1_given_names', 'spouse2_surname', 'spouse2_given_names'],
    places: ['place_of_marriage_locality', 'place_of_marriage_region'],
    sex: null,
    title: (row: Row) =>
      `${row.spouse1_surname} ${row.spouse1_given_names} & ${row.spouse2_surname} ${row.spouse2_given_names}`,
  },
  death: {
    eventDate: 'date_of_death',
    names: ['deceased_surname', 'deceased_given_names'],
    places: ['place_of_death_locality', 'place_of_death_region'],
    sex: 'deceased_sex',
    title: (row: Row) => `${row.deceased_surname} ${row.deceased_given_names}`,
  },
} as const;

/** Columns the workflow fills, never the act's author. */
const workflowFields = [
  'niu',
  'drafted_by',
  'drafted_at',
  'verified_by',
  'verified_at',
  'validated_by',
  'validated_at',
];

// ---------------------------------------------------------------------------------------------
// References: B12 (birth 12), M3 (marriage 3), D7 (death 7)

export interface ActRef {
  readonly kind: ActKind;
  readonly numero: number;
}

const refLetters: Record<ActKind, string> = { birth: 'B', marriage: 'M', death: 'D' };

export function formatActRef(ref: ActRef): string {
  return `${refLetters[ref.kind]}${ref.numero}`;
}

/** `B12`, `m3`, `D7`, or a bare number when the kind is given separately; undefined otherwise. */
export function parseActRef(text: string, kind?: ActKind): ActRef | undefined {
  const match = /^([BMDbmd])?(\d{1,9})$/.exec(text.trim());
  if (!match) return undefined;
  const letter = match[1]?.toUpperCase();
  const fromLetter = (Object.keys(refLetters) as ActKind[]).find((k) => refLetters[k] === letter);
  const resolved = fromLetter ?? kind;
  if (!resolved || (fromLetter && kind && fromLetter !== kind)) return undefined;
  const numero = Number(match[2]);
  return numero >= 1 ? { kind: resolved, numero } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Validation

function workflowFieldError(field: string): ActFieldError {
  return {
    field,
    code: 'unknown-field',
    message: `${field} is set by the workflow, not by the act's author.`,
    messageFr: `${field} est renseigné par le circuit de validation, pas par l'auteur de l'acte.`,
  };
}

/**
 * Every problem with an act's fields at once, each once: the contract's (format, required, allowed
 * values) and the civil registration rules'. A rule runs whenever the fields it reads passed the
 * contract, even when other fields did not, so a clerk never fixes the formats only to meet the date
 * rules in a second round.
 */
export function checkAct(
  kind: ActKind,
  input: unknown,
  today: string,
  rules: CivilRules,
): ActFieldError[] | Row {
  const table = definitions[kind];
  const errors: ActFieldError[] = [];
  let candidate = input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const copy: Row = { ...(input as Row) };
    for (const field of workflowFields) {
      if (field in copy) {
        errors.push(workflowFieldError(field));
        delete copy[field];
      }
    }
    candidate = copy;
  }
  const checked = validateRow(table, candidate);
  if (checked.ok) {
    const value = checked.value as Row;
    for (const field of workflowFields) delete value[field];
    errors.push(...checkCivilRules(kind, value, today, rules));
    return errors.length > 0 ? distinct(errors) : value;
  }
  errors.push(...checked.errors);
  if (typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate)) {
    // The fields the contract accepted are as it would store them (it converts no date or number),
    // so the rules read them as given; a refused field is left out, and a rule that reads it is skipped.
    const refused = new Set(checked.errors.map((error) => error.field));
    const accepted = Object.fromEntries(
      Object.entries(candidate as Row).filter(([field]) => !refused.has(field)),
    );
    errors.push(...checkCivilRules(kind, accepted, today, rules));
  }
  return distinct(errors);
}

/** Each problem once: the same field and code said twice is one problem. */
function distinct(errors: readonly ActFieldError[]): ActFieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.field}\u0000${error.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function invalid(errors: readonly ActFieldError[]): EcrError {
  return new EcrError(
    'invalid-act',
    { count: errors.length },
    {
      fieldErrors: errors.map((e) => ({ ...e, code: e.code as never })),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

async function recordEvent(
  db: AnyDb,
  ref: ActRef,
  kind: string,
  user: SessionUser | null,
  detail?: unknown,
): Promise<void> {
  await db
    .insertInto('xm_site.act_events')
    .values({
      table_name: tableOfKind[ref.kind],
      act_numero: ref.numero,
      kind,
      user_login: user?.login ?? null,
      detail: detail === undefined ? null : JSON.stringify(detail),
    })
    .execute();
}

async function loadForUpdate(db: AnyDb, ref: ActRef): Promise<Row> {
  const row = (await db
    .selectFrom(`xm_data.${tableOfKind[ref.kind]}`)
    .selectAll()
    .where('numero', '=', ref.numero)
    .forUpdate()
    .executeTakeFirst()) as Row | undefined;
  if (!row) throw notFound(ref);
  if (row.origin_matricule !== null) {
    throw new EcrError('read-only', { id: formatActRef(ref), origin: String(row.origin_matricule) });
  }
  return row;
}

function notFound(ref: ActRef | string): EcrError {
  return new EcrError('not-found', {
    what: 'act',
    whatFr: 'acte',
    id: typeof ref === 'string' ? ref : formatActRef(ref),
  });
}

function wrongStatus(ref: ActRef, status: number, action: { en: string; fr: string }): EcrError {
  const name = statusNames[status] ?? { en: String(status), fr: String(status) };
  return new EcrError('invalid-state', {
    detail: `Act ${formatActRef(ref)} is ${name.en}: it cannot be ${action.en}.`,
    detailFr: `L'acte ${formatActRef(ref)} est ${name.fr} : il ne peut pas être ${action.fr}.`,
  });
}

/** An agent (or anyone above) drafts an act: checked on entry, stored at status 1. */
export async function draftAct(
  ctx: CentreContext,
  user: SessionUser,
  kind: ActKind,
  input: unknown,
): Promise<ActRef> {
  requirePrivilege(user, 1, { en: 'draft acts', fr: 'rédiger des actes' });
  const checked = checkAct(kind, input, ctx.today(), ctx.rules);
  if (Array.isArray(checked)) throw invalid(checked);
  const db = ctx.db as unknown as AnyDb;
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto(`xm_data.${tableOfKind[kind]}`)
      .values({ ...checked, status: 1, drafted_by: user.login, drafted_at: new Date() })
      .returning('numero')
      .executeTakeFirstOrThrow();
    const ref = { kind, numero: inserted.numero as number };
    await recordEvent(trx, ref, 'drafted', user);
    return ref;
  });
}

/** Changes fields of an act still at status 1 (`null` clears a field); its verification starts over. */
export async function editAct(
  ctx: CentreContext,
  user: SessionUser,
  ref: ActRef,
  changes: Readonly<Record<string, unknown>>,
): Promise<string[]> {
  requirePrivilege(user, 1, { en: 'edit acts', fr: 'modifier des actes' });
  const db = ctx.db as unknown as AnyDb;
  return db.transaction().execute(async (trx) => {
    const row = await loadForUpdate(trx, ref);
    if (row.status !== 1) throw wrongStatus(ref, row.status as number, { en: 'edited', fr: 'modifié' });
    const columns = dataColumns(definitions[ref.kind]).filter((c) => !workflowFields.includes(c));
    const current: Row = {};
    for (const column of columns) if (row[column] !== null) current[column] = row[column];
    const merged = { ...current, ...changes };
    const checked = checkAct(ref.kind, merged, ctx.today(), ctx.rules);
    if (Array.isArray(checked)) throw invalid(checked);
    const changed = columns.filter(
      (c) => JSON.stringify(checked[c] ?? null) !== JSON.stringify(row[c] ?? null),
    );
    if (changed.length === 0) return [];
    const set: Row = { verified_by: null, verified_at: null };
    for (const column of changed) set[column] = checked[column] ?? null;
    await trx
      .updateTable(`xm_data.${tableOfKind[ref.kind]}`)
      .set(set)
      .where('numero', '=', ref.numero)
      .execute();
    await recordEvent(trx, ref, 'edited', user, { fields: changed });
    return changed;
  });
}

/** A secretary (or the officer) checks a drafted act against the declaration. */
export async function verifyAct(ctx: CentreContext, user: SessionUser, ref: ActRef): Promise<void> {
  requirePrivilege(user, 2, { en: 'verify acts', fr: 'vérifier des actes' });
  const db = ctx.db as unknown as AnyDb;
  await db.transaction().execute(async (trx) => {
    const row = await loadForUpdate(trx, ref);
    if (row.status !== 1) throw wrongStatus(ref, row.status as number, { en: 'verified', fr: 'vérifié' });
    if (row.verified_by !== null) {
      throw new EcrError('invalid-state', {
        detail: `Act ${formatActRef(ref)} was already verified by ${row.verified_by}.`,
        detailFr: `L'acte ${formatActRef(ref)} a déjà été vérifié par ${row.verified_by}.`,
      });
    }
    await trx
      .updateTable(`xm_data.${tableOfKind[ref.kind]}`)
      .set({ verified_by: user.login, verified_at: new Date() })
      .where('numero', '=', ref.numero)
      .execute();
    await recordEvent(trx, ref, 'verified', user);
  });
}

/** Takes the next number of this centre's NIU sequence for `year`, atomically across workstations. */
async function nextNiuSequence(db: AnyDb, year: number): Promise<number> {
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
  readonly digest: string;
}

/**
 * The officer validates a verified act: status 2, its NIU (kept if the act had one and came back
 * rejected), and the officer's signature over the act as it now stands.
 */
export async function validateAct(
  ctx: CentreContext,
  user: SessionUser,
  password: string,
  ref: ActRef,
): Promise<Validation> {
  requirePrivilege(user, 3, { en: 'validate acts', fr: 'valider des actes' });
  const key = await unlockSigningKey(ctx.db, user, password);
  const db = ctx.db as unknown as AnyDb;
  const table = tableOfKind[ref.kind];
  return db.transaction().execute(async (trx) => {
    const row = await loadForUpdate(trx, ref);
    if (row.status !== 1) throw wrongStatus(ref, row.status as number, { en: 'validated', fr: 'validé' });
    if (row.verified_by === null) {
      throw new EcrError('invalid-state', {
        detail: `Act ${formatActRef(ref)} must be verified by a secretary before it is validated.`,
        detailFr: `L'acte ${formatActRef(ref)} doit être vérifié par un secrétaire avant d'être validé.`,
      });
    }
    // The rules again: an act drafted with a date "tomorrow" in another time zone is caught here.
    const columns = dataColumns(definitions[ref.kind]).filter((c) => !workflowFields.includes(c));
    const data: Row = {};
    for (const column of columns) if (row[column] !== null) data[column] = row[column];
    const checked = checkAct(ref.kind, data, ctx.today(), ctx.rules);
    if (Array.isArray(checked)) throw invalid(checked);
    let niu = row.niu as string | null;
    if (niu === null) {
      const year = Number(ctx.today().slice(0, 4));
      const sequence = await nextNiuSequence(trx, year);
      if (sequence > maxNiuSequence) {
        throw new EcrError('invalid-state', {
          detail: `The NIU sequence of ${year} is exhausted.`,
          detailFr: `La séquence de NIU de ${year} est épuisée.`,
        });
      }
      niu = formatNiu({ centreCode: ctx.centre.centreCode, year, sequence });
    }
    const validated = (await trx
      .updateTable(`xm_data.${table}`)
      .set({ status: 2, niu, validated_by: user.login, validated_at: new Date() })
      .where('numero', '=', ref.numero)
      .returningAll()
      .executeTakeFirstOrThrow()) as Row;
    const bytes = canonicalAct(table, ctx.centre.matricule, validated);
    const digest = digestOf(bytes);
    await trx
      .insertInto('xm_site.act_signatures')
      .values({
        table_name: table,
        act_numero: ref.numero,
        niu,
        signer_login: user.login,
        user_key_id: key.id,
        digest,
        signature: signBytes(key.privateKey, bytes),
      })
      .execute();
    await recordEvent(trx, ref, 'validated', user, { niu, digest });
    return { niu, digest };
  });
}

/** Cancels a drafted act (status 0). A validated act is frozen: it goes to the server as it is. */
export async function cancelAct(
  ctx: CentreContext,
  user: SessionUser,
  ref: ActRef,
  reason?: string,
): Promise<void> {
  requirePrivilege(user, 2, { en: 'cancel acts', fr: 'annuler des actes' });
  const db = ctx.db as unknown as AnyDb;
  await db.transaction().execute(async (trx) => {
    const row = await loadForUpdate(trx, ref);
    if (row.status !== 1) throw wrongStatus(ref, row.status as number, { en: 'cancelled', fr: 'annulé' });
    await trx
      .updateTable(`xm_data.${tableOfKind[ref.kind]}`)
      .set({ status: 0 })
      .where('numero', '=', ref.numero)
      .execute();
    await recordEvent(trx, ref, 'cancelled', user, reason ? { reason } : undefined);
  });
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface ActView {
  readonly ref: string;
  readonly kind: ActKind;
  readonly numero: number;
  readonly status: number;
  readonly statusName: { readonly en: string; readonly fr: string };
  readonly niu: string | null;
  readonly readOnly: boolean;
  readonly origin: string | null;
  /** The act's data and workflow fields, nulls left out. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly signature: { readonly signer: string; readonly signedAt: Date; readonly valid: boolean } | null;
  /** The server's reason, while a rejected act waits to be corrected and sent again. */
  readonly rejection: { readonly reason: string; readonly detail: string | null; readonly at: Date } | null;
}

async function findRef(db: AnyDb, text: string, kind?: ActKind): Promise<ActRef> {
  const ref = parseActRef(text, kind);
  if (ref) return ref;
  for (const candidate of kind ? [kind] : (['birth', 'marriage', 'death'] as const)) {
    const row = await db
      .selectFrom(`xm_data.${tableOfKind[candidate]}`)
      .select('numero')
      .where('niu', '=', text.trim())
      .executeTakeFirst();
    if (row) return { kind: candidate, numero: row.numero as number };
  }
  throw notFound(text);
}

/** Resolves `B12`, `12` with a kind, or an NIU, to an act reference. */
export function resolveAct(ctx: CentreContext, text: string, kind?: ActKind): Promise<ActRef> {
  return findRef(ctx.db as unknown as AnyDb, text, kind);
}

export async function getAct(ctx: CentreContext, user: SessionUser, ref: ActRef): Promise<ActView> {
  requirePrivilege(user, 1, { en: 'read acts', fr: 'consulter des actes' });
  const db = ctx.db as unknown as AnyDb;
  const table = tableOfKind[ref.kind];
  const row = (await db
    .selectFrom(`xm_data.${table}`)
    .selectAll()
    .where('numero', '=', ref.numero)
    .executeTakeFirst()) as Row | undefined;
  if (!row) throw notFound(ref);
  const signatureRow = await db
    .selectFrom('xm_site.act_signatures as s')
    .innerJoin('xm_site.user_keys as k', 'k.id', 's.user_key_id')
    .select(['s.signer_login', 's.signed_at', 's.signature', 'k.public_key'])
    .where('s.table_name', '=', table)
    .where('s.act_numero', '=', ref.numero)
    .orderBy('s.id', 'desc')
    .executeTakeFirst();
  const signature = signatureRow
    ? {
        signer: signatureRow.signer_login as string,
        signedAt: signatureRow.signed_at as Date,
        valid: verifyBytes(
          signatureRow.public_key as Uint8Array,
          canonicalAct(table, ctx.centre.matricule, row),
          signatureRow.signature as Uint8Array,
        ),
      }
    : null;
  const rejectionRow = await db
    .selectFrom('xm_site.rejections')
    .select(['reason', 'detail', 'rejected_at'])
    .where('table_name', '=', table)
    .where('numero', '=', ref.numero)
    .where('resolved_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const fields: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (value !== null && !['numero', 'status', 'niu', 'origin_matricule', 'origin_numero'].includes(key)) {
      fields[key] = value;
    }
  }
  const status = row.status as number;
  return {
    ref: formatActRef(ref),
    kind: ref.kind,
    numero: ref.numero,
    status,
    statusName: statusNames[status] ?? { en: String(status), fr: String(status) },
    niu: row.niu as string | null,
    readOnly: row.origin_matricule !== null,
    origin: row.origin_matricule as string | null,
    fields,
    signature,
    rejection: rejectionRow
      ? {
          reason: rejectionRow.reason as string,
          detail: rejectionRow.detail as string | null,
          at: rejectionRow.rejected_at as Date,
        }
      : null,
  };
}

export interface ActSearch {
  readonly kind?: ActKind;
  /** Part of a surname or given name of the act's persons, any case. */
  readonly name?: string;
  readonly niu?: string;
  /** The event's date (birth, marriage, death), inclusive, `YYYY-MM-DD`. */
  readonly from?: string;
  readonly to?: string;
  /** Part of the event's locality or region, any case. */
  readonly place?: string;
  readonly status?: number;
  readonly limit?: number;
}

export interface ActSummary {
  readonly ref: string;
  readonly kind: ActKind;
  readonly numero: number;
  readonly status: number;
  readonly niu: string | null;
  readonly title: string;
  readonly eventDate: string;
  readonly place: string;
  readonly imported: boolean;
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function searchActs(
  ctx: CentreContext,
  user: SessionUser,
  search: ActSearch,
): Promise<ActSummary[]> {
  requirePrivilege(user, 1, { en: 'search acts', fr: 'rechercher des actes' });
  const db = ctx.db as unknown as AnyDb;
  const limit = Math.min(Math.max(search.limit ?? 100, 1), 10_000);
  const results: ActSummary[] = [];
  for (const kind of search.kind ? [search.kind] : (['birth', 'marriage', 'death'] as const)) {
    const layout = actLayout[kind];
    let query = db.selectFrom(`xm_data.${tableOfKind[kind]}`).selectAll();
    if (search.name) {
      const pattern = likePattern(search.name);
      query = query.where((eb) => eb.or(layout.names.map((column) => eb(column, 'ilike', pattern))));
    }
    if (search.place) {
      const pattern = likePattern(search.place);
      query = query.where((eb) => eb.or(layout.places.map((column) => eb(column, 'ilike', pattern))));
    }
    if (search.niu) query = query.where('niu', '=', search.niu);
    if (search.from) query = query.where(layout.eventDate, '>=', search.from);
    if (search.to) query = query.where(layout.eventDate, '<=', search.to);
    if (search.status !== undefined) query = query.where('status', '=', search.status);
    const rows = (await query
      .orderBy(layout.eventDate, 'desc')
      .orderBy('numero', 'desc')
      .limit(limit)
      .execute()) as Row[];
    for (const row of rows) {
      results.push({
        ref: formatActRef({ kind, numero: row.numero as number }),
        kind,
        numero: row.numero as number,
        status: row.status as number,
        niu: row.niu as string | null,
        title: layout.title(row),
        eventDate: row[layout.eventDate] as string,
        place: row[layout.places[0]] as string,
        imported: row.origin_matricule !== null,
      });
    }
  }
  results.sort((a, b) => (a.eventDate < b.eventDate ? 1 : a.eventDate > b.eventDate ? -1 : 0));
  return results.slice(0, limit);
}

export interface ActEvent {
  readonly kind: string;
  readonly user: string | null;
  readonly at: Date;
  readonly detail: unknown;
}

/** Traceability: who drafted, edited, verified, validated, cancelled the act, and when. */
export async function actHistory(ctx: CentreContext, user: SessionUser, ref: ActRef): Promise<ActEvent[]> {
  requirePrivilege(user, 1, { en: 'read acts', fr: 'consulter des actes' });
  const rows = await ctx.db
    .selectFrom('xm_site.act_events')
    .select(['kind', 'user_login', 'at', 'detail'])
    .where('table_name', '=', tableOfKind[ref.kind])
    .where('act_numero', '=', ref.numero)
    .orderBy('id')
    .execute();
  if (rows.length === 0) {
    const exists = await (ctx.db as unknown as AnyDb)
      .selectFrom(`xm_data.${tableOfKind[ref.kind]}`)
      .select('numero')
      .where('numero', '=', ref.numero)
      .executeTakeFirst();
    if (!exists) throw notFound(ref);
  }
  // `at` has a database default, which the contract types as Generated<ColumnType<Date>>: it reads as a Date.
  const events: ActEvent[] = rows.map((row) => ({
    kind: row.kind,
    user: row.user_login,
    at: row.at as unknown as Date,
    detail: row.detail,
  }));
  // Sends are not history rows (the contract has no such event kind): the outbox keeps the last send
  // of each container and how many attempts it took.
  const sends = await ctx.db
    .selectFrom('xm_site.sealed_rows as r')
    .innerJoin('xm_site.outbox as o', 'o.id', 'r.outbox_id')
    .select(['o.container_id', 'o.sent_at', 'o.attempts'])
    .where('r.table_name', '=', tableOfKind[ref.kind])
    .where('r.numero', '=', ref.numero)
    .where('o.sent_at', 'is not', null)
    .execute();
  for (const send of sends) {
    events.push({
      kind: 'sent',
      user: null,
      at: send.sent_at as unknown as Date,
      detail: { container: send.container_id, attempts: send.attempts },
    });
  }
  return events.sort((a, b) => a.at.getTime() - b.at.getTime());
}

export function describeStatus(status: number, language: Language): string {
  return statusNames[status]?.[language] ?? String(status);
}

export type { ActTableName };
export { kindOfTable };
