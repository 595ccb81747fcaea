import {
  BillingError,
  endTariff,
  listTariffs,
  type Period,
  type Service,
  setTariff,
  type Tariff,
} from '@xmcomm/billing';
import { audited } from '../audit.js';
import { access, handler, type XmCommand } from '../command.js';
import { type Context, formatTable, type Io } from '../context.js';
import { XmServerError } from '../errors.js';
import { text } from '../messages.js';

/** The option (or argument) of each field billing's validation may name. */
const optionOf: Readonly<Record<string, string>> = {
  service: '<service>',
  table: '--table',
  currency: '--currency',
  perRow: '--per-row',
  perKilobyte: '--per-kilobyte',
  flatFee: '--flat-fee',
  freeRows: '--free-rows',
  period: '--period',
  from: '--from',
  at: '--at',
  id: '<id>',
};

/**
 * A whole number as typed, or NaN: billing's own validation then refuses it, naming the field,
 * so the command and the library never disagree on what a price may be.
 */
function count(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  return /^[+-]?\d{1,16}(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
}

/**
 * A calendar day (`YYYY-MM-DD`, from 00:00 UTC) or an ISO 8601 instant with its offset; anything
 * else, `2026-02-30` included, is an invalid date that billing refuses, naming the field.
 */
function instant(raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  const invalid = new Date(Number.NaN);
  const match =
    /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/.exec(value);
  if (!match) return invalid;
  const [, day, hours, minutes, seconds] = match;
  const midnight = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(midnight.getTime()) || midnight.toISOString().slice(0, 10) !== day) return invalid;
  if (hours === undefined) return midnight;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds ?? 0) > 59) return invalid;
  return new Date(value);
}

/** Billing's refusals as the CLI's: a field's refusal names the option, in both languages. */
function fromBilling(
  error: BillingError,
  given: Readonly<Record<string, string | undefined>>,
): XmServerError {
  if (error.code === 'invalid-input' && error.field !== undefined) {
    const name = optionOf[error.field] ?? error.field;
    return new XmServerError('invalid-argument', error.message, {
      cause: error,
      params: {
        name,
        value: given[error.field] ?? '',
        hint: `${error.message}.`,
        hintFr: `${error.messageFr}.`,
      },
    });
  }
  if (error.code === 'unknown-tariff') {
    return new XmServerError('unknown-tariff', error.message, {
      cause: error,
      params: { detail: error.message, detailFr: error.messageFr },
    });
  }
  return new XmServerError('billing-refused', error.message, {
    cause: error,
    params: { detail: error.message, detailFr: error.messageFr },
  });
}

/** Runs a billing call, turning its thrown refusals into the CLI's errors. */
async function billing<T>(
  given: Readonly<Record<string, string | undefined>>,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (BillingError.isInstance(error)) throw fromBilling(error, given);
    throw error;
  }
}

const keyOf = (t: Pick<Tariff, 'service' | 'table' | 'currency'>) => `${t.service}/${t.table}/${t.currency}`;
const when = (date: Date | null) => (date === null ? '' : date.toISOString());

function describeTariff(ctx: Context, tariff: Tariff): string {
  return text(tariff.validUntil ? 'tariff.line-until' : 'tariff.line', ctx.lang, {
    id: tariff.id,
    service: tariff.service,
    table: tariff.table,
    currency: tariff.currency,
    perRow: tariff.perRow,
    perKilobyte: tariff.perKilobyte,
    flatFee: tariff.flatFee,
    freeRows: tariff.freeRows,
    period: tariff.period,
    from: when(tariff.validFrom),
    until: when(tariff.validUntil),
  });
}

interface SetOptions {
  table?: string;
  currency?: string;
  perRow?: string;
  perKilobyte?: string;
  flatFee?: string;
  freeRows?: string;
  period?: string;
  from?: string;
}

