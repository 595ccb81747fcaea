import { sql } from 'kysely';
import { asDate, type ServerDb } from '../database.js';
import { refusalsByReason } from '../refusals.js';

// The console's reads: each one paged or bounded, so that a page stays fast with 100,000 clients.
// Balances are the last ledger entry's running balance (index account_id, id); last contacts the
// latest received container of the site (index sender_matricule, received_at: migration 80).

export type ContactFilter = 'any' | 'day' | 'week' | 'old';
export type BalanceFilter = 'any' | 'low' | 'negative';

export interface ClientFilters {
  readonly q?: string | undefined;
  readonly status?: number | undefined;
  readonly city?: string | undefined;
  readonly contact?: ContactFilter | undefined;
  readonly balance?: BalanceFilter | undefined;
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
}

export interface ClientLine {
  readonly matricule: string;
  readonly name: string;
  readonly centreCode: string | null;
  readonly status: number;
  readonly locality: string | null;
  readonly balance: number | null;
  readonly currency: string | null;
  readonly lastContact: Date | null;
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One page of clients matching the filters, in matricule order; `more` when another page follows. */
export async function searchClients(
  db: ServerDb,
  filters: ClientFilters,
  options: { readonly lowCredit: number; readonly now: Date },
): Promise<{ lines: ClientLine[]; more: boolean }> {
  const balance = sql<
    string | number | null
  >`(select le.balance_after from xm_system.ledger_entries le where le.account_id = a.id order by le.id desc limit 1)`;
  const lastContact = sql<
    Date | string | null
  >`(select max(r.received_at) from xm_system.received_containers r where r.sender_matricule = c.matricule)`;
  // The page's ids first, with only what the filters need: the balance and the last contact are
  // then looked up for these 50 rows, not for every row an offset skips.
  let query = db
    .selectFrom('xm_system.clients as c')
    .leftJoin('xm_system.accounts as a', 'a.client_id', 'c.id')
    .select(['c.id']);
  const q = filters.q?.trim();
  if (q) {
    const pattern = likePattern(q.toLowerCase());
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(${sql.ref('c.matricule')})`, 'like', pattern),
        eb(sql`lower(${sql.ref('c.name')})`, 'like', pattern),
        eb(sql`lower(${sql.ref('c.centre_code')})`, 'like', pattern),
      ]),
    );
  }
  if (filters.status !== undefined) query = query.where('c.status', '=', filters.status);
  const city = filters.city?.trim();
  if (city)
    query = query.where(sql`lower(${sql.ref('c.locality')})`, 'like', likePattern(city.toLowerCase()));
  const day = new Date(options.now.getTime() - 86_400_000);
  const week = new Date(options.now.getTime() - 7 * 86_400_000);
  const recentSince = (since: Date) =>
    sql<boolean>`exists (select 1 from xm_system.received_containers r where r.sender_matricule = c.matricule and r.received_at >= ${since})`;
  if (filters.contact === 'day') query = query.where(recentSince(day));
  else if (filters.contact === 'week') query = query.where(recentSince(week));
  else if (filters.contact === 'old') query = query.where(sql<boolean>`not ${recentSince(week)}`);
  if (filters.balance === 'low')
    query = query.where(sql<boolean>`coalesce(${balance}, 0) < ${options.lowCredit}`);
  else if (filters.balance === 'negative') query = query.where(sql<boolean>`coalesce(${balance}, 0) < 0`);
  const page = await query
    .orderBy('c.matricule')
    .limit(filters.pageSize + 1)
    .offset((filters.page - 1) * filters.pageSize)
    .execute();
  const ids = page.slice(0, filters.pageSize).map((row) => row.id);
  const rows =
    ids.length === 0
      ? []
      : await db
          .selectFrom('xm_system.clients as c')
          .leftJoin('xm_system.accounts as a', 'a.client_id', 'c.id')
          .select([
            'c.matricule',
            'c.name',
            'c.centre_code',
            'c.status',
            'c.locality',
            'a.currency',
            balance.as('balance'),
            lastContact.as('last_contact'),
          ])
          .where('c.id', 'in', ids)
          .orderBy('c.matricule')
          .execute();
  return {
    more: page.length > filters.pageSize,
    lines: rows.map((row) => ({
      matricule: row.matricule,
      name: row.name,
      centreCode: row.centre_code,
      status: row.status,
      locality: row.locality,
      currency: row.currency,
      balance: row.balance === null ? null : Number(row.balance),
      lastContact: row.last_contact === null ? null : new Date(asDate(row.last_contact)),
    })),
  };
}

export interface Dashboard {
  readonly sitesNow: number;
  /** Per minute of the last hour, oldest first (60 entries). */
  readonly perMinute: readonly { readonly containers: number; readonly rows: number }[];
  /** By reason, from `xm_system.refusals` (what `xmserver run` refused). */
  readonly refusals: readonly {
    readonly reason: string;
    readonly containers: number;
    readonly rows: number;
  }[];
  readonly low: readonly {
    readonly matricule: string;
    readonly name: string;
    readonly balance: number;
    readonly currency: string;
  }[];
  readonly lowCount: number;
}

/** The dashboard's figures at `now`. */
export async function dashboardFigures(
  db: ServerDb,
  options: { readonly lowCredit: number; readonly now: Date },
): Promise<Dashboard> {
  const { now } = options;
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const fiveAgo = new Date(now.getTime() - 300_000);
  const sites = await db
    .selectFrom('xm_system.received_containers')
    .select((eb) => eb.fn.count<number>('sender_matricule').distinct().as('n'))
    .where('received_at', '>=', fiveAgo)
    .executeTakeFirst();
  const recent = await db
    .selectFrom('xm_system.received_containers')
    .select(['received_at', 'rows_accepted', 'rows_rejected'])
    .where('received_at', '>=', hourAgo)
    .where('received_at', '<=', now)
    .execute();
  const perMinute = Array.from({ length: 60 }, () => ({ containers: 0, rows: 0 }));
  for (const row of recent) {
    const minutesAgo = Math.floor((now.getTime() - new Date(asDate(row.received_at)).getTime()) / 60_000);
    const slot = perMinute[59 - Math.min(59, Math.max(0, minutesAgo))];
    if (slot) {
      slot.containers += 1;
      slot.rows += row.rows_accepted + row.rows_rejected;
    }
  }
  // The latest entry of each account is the one no later entry of the same account follows: one
  // index probe (account_id, id) per entry below the line, instead of a maximum per account.
  const low = await db
    .selectFrom('xm_system.ledger_entries as le')
    .innerJoin('xm_system.accounts as a', 'a.id', 'le.account_id')
    .innerJoin('xm_system.clients as c', 'c.id', 'a.client_id')
    .select([
      'c.matricule',
      'c.name',
      'le.balance_after',
      'a.currency',
      sql<number>`count(*) over ()`.as('total'),
    ])
    .where('le.balance_after', '<', options.lowCredit as never)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('xm_system.ledger_entries as later')
            .select('later.id')
            .whereRef('later.account_id', '=', 'le.account_id')
            .whereRef('later.id', '>', 'le.id'),
        ),
      ),
    )
    .where('c.status', '>', 0)
    .orderBy('le.balance_after')
    .orderBy('c.matricule')
    .limit(10)
    .execute();
  return {
    sitesNow: Number(sites?.n ?? 0),
    perMinute,
    refusals: await refusalsByReason(db, hourAgo),
    low: low.map((r) => ({
      matricule: r.matricule,
      name: r.name,
      balance: Number(r.balance_after),
      currency: r.currency,
    })),
    lowCount: Number(low[0]?.total ?? 0),
  };
}

export interface ReceivedLine {
  readonly receivedAt: Date;
  readonly sender: string | null;
  readonly kind: string;
  readonly table: string | null;
  readonly sequence: number | null;
  readonly accepted: number;
  readonly rejected: number;
}

/** The latest containers received, newest first. */
export async function latestContainers(db: ServerDb, limit = 30): Promise<ReceivedLine[]> {
  const rows = await db
    .selectFrom('xm_system.received_containers')
    .select([
      'received_at',
      'sender_matricule',
      'kind',
      'table_name',
      'sequence',
      'rows_accepted',
      'rows_rejected',
    ])
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    receivedAt: new Date(asDate(r.received_at)),
    sender: r.sender_matricule,
    kind: r.kind,
    table: r.table_name,
    sequence: r.sequence === null ? null : Number(r.sequence),
    accepted: r.rows_accepted,
    rejected: r.rows_rejected,
  }));
}

/** How many of the newest containers the monitor looks at to find the sites heard from lately. */
export const recentWindow = 10_000;

/**
 * Sites seen most recently: last contact, containers, and sequence numbers missing (not received
 * yet). The sites are those among the newest `recentWindow` containers (a backward walk of the
 * received_at index), then each one's figures come from its own entries in the (sender_matricule,
 * sequence) index: the cost follows these 30 sites' histories, not the whole log, which at 1,000
 * containers a second grows by 3.6 million an hour (a GROUP BY over all of it took the monitor
 * from 0.15 s at 100,000 containers to seconds; docs/benchmarks.md, the monitor under load).
 */
export async function sitesSeen(db: ServerDb, limit = 30) {
  const recent = db
    .selectFrom('xm_system.received_containers')
    .select(['sender_matricule', 'received_at'])
    .orderBy('received_at', 'desc')
    .limit(recentWindow)
    .as('n');
  const sites = await db
    .selectFrom(recent)
    .select((eb) => ['n.sender_matricule', eb.fn.max('n.received_at').as('last')])
    .where('n.sender_matricule', 'is not', null)
    .groupBy('n.sender_matricule')
    .orderBy(sql`max(n.received_at)`, 'desc')
    .limit(limit)
    .execute();
  const senders = sites.map((site) => site.sender_matricule as string);
  // One query for the 30: each sender's entries of the (sender_matricule, sequence) index.
  const figures =
    senders.length === 0
      ? []
      : await db
          .selectFrom('xm_system.received_containers as r')
          .select((eb) => [
            'r.sender_matricule',
            eb.fn.countAll<number>().as('containers'),
            eb.fn.min('r.sequence').as('first_sequence'),
            eb.fn.max('r.sequence').as('last_sequence'),
            eb.fn.count<number>('r.sequence').as('sequences'),
          ])
          .where('r.sender_matricule', 'in', senders)
          .groupBy('r.sender_matricule')
          .execute();
  const bySender = new Map(figures.map((row) => [row.sender_matricule, row]));
  return sites.map((site) => {
    const r = bySender.get(site.sender_matricule) ?? {
      containers: 0,
      first_sequence: null,
      last_sequence: null,
      sequences: 0,
    };
    const span =
      r.first_sequence === null || r.last_sequence === null
        ? 0
        : Number(r.last_sequence) - Number(r.first_sequence) + 1;
    return {
      matricule: site.sender_matricule,
      last: new Date(asDate(site.last)),
      containers: Number(r.containers),
      lastSequence: r.last_sequence === null ? null : Number(r.last_sequence),
      gaps: Math.max(0, span - Number(r.sequences)),
    };
  });
}

/** A client's balance and last contact (the detail page). */
export async function clientSummary(db: ServerDb, matricule: string) {
  const row = await db
    .selectFrom('xm_system.clients as c')
    .leftJoin('xm_system.accounts as a', 'a.client_id', 'c.id')
    .select([
      'a.currency',
      sql<
        string | number | null
      >`(select le.balance_after from xm_system.ledger_entries le where le.account_id = a.id order by le.id desc limit 1)`.as(
        'balance',
      ),
      sql<
        Date | string | null
      >`(select max(r.received_at) from xm_system.received_containers r where r.sender_matricule = c.matricule)`.as(
        'last_contact',
      ),
    ])
    .where('c.matricule', '=', matricule)
    .executeTakeFirst();
  return {
    currency: row?.currency ?? 'XAF',
    balance: row?.balance === null || row?.balance === undefined ? 0 : Number(row.balance),
    lastContact: row?.last_contact ? new Date(asDate(row.last_contact)) : null,
  };
}
