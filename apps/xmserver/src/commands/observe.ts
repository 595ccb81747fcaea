import { databaseKind } from '@xmcomm/schema';
import { sql } from 'kysely';
import { audited } from '../audit.js';
import { access, handler, type XmCommand } from '../command.js';
import { readSecret } from '../config.js';
import { type Context, formatTable, type Io } from '../context.js';
import { asDate, type ServerDb } from '../database.js';
import { XmServerError } from '../errors.js';
import {
  actsCsv,
  actsReport,
  parseStatisticsFilter,
  recordStatistics,
  type StatisticsAxis,
  statisticsAxes,
  statisticsCsv,
  totalsBy,
} from '../statistics.js';

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
      'acts per site, table and day of validation as CSV; --by month, table, region or sex for totals; --grant-role creates a read-only role for statistics tools on the exchanged data only',
    )
    .option('--by <axis>', `totals by ${statisticsAxes.join(', ')} instead of per site and day`)
    .option('--from <month>', 'first month counted, YYYY-MM (by validation day, UTC)')
    .option('--to <month>', 'last month counted, YYYY-MM')
    .option('--table <name>', 'one exchanged table only (births, marriages, deaths)')
    .option(
      '--grant-role <name>',
      'PostgreSQL only: a login role that may read xm_data and nothing confidential (password in XM_STATS_PASSWORD[_FILE])',
    )
    .requires(access.byOptions((options) => (options.grantRole === undefined ? 1 : 3)))
    .action(
      handler(
        io,
        async (
          ctx,
          options: { grantRole?: string; by?: string; from?: string; to?: string; table?: string },
        ) => {
          const db = await ctx.database();
          if (options.grantRole !== undefined) return grantStatisticsRole(ctx, db, options.grantRole);
          const filter = parseStatisticsFilter(options);
          if (options.by === undefined) {
            const lines = await actsReport(db, filter);
            if (ctx.json) return ctx.print(lines, () => '');
            ctx.io.stdout.write(actsCsv(lines));
            return;
          }
          const axis = options.by as StatisticsAxis;
          if (!statisticsAxes.includes(axis)) {
            throw new XmServerError('invalid-argument', 'invalid --by', {
              params: {
                name: '--by',
                value: options.by,
                hint: `Expected one of: ${statisticsAxes.join(', ')}.`,
                hintFr: `Une de ces valeurs est attendue : ${statisticsAxes.join(', ')}.`,
              },
            });
          }
          const totals = totalsBy(await recordStatistics(db, filter), axis);
          if (ctx.json)
            return ctx.print(
              totals.map(([key, acts]) => ({ [axis]: key, acts })),
              () => '',
            );
          ctx.io.stdout.write(statisticsCsv(axis, totals));
        },
      ),
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
