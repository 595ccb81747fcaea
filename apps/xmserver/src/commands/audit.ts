import { access, handler, type XmCommand } from '../command.js';
import { formatTable, type Io } from '../context.js';
import { asDate } from '../database.js';
import { XmServerError } from '../errors.js';

export function registerAudit(program: XmCommand, io: Io): void {
  program
    .command('audit')
    .description('the audit log: every change made through xmserver, newest first')
    .option('--limit <n>', 'how many entries', '50')
    .option('--target <id>', 'only changes to this login, matricule or serial')
    .requires(access.readOnly)
    .action(
      handler(io, async (ctx, options: { limit: string; target?: string }) => {
        if (!/^\d{1,6}$/.test(options.limit)) {
          throw new XmServerError('invalid-argument', 'invalid limit', {
            params: {
              name: '--limit',
              value: options.limit,
              hint: 'Expected a whole number.',
              hintFr: 'Nombre entier attendu.',
            },
          });
        }
        let query = (await ctx.database())
          .selectFrom('xm_system.audit_log')
          .select(['id', 'at', 'operator', 'action', 'target', 'details'])
          .orderBy('id', 'desc')
          .limit(Number(options.limit));
        if (options.target) query = query.where('target', '=', options.target);
        const entries = await query.execute();
        ctx.print(entries, () =>
          formatTable(
            ['at', 'operator', 'action', 'target', 'details'],
            entries.map((e) => [
              asDate(e.at).toISOString(),
              e.operator,
              e.action,
              e.target,
              e.details ? JSON.stringify(e.details) : '',
            ]),
          ),
        );
      }),
    );
}
