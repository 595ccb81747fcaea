import { csvCell } from '@xmcomm/billing';
import { exchangedTables } from '@xmcomm/schema';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { ServerDb } from './database.js';
import { XmServerError } from './errors.js';

// The figures of `xmserver report` and of the console's statistics page: one module, so that the
// page and the CSV a script reads are the same figures. Acts are the rows of the exchanged tables
// that have a validation day (the documents a site issued are not acts). Days and months are UTC.

/** What to count: months `YYYY-MM` (both included) and an exchanged table, each optional. */
export interface StatisticsFilter {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly table?: string | undefined;
}

export type Sex = 'male' | 'female' | 'not-recorded';

/** One cell of the cube: acts of a table, validated in a month, from sites of a region, by sex. */
export interface StatisticsLine {
  readonly table: string;
  /** `YYYY-MM`; '' for acts without a validation day (counted only without a period). */
  readonly month: string;
  /** The sending client's region; '' when not recorded (no region, or rows created at the server). */
  readonly region: string;
  readonly sex: Sex;
  readonly acts: number;
}

export const statisticsAxes = ['month', 'table', 'region', 'sex'] as const;
export type StatisticsAxis = (typeof statisticsAxes)[number];

/** The tables acts are counted in: those with a validation day, or the one asked for. */
export function actTables(table?: string) {
  return exchangedTables.filter(
    (candidate) => 'validated_at' in candidate.columns && (table === undefined || candidate.name === table),
  );
}

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Checks the filter as a command's options (`--from`, `--to`, `--table`) name them. */
export function parseStatisticsFilter(raw: StatisticsFilter): StatisticsFilter {
  const refuse = (name: string, value: string, hint: string, hintFr: string): never => {
    throw new XmServerError('invalid-argument', `invalid ${name}`, { params: { name, value, hint, hintFr } });
  };
  for (const [name, value] of [
    ['--from', raw.from],
    ['--to', raw.to],
  ] as const) {
    if (value !== undefined && !monthPattern.test(value))
      refuse(name, value, 'Expected a month YYYY-MM.', 'Mois AAAA-MM attendu.');
  }
  if (raw.from !== undefined && raw.to !== undefined && raw.to < raw.from)
    refuse('--to', raw.to, 'It must not be before --from.', 'Il ne doit pas précéder --from.');
  if (raw.table !== undefined && actTables(raw.table).length === 0) {
    const names = actTables()
      .map((t) => t.name)
      .join(', ');
    refuse('--table', raw.table, `Expected one of: ${names}.`, `Une de ces tables est attendue : ${names}.`);
  }
  return raw;
}

