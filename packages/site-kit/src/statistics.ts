import { sql } from 'kysely';
import { type KitContext, recordsDb } from './context.js';
import { allows } from './records.js';
import { requirePrivilege, type SessionUser } from './users.js';

export const statsDimensions = ['type', 'month', 'sex', 'place'] as const;
export type StatsDimension = (typeof statsDimensions)[number];

export interface StatsOptions {
  /** What to count by; all four by default. */
  readonly by?: readonly StatsDimension[];
  /** Event dates, inclusive, `YYYY-MM-DD`. */
  readonly from?: string;
  readonly to?: string;
  /** Imported records are counted too when true; by default only the site's own. */
  readonly includeImported?: boolean;
}

export interface StatsRow {
  /** A record type's name. */
  readonly type?: string;
  readonly month?: string;
  readonly sex?: string;
  readonly place?: string;
  readonly count: number;
}

/**
 * Counts records (cancelled ones left out) grouped by type, month of the event, sex of the person
 * concerned (the type's `sex` column; none when it has none) and place (the type's first place column).
 */
export async function recordStatistics(
  ctx: KitContext,
  user: SessionUser,
  options: StatsOptions = {},
): Promise<StatsRow[]> {
  requirePrivilege(user, 1, { en: 'read statistics', fr: 'consulter les statistiques' });
  const by = options.by && options.by.length > 0 ? options.by : statsDimensions;
  const db = recordsDb(ctx.db);
  const rows: StatsRow[] = [];
  for (const layout of ctx.types) {
    if (!allows(user, layout, 'read')) continue;
    const firstPlace = layout.places[0];
    const month = sql<string>`to_char(${sql.ref(layout.eventDate)}, 'YYYY-MM')`;
    const sex = layout.sex ? sql<string>`${sql.ref(layout.sex)}` : sql<string>`'-'`;
    const place = firstPlace ? sql<string>`${sql.ref(firstPlace)}` : sql<string>`'-'`;
    const chosen = [
      ...(by.includes('month') ? [{ name: 'month', expression: month }] : []),
      ...(by.includes('sex') ? [{ name: 'sex', expression: sex }] : []),
      ...(by.includes('place') ? [{ name: 'place', expression: place }] : []),
    ];
    let query = db
      .selectFrom(layout.table.qualifiedName)
      .select(chosen.map(({ name, expression }) => expression.as(name)))
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('status', '>', 0);
    if (!options.includeImported) query = query.where('origin_matricule', 'is', null);
    if (options.from) query = query.where(layout.eventDate, '>=', options.from);
    if (options.to) query = query.where(layout.eventDate, '<=', options.to);
    // A type without a sex (or a place) has a constant there, which PostgreSQL refuses in GROUP BY.
    const groups = chosen.filter(
      ({ name }) => (name !== 'sex' || Boolean(layout.sex)) && (name !== 'place' || Boolean(firstPlace)),
    );
    if (groups.length > 0) query = query.groupBy(groups.map(({ expression }) => expression));
    const result = (await query.execute()) as {
      month?: string;
      sex?: string;
      place?: string;
      count: number | string;
    }[];
    for (const row of result) {
      const count = Number(row.count);
      if (count === 0) continue;
      rows.push({
        ...(by.includes('type') ? { type: layout.name } : {}),
        ...(row.month !== undefined ? { month: row.month } : {}),
        ...(row.sex !== undefined ? { sex: row.sex } : {}),
        ...(row.place !== undefined ? { place: row.place } : {}),
        count,
      });
    }
  }
  return merge(rows, by);
}

/** Sums rows whose kept dimensions are equal (when `type` is not a dimension, the types fold together). */
function merge(rows: readonly StatsRow[], by: readonly StatsDimension[]): StatsRow[] {
  const totals = new Map<string, StatsRow>();
  for (const row of rows) {
    const key = JSON.stringify(by.map((dimension) => row[dimension] ?? null));
    const previous = totals.get(key);
    totals.set(key, previous ? { ...previous, count: previous.count + row.count } : row);
  }
  return [...totals.values()].sort((a, b) => {
    for (const dimension of by) {
      const left = String(a[dimension] ?? '');
      const right = String(b[dimension] ?? '');
      if (left !== right) return left < right ? -1 : 1;
    }
    return 0;
  });
}

/** RFC 4180 CSV, a header line first. */
export function statsToCsv(
  rows: readonly StatsRow[],
  by: readonly StatsDimension[] = statsDimensions,
): string {
  const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const lines = [[...by, 'count'].join(',')];
  for (const row of rows) {
    lines.push([...by.map((dimension) => quote(String(row[dimension] ?? ''))), String(row.count)].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
