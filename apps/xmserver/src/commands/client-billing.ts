import { invoice, invoiceToCsv } from '@xmcomm/billing';
import { getClient, parseMatricule } from '../clients.js';
import { access, handler, type XmCommand } from '../command.js';
import { formatTable, type Io } from '../context.js';
import { XmServerError } from '../errors.js';

const dayMs = 86_400_000;

/** A calendar day, UTC; `2026-02-30` is refused rather than rolled over into March. */
export function parseBillDay(name: string, raw: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00Z`) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) {
    throw new XmServerError('invalid-argument', `invalid ${name}`, {
      params: { name, value: raw, hint: 'Expected a date YYYY-MM-DD.', hintFr: 'Date AAAA-MM-JJ attendue.' },
    });
  }
  return date;
}

/** `client bill`: the invoice of a period, through billing's `invoice` (JSON, CSV or a table). */
export function registerClientBill(client: XmCommand, io: Io): void {
  client
    .command('bill')
    .description(
      "a client's invoice for a period: usage, flat fees and refunds, grouped by service and table",
    )
    .argument('<matricule>')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day included, YYYY-MM-DD')
    .option('--csv', 'CSV, one line per invoice line, then the total')
    .requires(access.operator)
    .action(
      handler(io, async (ctx, raw: string, options: { from: string; to: string; csv?: boolean }) => {
        const matricule = parseMatricule(raw);
        const from = parseBillDay('--from', options.from);
        // The operator names the last day billed; billing takes the half-open period [from, to).
        const to = new Date(parseBillDay('--to', options.to).getTime() + dayMs);
        if (to <= from) {
          throw new XmServerError('invalid-argument', 'empty period', {
            params: {
              name: '--to',
              value: options.to,
              hint: 'It must not be before --from.',
              hintFr: 'Elle ne doit pas précéder --from.',
            },
          });
        }
        const db = await ctx.database();
        await getClient(db, matricule);
        const result = await invoice(db, { matricule, from, to });
        if (!result.ok) {
          throw new XmServerError('billing-refused', result.error.message, {
            cause: result.error,
            params: { detail: result.error.message, detailFr: result.error.messageFr },
          });
        }
        const value = result.value;
        if (options.csv) {
          ctx.io.stdout.write(invoiceToCsv(value, ctx.lang));
          return;
        }
        ctx.print(value, () =>
          [
            `${value.number} ${value.client.matricule} ${options.from} .. ${options.to} (${value.currency})`,
            formatTable(
              ['kind', 'description', 'quantity', 'bytes', 'amount'],
              value.lines.map((line) => [
                line.kind,
                line.description[ctx.lang],
                line.quantity,
                line.bytes,
                line.amount,
              ]),
            ),
            `total: ${value.total} ${value.currency}`,
          ].join('\n'),
        );
      }),
    );
}