/** The first instant of a month, and of the month after one. */
const monthStart = (month: string) => new Date(`${month}-01T00:00:00Z`);
function monthAfter(month: string): Date {
  const start = monthStart(month);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** `validated_at` within the filter's months (an index range on `validated_at`, migration 20261208-10). */
function inPeriod(filter: StatisticsFilter): RawBuilder<boolean> | undefined {
  const bounds: RawBuilder<boolean>[] = [];
  if (filter.from !== undefined) bounds.push(sql<boolean>`validated_at >= ${monthStart(filter.from)}`);
  if (filter.to !== undefined) bounds.push(sql<boolean>`validated_at < ${monthAfter(filter.to)}`);
  return bounds.length === 0 ? undefined : sql<boolean>`${sql.join(bounds, sql` and `)}`;
}

/**
 * The acts cube: per table, month, region and sex, in one aggregate per table (never a query per
 * bar). Rows are first counted per sending site in the data table, then those few lines are joined
 * to the register for the site's region. Sex is read from the column the contract declares for the
 * table (`sex`); a table without one counts its acts as not recorded.
 */
export async function recordStatistics(
  db: ServerDb,
  filter: StatisticsFilter = {},
): Promise<StatisticsLine[]> {
  const lines: StatisticsLine[] = [];
  for (const table of actTables(filter.table)) {
    const rows = await statisticsQuery(db, table, filter).execute();
    for (const row of rows) {
      lines.push({
        table: table.name,
        month: row.month ?? '',
        region: row.region,
        sex: row.sex,
        acts: Number(row.acts),
      });
    }
  }
  return lines.sort(
    (a, b) =>
      a.table.localeCompare(b.table) ||
      a.month.localeCompare(b.month) ||
      a.region.localeCompare(b.region) ||
      a.sex.localeCompare(b.sex),
  );
}

/** The aggregate of one table (exported for the benchmark, which asks PostgreSQL for its plan). */
export function statisticsQuery(
  db: ServerDb,
  table: ReturnType<typeof actTables>[number],
  filter: StatisticsFilter,
) {
  // biome-ignore lint/suspicious/noExplicitAny: the tables are the contract's, chosen at run time
  const untyped = db as unknown as Kysely<any>;
  const period = inPeriod(filter);
  const month = sql<string | null>`to_char(validated_at at time zone 'UTC', 'YYYY-MM')`;
  const declared = table.sex;
  const values = (list: readonly string[]) => sql.join(list.map((value) => sql`${value}`));
  const sex = declared
    ? sql<Sex>`case when ${sql.ref(declared.column)} in (${values(declared.male)}) then 'male' when ${sql.ref(declared.column)} in (${values(declared.female)}) then 'female' else 'not-recorded' end`
    : sql<Sex>`'not-recorded'`;
  const perSite = untyped
    .selectFrom(table.qualifiedName)
    .select((eb) => [
      sql.ref<string | null>('origin_matricule').as('site'),
      month.as('month'),
      sex.as('sex'),
      eb.fn.countAll<number>().as('acts'),
    ])
    .$if(period !== undefined, (q) => q.where(period as RawBuilder<boolean>))
    // By position: the sex expression carries its values as parameters, and PostgreSQL does not
    // take a repeated parameterised expression for the one selected.
    .groupBy([sql`1`, sql`2`, sql`3`]);
  const region = sql<string>`coalesce(c.region, '')`;
  return untyped
    .selectFrom(perSite.as('s'))
    .leftJoin('xm_system.clients as c', 'c.matricule', 's.site')
    .select((eb) => [
      region.as('region'),
      sql.ref<string | null>('s.month').as('month'),
      sql.ref<Sex>('s.sex').as('sex'),
      eb.fn.sum<number | string>('s.acts').as('acts'),
    ])
    .groupBy([region, 's.month', 's.sex']);
}

const sexOrder: Record<Sex, number> = { male: 0, female: 1, 'not-recorded': 2 };

/** The cube summed along one axis, in that axis's order ('' — not recorded — last). */
export function totalsBy(lines: readonly StatisticsLine[], axis: StatisticsAxis): [string, number][] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line[axis], (totals.get(line[axis]) ?? 0) + line.acts);
  if (axis === 'sex') for (const sex of Object.keys(sexOrder)) if (!totals.has(sex)) totals.set(sex, 0);
  return [...totals].sort(([a], [b]) =>
    axis === 'sex'
      ? sexOrder[a as Sex] - sexOrder[b as Sex]
      : (a === '' ? 1 : 0) - (b === '' ? 1 : 0) || a.localeCompare(b),
  );
}

/** Totals along an axis as CSV: `<axis>,acts`, one line each. */
export function statisticsCsv(axis: StatisticsAxis, totals: readonly [string, number][]): string {
  return `${[`${axis},acts`, ...totals.map(([key, acts]) => `${csvCell(key)},${acts}`)].join('\n')}\n`;
}

export interface ActsLine {
  readonly site: string;
  readonly table: string;
  readonly day: string;
  readonly acts: number;
}

/** Acts per site, table and day of validation (UTC), straight from the exchanged data. */
export async function actsReport(db: ServerDb, filter: StatisticsFilter = {}): Promise<ActsLine[]> {
  // biome-ignore lint/suspicious/noExplicitAny: the tables are the contract's, chosen at run time
  const untyped = db as unknown as Kysely<any>;
  const period = inPeriod(filter);
  const lines: ActsLine[] = [];
  for (const table of actTables(filter.table)) {
    const day = sql<string | null>`to_char(validated_at at time zone 'UTC', 'YYYY-MM-DD')`;
    const rows = await untyped
      .selectFrom(table.qualifiedName)
      .select((eb) => [
        sql<string>`coalesce(${sql.ref('origin_matricule')}, '(server)')`.as('site'),
        day.as('day'),
        eb.fn.countAll<number>().as('acts'),
      ])
      .$if(period !== undefined, (q) => q.where(period as RawBuilder<boolean>))
      .groupBy([sql.ref('origin_matricule'), day])
      .orderBy('site')
      .orderBy('day')
      .execute();
    for (const row of rows as { site: string; day: string | null; acts: number }[]) {
      lines.push({ site: row.site, table: table.name, day: row.day ?? '', acts: Number(row.acts) });
    }
  }
  return lines;
}

/** The acts report as `xmserver report` prints it: `site,table,day,acts`, one line each. */
export function actsCsv(lines: readonly ActsLine[]): string {
  const csv = [
    'site,table,day,acts',
    ...lines.map((l) => [l.site, l.table, l.day, l.acts].map(csvCell).join(',')),
  ];
  return `${csv.join('\n')}\n`;
}
