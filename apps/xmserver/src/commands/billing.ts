import { type BillingError, credit, statement, statementToCsv } from '@xmcomm/billing';
import { audited } from '../audit.js';
import { getClient, parseMatricule } from '../clients.js';
import { access, handler, type XmCommand } from '../command.js';
import { formatTable, type Io } from '../context.js';
import { XmServerError } from '../errors.js';
import { text } from '../messages.js';
import { tellAccount, toldLine } from './client-messages.js';

/** Amounts are whole numbers in the account's currency units (the franc CFA has no smaller unit). */
export function parseAmount(raw: string): number {
  const trimmed = raw.trim();
  if (!/^\d{1,15}$/.test(trimmed) || Number(trimmed) <= 0 || !Number.isSafeInteger(Number(trimmed))) {
    throw new XmServerError('invalid-amount', `invalid amount ${raw}`, { params: { value: raw } });
  }
  return Number(trimmed);
}

function parseDay(name: string, raw: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00Z`) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) {
    throw new XmServerError('invalid-argument', `invalid ${name}`, {
      params: { name, value: raw, hint: 'Expected a date YYYY-MM-DD.', hintFr: 'Date AAAA-MM-JJ attendue.' },
    });
  }
  return date;
}

function refused(error: BillingError): XmServerError {
  return new XmServerError('billing-refused', error.message, {
    cause: error,
    params: { detail: error.message, detailFr: error.messageFr },
  });
}

export function registerBilling(client: XmCommand, io: Io): void {
  client
    .command('credit')
    .description("credit (recharge) a client's account")
    .argument('<matricule>')
    .argument('<amount>', 'whole currency units, e.g. 50000')
    .option('--reference <text>', 'payment receipt, cheque or transfer number')
    .option('--reason <text>', 'shown on the statement', 'recharge')
    .requires(access.operator)
    .action(
      handler(
        io,
        async (ctx, raw: string, rawAmount: string, options: { reference?: string; reason: string }) => {
          const matricule = parseMatricule(raw);
          const amount = parseAmount(rawAmount);
          const db = await ctx.database();
          const result = await audited(db, ctx.operator, 'client.credit', async (trx) => {
            await getClient(trx, matricule);
            const moved = await credit(trx, {
              matricule,
              amount,
              actor: ctx.operator,
              reason: options.reason,
              ...(options.reference ? { reference: options.reference } : {}),
            });
            if (!moved.ok) throw refused(moved.error);
            return {
              result: moved,
              target: matricule,
              details: { amount, reference: options.reference ?? null },
            };
          });
          const told = await tellAccount(ctx, matricule);
          ctx.print({ matricule, amount, balance: result.balance, entry: result.entry.id, ...told }, () =>
            [
              text('client.credited', ctx.lang, { amount, matricule, balance: result.balance }),
              toldLine(ctx, matricule, told),
            ].join('\n'),
          );
        },
      ),
    );

  client
    .command('statement')
    .description("a client's statement: every movement of its account over a period (CSV with --csv)")
    .argument('<matricule>')
    .option('--from <date>', 'first day, YYYY-MM-DD (default: 30 days ago)')
    .option('--to <date>', 'last day included, YYYY-MM-DD (default: today)')
    .option('--csv', 'CSV, one line per movement')
    .requires(access.readOnly)
    .action(
      handler(io, async (ctx, raw: string, options: { from?: string; to?: string; csv?: boolean }) => {
        const matricule = parseMatricule(raw);
        const today = new Date(new Date().toISOString().slice(0, 10));
        const to = new Date((options.to ? parseDay('--to', options.to) : today).getTime() + 86_400_000);
        const from = options.from
          ? parseDay('--from', options.from)
          : new Date(to.getTime() - 31 * 86_400_000);
        const db = await ctx.database();
        await getClient(db, matricule);
        const result = await statement(db, { matricule, from, to });
        if (!result.ok) throw refused(result.error);
        const value = result.value;
        if (options.csv) {
          ctx.io.stdout.write(statementToCsv(value));
          return;
        }
        ctx.print(value, () =>
          [
            `${matricule} ${value.currency}: opening ${value.openingBalance}, closing ${value.closingBalance}`,
            formatTable(
              ['date', 'kind', 'amount', 'balance', 'reason'],
              value.entries.map((e) => [
                e.createdAt.toISOString(),
                e.kind,
                e.amount,
                e.balanceAfter,
                e.reason,
              ]),
            ),
          ].join('\n'),
        );
      }),
    );
}
