import { databaseKind, exchangedTables } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import { audited } from '../audit.js';
import { access, handler, type XmCommand } from '../command.js';
import { readSecret } from '../config.js';
import { type Context, formatTable, type Io } from '../context.js';
import { asDate, type ServerDb } from '../database.js';
import { XmServerError } from '../errors.js';

export interface SiteActivity {
  readonly matricule: string;
  readonly name: string;
  readonly status: number;
  readonly lastSeen: string | null;
  readonly containersIn: number;
  /** Containers answered (receipts kept for re-sending). */
  readonly containersOut: number;
  readonly rowsAccepted: number;
  readonly rowsRejected: number;
  /** Sequence numbers missing between the lowest and highest received: containers lost or still on their way. */
  readonly gaps: number;
}

/** Transmissions per site, from the log of received containers. */
export async function siteActivity(db: ServerDb): Promise<SiteActivity[]> {
  const rows = await db
    .selectFrom('xm_system.clients as c')
    .leftJoin('xm_system.received_containers as r', 'r.sender_matricule', 'c.matricule')
    .select((eb) => [
      'c.matricule',
      'c.name',
      'c.status',
      eb.fn.max('r.received_at').as('last_seen'),
      eb.fn.count<number>('r.id').as('containers_in'),
      // Answered: replies kept signed (since 20261207-11), or sealed as they were sent before.
      eb.fn.count<number>(eb.fn.coalesce('r.signed_replies', 'r.receipt')).as('containers_out'),
      eb.fn.coalesce(eb.fn.sum<number>('r.rows_accepted'), sql<number>`0`).as('rows_accepted'),
      eb.fn.coalesce(eb.fn.sum<number>('r.rows_rejected'), sql<number>`0`).as('rows_rejected'),
      eb.fn.min('r.sequence').as('first_sequence'),
      eb.fn.max('r.sequence').as('last_sequence'),
      eb.fn.count<number>('r.sequence').as('sequences'),
    ])
    .groupBy(['c.id', 'c.matricule', 'c.name', 'c.status'])
    .orderBy('c.matricule')
    .execute();
  return rows.map((r) => {
    const span =
      r.first_sequence === null || r.last_sequence === null
        ? 0
        : Number(r.last_sequence) - Number(r.first_sequence) + 1;
    return {
      matricule: r.matricule,
      name: r.name,
      status: r.status,
      lastSeen: r.last_seen ? asDate(r.last_seen).toISOString() : null,
      containersIn: Number(r.containers_in),
      containersOut: Number(r.containers_out),
      rowsAccepted: Number(r.rows_accepted),
      rowsRejected: Number(r.rows_rejected),
      // Sites number containers with a counter, so a hole in the range is a container not (yet) received.
      gaps: Math.max(0, span - Number(r.sequences)),
    };
  });
}

function totals(sites: readonly SiteActivity[]) {
  const sum = (key: 'containersIn' | 'containersOut' | 'rowsAccepted' | 'rowsRejected' | 'gaps') =>
    sites.reduce((n, s) => n + s[key], 0);
  return {
    sites: sites.length,
    active: sites.filter((s) => s.lastSeen !== null).length,
    containersIn: sum('containersIn'),
    containersOut: sum('containersOut'),
    rowsAccepted: sum('rowsAccepted'),
    rowsRejected: sum('rowsRejected'),
    gaps: sum('gaps'),
  };
}

async function showMonitor(ctx: Context): Promise<void> {
  const sites = await siteActivity(await ctx.database());
  const total = totals(sites);
  ctx.print({ at: new Date().toISOString(), sites, totals: total }, () =>
    [
      formatTable(
        ['site', 'status', 'last seen', 'in', 'out', 'rows', 'rejected', 'gaps'],
        sites.map((s) => [
          s.matricule,
          s.status,
          s.lastSeen ?? 'never',
          s.containersIn,
          s.containersOut,
          s.rowsAccepted,
          s.rowsRejected,
          s.gaps,
        ]),
      ),
      `total: ${total.active}/${total.sites} sites seen, ${total.containersIn} containers in, ${total.containersOut} out, ${total.rowsAccepted} rows, ${total.rowsRejected} rejected, ${total.gaps} gaps`,
    ].join('\n'),
  );
}

