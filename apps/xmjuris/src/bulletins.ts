import type { Row, Text } from '@xmcomm/site-kit';

// Which entry appears on which bulletin: a table of rules, each in force over dates and deciding from
// today's date and the entry's own dates and annotations. The defaults follow France's code of
// criminal procedure (arts. 769, 774-777); a country replaces the table (`BulletinRules`).
// Bulletin No 1 (judicial authorities): every entry still on the record. No 2 (listed administrations):
// minus what the law excludes. No 3 (the person alone): only serious unsuspended sentences and
// current bans, among what No 2 shows.

export const bulletins = ['b1', 'b2', 'b3'] as const;
export type Bulletin = (typeof bulletins)[number];

/** An entry at the register and the annotations that name its NIU. */
export interface RecordEntry {
  readonly entry: Row;
  readonly annotations: readonly Row[];
}

export interface BulletinParameters {
  /** No 3 shows a prison sentence when its unsuspended part is longer than this (CPP 777: two years). */
  readonly b3MinimumPrisonMonths: number;
}

export interface BulletinRule {
  readonly id: string;
  /** The bulletins an entry it matches is kept off. */
  readonly bulletins: readonly Bulletin[];
  /** Where the rule comes from, printed in the rule list: `CPP art. 775 1°`. */
  readonly source: string;
  readonly label: Text;
  /** In force from this day (`YYYY-MM-DD`), and until this day excluded when the law changed. */
  readonly from: string;
  readonly until?: string;
  readonly excludes: (record: RecordEntry, today: string, parameters: BulletinParameters) => boolean;
}

export interface BulletinRules {
  /** ISO 3166-1 alpha-3 code of the country whose law the table follows. */
  readonly country: string;
  readonly parameters: BulletinParameters;
  readonly rules: readonly BulletinRule[];
}

