import type { SealContent } from '@xmcomm/documents';
import { certificateDer } from '@xmcomm/pki';
import type { Language, SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import type { CentreSettings } from './centre.js';
import { EcrError } from './errors.js';
import { documentDataOf } from './print-data.js';
import { type ActKind, actKinds } from './rules.js';

// `ecr verify`'s two checks: the seal offline against the trust list the server sent the centre,
// and, online, the printed fields against the central record (the seed's "certification of acts").

/** The setting where the centre's sync keeps the newest trust list the server sent (status-sync's). */
const trustListSetting = 'status-sync.trust-list';

/** The trust list's text as the server sent it, or an `no-trust-list` error before the first. */
export async function heldTrustListText(
  db: Kysely<SiteDatabase>,
): Promise<{ sequence: number; text: string }> {
  const row = await db
    .selectFrom('xm_site.settings')
    .select('value')
    .where('key', '=', trustListSetting)
    .executeTakeFirst();
  const value = (typeof row?.value === 'string' ? JSON.parse(row.value) : row?.value) as
    | { sequence?: unknown; list?: unknown }
    | undefined;
  if (!value || typeof value.list !== 'string' || typeof value.sequence !== 'number')
    throw new EcrError('no-trust-list', {});
  return { sequence: value.sequence, text: value.list };
}

/** The national CA the centre trusts (from `ecr init --ca-cert`), as DER, to pin the trust list to. */
export function nationalCa(centre: CentreSettings): Uint8Array | undefined {
  if (!centre.caCertificatePem) return undefined;
  const der = certificateDer(centre.caCertificatePem);
  return der.ok ? der.value : undefined;
}

/** The act kind a seal speaks of, or null when it is not an act of civil registration. */
export function actKindOfSeal(content: SealContent): ActKind | null {
  return (actKinds as readonly string[]).includes(content.recordType)
    ? (content.recordType as ActKind)
    : null;
}

export type FieldOutcome = 'match' | 'differs' | 'not-in-record';

export interface FieldComparison {
  readonly field: string;
  readonly printed: string;
  /** What the central record gives for this field, as a template would print it; null when absent. */
  readonly central: string | null;
  readonly outcome: FieldOutcome;
}

/** Printed fields that come from the issuing centre, not from the act: not compared. */
const notOfTheRecord = new Set(['centreName']);

/**
 * Each field the seal signs against the central record, mapped the way `ecr print` maps an act to
 * a template's fields: `match`, `differs` (both values kept), or `not-in-record` (the centre's name).
 */
export function compareWithRecord(
  kind: ActKind,
  content: SealContent,
  row: Readonly<Record<string, unknown>>,
): FieldComparison[] {
  const central = documentDataOf(kind, row, { matricule: content.issuer });
  return Object.entries(content.fields).map(([field, printed]) => {
    if (notOfTheRecord.has(field)) return { field, printed, central: null, outcome: 'not-in-record' };
    const value = Object.hasOwn(central, field) ? (central[field] as string) : null;
    return { field, printed, central: value, outcome: value === printed ? 'match' : 'differs' };
  });
}

/** What `ecr verify` concludes, in one word; each has its own exit code (errors.ts). */
export type VerifyOutcome = 'valid' | 'invalid' | 'match' | 'differs' | 'not-found' | 'no-link';

const outcomeWords: Readonly<Record<FieldOutcome, Readonly<Record<Language, string>>>> = {
  match: { en: 'MATCH', fr: 'CONCORDE' },
  differs: { en: 'DIFFERS', fr: 'DIFFÈRE' },
  'not-in-record': {
    en: 'not compared (not a field of the act)',
    fr: "non comparé (pas un champ de l'acte)",
  },
};

/** One line per field, e.g. `firstName: DIFFERS — printed "Paul", at the centre "Pierre"`. */
export function comparisonLines(fields: readonly FieldComparison[], lang: Language): string[] {
  return fields.map((f) => {
    const word = outcomeWords[f.outcome][lang];
    if (f.outcome !== 'differs') return `  ${f.field}: ${word}`;
    const central = f.central ?? '(absent)';
    return lang === 'fr'
      ? `  ${f.field}: ${word} — imprimé « ${f.printed} », au centre « ${central} »`
      : `  ${f.field}: ${word} — printed "${f.printed}", at the centre "${central}"`;
  });
}