/** Acts per site, table and day of validation, straight from the exchanged data. */
export async function actsReport(
  db: ServerDb,
): Promise<{ site: string; table: string; day: string; acts: number }[]> {
  // biome-ignore lint/suspicious/noExplicitAny: the tables are the contract's, chosen at run time
  const untyped = db as unknown as Kysely<any>;
  const lines: { site: string; table: string; day: string; acts: number }[] = [];
  // Records have a validation day; other exchanged rows (the documents a site issued) are not acts.
  for (const table of exchangedTables.filter((candidate) => 'validated_at' in candidate.columns)) {
    const day = sql<string | null>`to_char(${sql.ref('validated_at')}, 'YYYY-MM-DD')`;
    const rows = await untyped
      .selectFrom(table.qualifiedName)
      .select((eb) => [
        sql<string>`coalesce(${sql.ref('origin_matricule')}, '(server)')`.as('site'),
        day.as('day'),
        eb.fn.countAll<number>().as('acts'),
      ])
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

const csvCell = (value: string | number) =>
  /[",\n]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value);

/** The acts report as `xmserver report` prints it: `site,table,day,acts`, one line each. */
export function actsCsv(
  lines: readonly { site: string; table: string; day: string; acts: number }[],
): string {
  const csv = [
    'site,table,day,acts',
    ...lines.map((l) => [l.site, l.table, l.day, l.acts].map(csvCell).join(',')),
  ];
  return `${csv.join('\n')}\n`;
}

export function registerObserve(program: XmCommand, io: Io): void {
  program
    .command('monitor')
    .description(
      'transmissions per site (last seen, containers in and out, rows, rejections, gaps) and totals; --json for a snapshot',
    )
    .option('--watch <seconds>', 'refresh every so many seconds until interrupted')
    .requires(access.readOnly)
    .action(
      handler(io, async (ctx, options: { watch?: string }) => {
        if (options.watch === undefined) return showMonitor(ctx);
        if (!/^\d{1,4}$/.test(options.watch) || Number(options.watch) < 1) {
          throw new XmServerError('invalid-argument', 'watch', {
            params: {
              name: '--watch',
              value: options.watch,
              hint: 'Expected seconds, 1 or more.',
              hintFr: 'Secondes attendues, 1 ou plus.',
            },
          });
        }
        let stopped = false;
        const stop = () => {
          stopped = true;
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        while (!stopped) {
          if (!ctx.json) ctx.io.stdout.write('\u001b[2J\u001b[H');
          await showMonitor(ctx);
          for (let waited = 0; waited < Number(options.watch) * 10 && !stopped; waited++)
            await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );

  program
    .command('report')
    .description(
      'acts per site, table and day of validation as CSV; --grant-role creates a read-only role for statistics tools on the exchanged data only',
    )
    .option(
      '--grant-role <name>',
      'PostgreSQL only: a login role that may read xm_data and nothing confidential (password in XM_STATS_PASSWORD[_FILE])',
    )
    .requires(access.byOptions((options) => (options.grantRole === undefined ? 1 : 3)))
    .action(
      handler(io, async (ctx, options: { grantRole?: string }) => {
        const db = await ctx.database();
        if (options.grantRole !== undefined) return grantStatisticsRole(ctx, db, options.grantRole);
        const lines = await actsReport(db);
        if (ctx.json) return ctx.print(lines, () => '');
        ctx.io.stdout.write(actsCsv(lines));
      }),
    );
}

async function grantStatisticsRole(ctx: Context, db: ServerDb, role: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
    throw new XmServerError('invalid-argument', 'role', {
      params: {
        name: '--grant-role',
        value: role,
        hint: 'Use a lower-case SQL identifier.',
        hintFr: 'Utilisez un identifiant SQL en minuscules.',
      },
    });
  }
  if (databaseKind(ctx.config.databaseUrl) !== 'postgres' && !ctx.io.database) {
    throw new XmServerError('unavailable-feature', 'pglite', {
      params: {
        feature: '--grant-role',
        detail: 'the embedded database has no login roles; use PostgreSQL.',
      },
    });
  }
  const password = await readSecret(ctx.io.env, 'XM_STATS_PASSWORD');
  await audited(db, ctx.operator, 'report.grant-role', async (trx) => {
    const exists = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_roles where rolname = ${role}`.execute(trx);
    if ((exists.rows[0]?.n ?? 0) === 0) {
      await sql`create role ${sql.id(role)} login nosuperuser nocreatedb nocreaterole noinherit`.execute(trx);
    }
    if (password) await sql`alter role ${sql.id(role)} password ${sql.lit(password)}`.execute(trx);
    await sql`grant usage on schema xm_data to ${sql.id(role)}`.execute(trx);
    await sql`grant select on all tables in schema xm_data to ${sql.id(role)}`.execute(trx);
    await sql`alter default privileges in schema xm_data grant select on tables to ${sql.id(role)}`.execute(
      trx,
    );
    // Nothing confidential: no access to the system schema, whatever PUBLIC was given.
    await sql`revoke all on schema xm_system from ${sql.id(role)}`.execute(trx);
    await sql`revoke all on all tables in schema xm_system from ${sql.id(role)}`.execute(trx);
    return { result: undefined, target: role, details: { password: password ? 'set' : 'unchanged' } };
  });
  ctx.print(
    { role, schema: 'xm_data', access: 'read-only' },
    () => `Role ${role} may read xm_data (read-only) and nothing in xm_system.`,
  );
}