/** Adds whole months to a `YYYY-MM-DD` date (the 31st of a short month becomes its last day). */
export function addMonths(day: string, months: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const total = year * 12 + (month - 1) + months;
  const last = new Date(Date.UTC(Math.floor(total / 12), (total % 12) + 1, 0)).getUTCDate();
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(total / 12), 4)}-${pad((total % 12) + 1)}-${pad(Math.min(date, last))}`;
}

/** The annotations of a kind in effect today (an annotation dated later does not count yet). */
const annotated = (record: RecordEntry, kind: string, today: string) =>
  record.annotations.some(
    (note) => note.kind === kind && note.status !== 0 && String(note.effective_date) <= today,
  );

const number = (value: unknown) => (typeof value === 'number' ? value : 0);

/** A fully suspended sentence whose probation ended without revocation is deemed never pronounced. */
function lapsedSuspension(record: RecordEntry, today: string): boolean {
  const { entry } = record;
  if (entry.suspension !== 'full' || annotated(record, 'suspension-revoked', today)) return false;
  return addMonths(String(entry.decision_date), number(entry.probation_months)) <= today;
}

/** Prison to serve: the whole term once the suspension is revoked, else its unsuspended part. */
export function unsuspendedMonths(record: RecordEntry, today: string): number {
  const { entry } = record;
  if (entry.main_penalty !== 'imprisonment') return 0;
  const prison = number(entry.prison_months);
  if (entry.suspension === 'none' || annotated(record, 'suspension-revoked', today)) return prison;
  return entry.suspension === 'partial' ? prison - number(entry.suspended_months) : 0;
}

/** Bans in force today: given without an end, or ending after today. */
const currentBans = ({ entry }: RecordEntry, today: string) =>
  typeof entry.bans === 'string' &&
  entry.bans !== '' &&
  (!entry.bans_until || String(entry.bans_until) > today);

/** The French code of criminal procedure (in force since 2 March 1959), as its articles read today. */
export const frenchBulletinRules: BulletinRules = {
  country: 'FRA',
  parameters: { b3MinimumPrisonMonths: 24 },
  rules: [
    {
      id: 'removed',
      bulletins: ['b1', 'b2', 'b3'],
      source: 'CPP art. 769',
      label: { en: 'removed from the record', fr: 'retirée du casier' },
      from: '1959-03-02',
      excludes: (record, today) => annotated(record, 'removal', today),
    },
    {
      id: 'minor',
      bulletins: ['b2', 'b3'],
      source: 'CPP art. 775',
      label: { en: 'decision on a minor', fr: 'décision concernant un mineur' },
      from: '1959-03-02',
      excludes: ({ entry }) => entry.minor_at_the_time === true,
    },
    {
      id: 'petty-offence',
      bulletins: ['b2', 'b3'],
      source: 'CPP art. 775',
      label: { en: 'petty offence', fr: 'contravention de police' },
      from: '1959-03-02',
      excludes: ({ entry }) => entry.offence_class === 'petty-offence',
    },
    {
      id: 'lapsed-suspension',
      bulletins: ['b2', 'b3'],
      source: 'CPP art. 775',
      label: { en: 'suspended sentence deemed void', fr: 'condamnation avec sursis réputée non avenue' },
      from: '1959-03-02',
      excludes: (record, today) => lapsedSuspension(record, today),
    },
    {
      id: 'court-excluded',
      bulletins: ['b2', 'b3'],
      source: 'CPP art. 775-1',
      label: { en: 'excluded by the court', fr: 'exclusion prononcée par la juridiction' },
      from: '1959-03-02',
      excludes: ({ entry }) => entry.excluded_from_b2 === true,
    },
    {
      id: 'rehabilitated',
      bulletins: ['b2', 'b3'],
      source: 'CPP art. 775',
      label: { en: 'rehabilitated', fr: 'réhabilitation' },
      from: '1959-03-02',
      excludes: (record, today) => annotated(record, 'rehabilitation', today),
    },
    {
      id: 'amnestied',
      bulletins: ['b2', 'b3'],
      source: 'CP art. 133-11',
      label: { en: 'amnestied', fr: 'amnistie' },
      from: '1959-03-02',
      excludes: (record, today) => annotated(record, 'amnesty', today),
    },
    {
      id: 'b3-not-serious',
      bulletins: ['b3'],
      source: 'CPP art. 777',
      label: {
        en: 'neither a long unsuspended prison sentence nor a current ban',
        fr: "ni longue peine d'emprisonnement sans sursis ni interdiction en cours",
      },
      from: '1959-03-02',
      excludes: (record, today, parameters) =>
        unsuspendedMonths(record, today) <= parameters.b3MinimumPrisonMonths && !currentBans(record, today),
    },
  ],
};

/** The rules in force on `today`. */
export function rulesInForce(table: BulletinRules, today: string): BulletinRule[] {
  return table.rules.filter((rule) => rule.from <= today && (rule.until === undefined || today < rule.until));
}

/** The rules (ids) that keep an entry off a bulletin today; none: it appears. */
export function exclusionsOf(
  record: RecordEntry,
  bulletin: Bulletin,
  today: string,
  table: BulletinRules = frenchBulletinRules,
): string[] {
  if (record.entry.status === 0) return ['cancelled'];
  return rulesInForce(table, today)
    .filter((rule) => rule.bulletins.includes(bulletin) && rule.excludes(record, today, table.parameters))
    .map((rule) => rule.id);
}

export interface Extract {
  readonly bulletin: Bulletin;
  readonly today: string;
  readonly country: string;
  /** The entries it shows, with their annotations in effect, oldest decision first. */
  readonly entries: readonly RecordEntry[];
}

/**
 * A bulletin's content: only the entries no rule excludes, and nothing of the others (not even how
 * many), so what prints is what the bulletin may show.
 */
export function extractOf(
  bulletin: Bulletin,
  records: readonly RecordEntry[],
  today: string,
  table: BulletinRules = frenchBulletinRules,
): Extract {
  const entries = records
    .filter((record) => exclusionsOf(record, bulletin, today, table).length === 0)
    .map((record) => ({
      entry: record.entry,
      annotations: record.annotations.filter(
        (note) => note.status !== 0 && String(note.effective_date) <= today,
      ),
    }))
    .sort((a, b) => String(a.entry.decision_date).localeCompare(String(b.entry.decision_date)));
  return { bulletin, today, country: table.country, entries };
}