export function registerTariff(program: XmCommand, io: Io): void {
  const tariff = program
    .command('tariff')
    .description(
      'prices of the services per act (row) or volume (kilobyte), per table, over time: set, list, end',
    );

  tariff
    .command('set')
    .description(
      'set the prices of a service from a date (default now): the tariff in force then ends there; prices not given are 0',
    )
    .argument('<service>', 'sds-export, sds-import, messages, account-query or profile-query')
    .option('--table <name>', 'an exchanged table (births); default * (every table without its own)')
    .option('--currency <code>', 'ISO 4217 currency of the accounts it applies to (default XAF)')
    .option('--per-row <n>', 'price of each row (act), in minor units')
    .option('--per-kilobyte <n>', 'price of each kilobyte of a container, in minor units')
    .option('--flat-fee <n>', 'charged once per period by the periodic fees')
    .option('--free-rows <n>', 'rows free of charge per period')
    .option('--period <period>', 'day, month or year (default month)')
    .option('--from <date>', 'YYYY-MM-DD (from 00:00 UTC) or an ISO 8601 instant; default now')
    .requires(access.operator)
    .action(
      handler(io, async (ctx, service: string, options: SetOptions) => {
        const given = { service, ...options };
        const input = {
          service: service as Service,
          ...(options.table === undefined ? {} : { table: options.table }),
          ...(options.currency === undefined ? {} : { currency: options.currency }),
          ...(options.period === undefined ? {} : { period: options.period as Period }),
          perRow: count(options.perRow),
          perKilobyte: count(options.perKilobyte),
          flatFee: count(options.flatFee),
          freeRows: count(options.freeRows),
          from: instant(options.from),
        };
        const db = await ctx.database();
        const set = await audited(db, ctx.operator, 'tariff.set', async (trx) => {
          const line = await billing(given, () => setTariff(trx, input));
          return {
            result: line,
            target: keyOf(line),
            details: {
              id: line.id,
              perRow: line.perRow,
              perKilobyte: line.perKilobyte,
              flatFee: line.flatFee,
              freeRows: line.freeRows,
              period: line.period,
              from: line.validFrom.toISOString(),
              until: line.validUntil?.toISOString() ?? null,
            },
          };
        });
        ctx.print(set, () => describeTariff(ctx, set));
      }),
    );

  tariff
    .command('list')
    .description('tariffs in force now and those set for later; --at: in force then; --all: ended ones too')
    .option('--at <date>', 'YYYY-MM-DD or an ISO 8601 instant')
    .option('--all', 'every tariff ever set')
    .requires(access.readOnly)
    .action(
      handler(io, async (ctx, options: { at?: string; all?: boolean }) => {
        if (options.at !== undefined && options.all) {
          throw new XmServerError('invalid-argument', '--at with --all', {
            params: {
              name: '--all',
              value: `with --at ${options.at}`,
              hint: 'Give one of --at and --all.',
              hintFr: 'Donnez --at ou --all, pas les deux.',
            },
          });
        }
        const at = instant(options.at);
        const filter = at ? { at } : options.all ? {} : { from: new Date() };
        const lines = await billing({ at: options.at }, async () =>
          listTariffs(await ctx.database(), filter),
        );
        ctx.print(lines, () =>
          lines.length === 0
            ? text('tariff.none', ctx.lang)
            : formatTable(
                [
                  'id',
                  'service',
                  'table',
                  'currency',
                  'per row',
                  'per KiB',
                  'flat fee',
                  'free rows',
                  'period',
                  'from',
                  'until',
                ],
                lines.map((t) => [
                  t.id,
                  t.service,
                  t.table,
                  t.currency,
                  t.perRow,
                  t.perKilobyte,
                  t.flatFee,
                  t.freeRows,
                  t.period,
                  when(t.validFrom),
                  when(t.validUntil),
                ]),
              ),
        );
      }),
    );

  tariff
    .command('end')
    .description(
      "end a tariff (by its id, or a service's tariff in force then): from then on the service is free, or the * tariff applies to a table",
    )
    .argument('<id|service>', 'the tariff id from "tariff list", or a service')
    .option('--table <name>', 'with a service: the table (default *)')
    .option('--currency <code>', 'with a service: the currency (default XAF)')
    .option('--at <date>', 'YYYY-MM-DD (00:00 UTC) or an ISO 8601 instant; default now')
    .requires(access.operator)
    .action(
      handler(io, async (ctx, which: string, options: { table?: string; currency?: string; at?: string }) => {
        const byId = /^\d{1,9}$/.test(which);
        if (byId && (options.table !== undefined || options.currency !== undefined)) {
          throw new XmServerError('invalid-argument', 'id with table', {
            params: {
              name: options.table !== undefined ? '--table' : '--currency',
              value: options.table ?? options.currency ?? '',
              hint: 'A tariff id names one line already; --table and --currency go with a service.',
              hintFr:
                'Un numéro de tarif désigne déjà une ligne ; --table et --currency vont avec un service.',
            },
          });
        }
        const ref = byId
          ? { id: Number(which) }
          : {
              service: which as Service,
              ...(options.table === undefined ? {} : { table: options.table }),
              ...(options.currency === undefined ? {} : { currency: options.currency }),
            };
        const at = instant(options.at);
        const given = { service: which, id: which, ...options };
        const db = await ctx.database();
        const ended = await audited(db, ctx.operator, 'tariff.end', async (trx) => {
          const outcome = await billing(given, () => endTariff(trx, ref, at ? { at } : {}));
          if (!outcome.ok) throw fromBilling(outcome.error, given);
          return {
            result: outcome.tariff,
            target: keyOf(outcome.tariff),
            details: { id: outcome.tariff.id, at: when(outcome.tariff.validUntil) },
          };
        });
        ctx.print(ended, () =>
          text('tariff.ended', ctx.lang, {
            id: ended.id,
            service: ended.service,
            table: ended.table,
            currency: ended.currency,
            until: when(ended.validUntil),
          }),
        );
      }),
    );
}
