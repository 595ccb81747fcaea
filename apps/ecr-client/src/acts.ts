import type { Language, SiteDatabase } from '@xmcomm/schema';
import {
  checkRecord,
  createSiteKit,
  statusNames as kitStatusNames,
  type RecordEvent,
  type RecordRef,
  type RecordSearch,
  type RecordSummary,
  type RecordView,
  type SiteKit,
  type Validation,
} from '@xmcomm/site-kit';
import type { Kysely } from 'kysely';
import type { CentreSettings } from './centre.js';
import { viaKit } from './errors.js';
import { ecrRecordTypes } from './record-types.js';
import {
  type ActFieldError,
  type ActKind,
  type ActTableName,
  type CivilRules,
  kindOfTable,
} from './rules.js';
import type { SessionUser } from './users.js';

// Acts are the site kit's records of ECR's three record types (record-types.ts): these functions
// keep ECR's names and errors (EcrError) over the kit's workflow.

/** What every act operation needs: the centre's database, identity and rules, and today's date. */
export interface CentreContext {
  readonly db: Kysely<SiteDatabase>;
  readonly centre: CentreSettings;
  readonly rules: CivilRules;
  /** `YYYY-MM-DD` in the centre's time zone. */
  readonly today: () => string;
}

/** The site kit on the centre's database, with ECR's record types and the centre's rules. */
export function centreKit(ctx: CentreContext): SiteKit {
  return createSiteKit({
    db: ctx.db,
    recordTypes: ecrRecordTypes,
    centre: ctx.centre,
    settings: async () => ctx.rules,
    today: ctx.today,
    roleNames: ecrRoleNames,
  });
}

/** The centre's head signs acts as the civil registration officer, as ECR's users call them. */
export const ecrRoleNames = {
  3: { en: 'civil registration officer', fr: "officier d'état civil" },
} as const;

export const statusNames: Readonly<Record<number, { en: string; fr: string }>> = kitStatusNames;

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

const toRecord = (ref: ActRef): RecordRef => ({ type: ref.kind, numero: ref.numero, ref: formatActRef(ref) });
const toAct = (ref: RecordRef): ActRef => ({ kind: ref.type as ActKind, numero: ref.numero });

// ---------------------------------------------------------------------------------------------
// Validation and lifecycle

/** Every problem with an act's fields at once, each once: the contract's and the civil rules'. */
export function checkAct(
  kind: ActKind,
  input: unknown,
  today: string,
  rules: CivilRules,
): ActFieldError[] | Record<string, unknown> {
  const type = ecrRecordTypes.find((candidate) => candidate.name === kind);
  if (!type) throw new Error(`no record type ${kind}`);
  // Every code is the contract's or a civil rule's: the declarations' rules are rules.ts.
  return checkRecord(type, input, today, rules) as ActFieldError[] | Record<string, unknown>;
}

/** An agent (or anyone above) drafts an act: checked on entry, stored at status 1. */
export async function draftAct(
  ctx: CentreContext,
  user: SessionUser,
  kind: ActKind,
  input: unknown,
): Promise<ActRef> {
  return toAct(await viaKit(centreKit(ctx).records.draft(user, kind, input)));
}

/** Changes fields of an act still at status 1 (`null` clears a field); its verification starts over. */
export function editAct(
  ctx: CentreContext,
  user: SessionUser,
  ref: ActRef,
  changes: Readonly<Record<string, unknown>>,
): Promise<string[]> {
  return viaKit(centreKit(ctx).records.edit(user, toRecord(ref), changes));
}

/** A secretary (or the officer) checks a drafted act against the declaration. */
export function verifyAct(ctx: CentreContext, user: SessionUser, ref: ActRef): Promise<void> {
  return viaKit(centreKit(ctx).records.verify(user, toRecord(ref)));
}

export type { Validation };

/** The officer validates a verified act: status 2, its NIU, and the officer's signature. */
export function validateAct(
  ctx: CentreContext,
  user: SessionUser,
  password: string,
  ref: ActRef,
): Promise<Validation> {
  return viaKit(centreKit(ctx).records.validate(user, password, toRecord(ref)));
}

/** Cancels a drafted act (status 0). A validated act is frozen: it goes to the server as it is. */
export function cancelAct(
  ctx: CentreContext,
  user: SessionUser,
  ref: ActRef,
  reason?: string,
): Promise<void> {
  return viaKit(centreKit(ctx).records.cancel(user, toRecord(ref), reason));
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface ActView extends Omit<RecordView, 'type' | 'title'> {
  readonly kind: ActKind;
}

/** Resolves `B12`, `12` with a kind, or an NIU, to an act reference. */
export async function resolveAct(ctx: CentreContext, text: string, kind?: ActKind): Promise<ActRef> {
  const ref = parseActRef(text, kind);
  if (ref) return ref;
  return toAct(await viaKit(centreKit(ctx).records.resolve(text, kind)));
}

export async function getAct(ctx: CentreContext, user: SessionUser, ref: ActRef): Promise<ActView> {
  const {
    type: _type,
    title: _title,
    ...view
  } = await viaKit(centreKit(ctx).records.get(user, toRecord(ref)));
  return { ...view, kind: ref.kind };
}

/** The kit's search with ECR's `kind` for its `type`; `name` is the start of a surname or given name. */
export interface ActSearch extends Omit<RecordSearch, 'type'> {
  readonly kind?: ActKind;
}

export interface ActSummary extends Omit<RecordSummary, 'type' | 'place'> {
  readonly kind: ActKind;
  readonly place: string;
}

export async function searchActs(
  ctx: CentreContext,
  user: SessionUser,
  search: ActSearch,
): Promise<ActSummary[]> {
  const { kind, limit, ...rest } = search;
  const result = await viaKit(
    centreKit(ctx).records.search(user, {
      ...rest,
      ...(kind ? { type: kind } : {}),
      limit: Math.min(Math.max(limit ?? 100, 1), 1000),
    }),
  );
  return result.items.map(({ type, place, ...item }) => ({
    ...item,
    kind: type as ActKind,
    place: place ?? '',
  }));
}

export type ActEvent = RecordEvent;

/** Traceability: who drafted, edited, verified, validated, cancelled the act, from where and when. */
export function actHistory(ctx: CentreContext, user: SessionUser, ref: ActRef): Promise<ActEvent[]> {
  return viaKit(centreKit(ctx).records.history(user, toRecord(ref)));
}

export function describeStatus(status: number, language: Language): string {
  return statusNames[status]?.[language] ?? String(status);
}

export type { ActTableName };
export { kindOfTable };
