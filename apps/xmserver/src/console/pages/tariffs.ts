import { billingPeriods, billingServices } from '@xmcomm/schema';
import { csrfInput, formValue, html } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { alertOf, type ConsoleContext, type ConsoleUser, problemOf } from '../app.js';
import { input } from '../fields.js';
import { ct } from '../texts.js';
import { rt } from '../texts-reports.js';

interface TariffLine {
  id: number;
  service: string;
  table: string;
  currency: string;
  perRow: number;
  perKilobyte: number;
  flatFee: number;
  freeRows: number;
  period: string;
  validFrom: string;
  validUntil: string | null;
}

/** The form's fields: each is the option of `tariff set` of the same name (`service` its argument). */
const options = [
  'table',
  'currency',
  'per-row',
  'per-kilobyte',
  'flat-fee',
  'free-rows',
  'period',
  'from',
] as const;
type Field = 'service' | (typeof options)[number];
type Form = {
  values?: Partial<Record<Field, string>>;
  errors?: Partial<Record<Field, string>>;
  alert?: string;
  /** A refused `tariff end`: which line, and why. */
  endId?: number;
  endError?: string;
};
type Query = { Querystring: { edit?: string; done?: string; id?: string } };

const when = (value: string | null) => (value ? value.slice(0, 16).replace('T', ' ') : '');

/** A line's values as the form shows them, to set its next prices from now. */
const valuesOf = (l: TariffLine): Partial<Record<Field, string>> => ({
  service: l.service,
  table: l.table,
  currency: l.currency,
  'per-row': String(l.perRow),
  'per-kilobyte': String(l.perKilobyte),
  'flat-fee': String(l.flatFee),
  'free-rows': String(l.freeRows),
  period: l.period,
});

export function registerTariffs(c: ConsoleContext): void {
  const { web } = c;

  async function page(
    request: FastifyRequest<Query>,
    reply: FastifyReply,
    user: ConsoleUser,
    form: Form = {},
  ) {
    const t = (text: Parameters<typeof c.t>[1]) => c.t(request, text);
    // `tariff list`, as at a terminal: in force now and set for later.
    const lines = ((await c.act(user, ['tariff', 'list'])) ?? []) as TariffLine[];
    // `tariff set` is an operator's (access.operator): a read-only user gets neither form nor Edit.
    const canSet = user.privilege >= 2;
    const editing = lines.find((l) => String(l.id) === request.query.edit);
    const values =
      form.values ?? (editing ? valuesOf(editing) : { table: '*', currency: 'XAF', period: 'month' });
    const field = (
      name: Field,
      label: Parameters<typeof c.t>[1],
      extra: Partial<Parameters<typeof input>[0]> = {},
    ) => input({ name, label: t(label), value: values[name], error: form.errors?.[name], ...extra });
    // `tariff end` ends a line in force or set for later, at a day it has not ended by already.
    const endable = (l: TariffLine) => l.validUntil === null || new Date(l.validUntil) > new Date();
    const endForm = (l: TariffLine) =>
      html`<form method="post" action="/tariffs/${l.id}/end" class="inline end-tariff" aria-label="${c.t(request, rt.endTariffTitle, { id: l.id })}">${csrfInput(request.web.csrfToken)}
${input({ id: `f-at-${l.id}`, name: 'at', label: t(rt.endAt), type: 'date', value: form.endId === l.id ? form.values?.from : undefined, error: form.endId === l.id ? form.endError : undefined })}
<button type="submit" class="button secondary">${t(rt.endTariff)}</button></form>`;
    const done =
      request.query.done === 'set'
        ? t(ct.tariffSet)
        : request.query.done === 'ended'
          ? c.t(request, rt.tariffEnded, { id: request.query.id ?? '' })
          : undefined;
    const body = html`${done ? html`<p class="notice" role="status">${done}</p>` : ''}
${form.endId === undefined ? '' : alertOf(form.endError)}
${
  lines.length === 0
    ? html`<p class="muted">${t(ct.noTariffs)}</p>`
    : html`<div class="table-wrap"><table class="tariffs"><thead><tr><th>id</th><th>${t(ct.service)}</th><th>${t(ct.table)}</th><th>${t(ct.currency)}</th><th class="num">${t(ct.perRow)}</th><th class="num">${t(ct.perKilobyte)}</th><th class="num">${t(ct.flatFee)}</th><th class="num">${t(ct.freeRows)}</th><th>${t(ct.period)}</th><th>${t(ct.validFrom)}</th><th>${t(ct.to)}</th>${canSet ? html`<th></th>` : ''}</tr></thead><tbody>${lines.map(
        (l) =>
          html`<tr><td>${l.id}</td><td>${l.service}</td><td>${l.table}</td><td>${l.currency}</td><td class="num">${l.perRow}</td><td class="num">${l.perKilobyte}</td><td class="num">${l.flatFee}</td><td class="num">${l.freeRows}</td><td>${l.period}</td><td>${when(l.validFrom)}</td><td>${when(l.validUntil)}</td>${canSet ? html`<td><a class="button secondary" href="/tariffs?edit=${l.id}#h-set">${t(ct.edit)}</a>${endable(l) ? endForm(l) : ''}</td>` : ''}</tr>`,
      )}</tbody></table></div>`
}
${
  canSet
    ? html`<form method="post" action="/tariffs" class="card" aria-labelledby="h-set"><h2 id="h-set">${t(ct.setTariff)}</h2>
<p class="muted">${t(ct.setTariffNote)}</p>
${csrfInput(request.web.csrfToken)}${alertOf(form.alert)}
<div class="field-grid">
${field('service', ct.service, { required: true, choices: billingServices.map((s) => [s, s] as const) })}
${field('table', ct.table, { maxLength: 63, help: t(ct.tableHelp) })}
${field('currency', ct.currency, { maxLength: 3 })}
${field('per-row', ct.perRow, { help: t(ct.minorUnits) })}
${field('per-kilobyte', ct.perKilobyte, { help: t(ct.minorUnits) })}
${field('flat-fee', ct.flatFee)}
${field('free-rows', ct.freeRows)}
${field('period', ct.period, { choices: billingPeriods.map((p) => [p, p] as const) })}
${field('from', ct.validFrom, { type: 'date', help: t(ct.fromHelp) })}
</div>
<p><button type="submit" class="button">${t(ct.setTariff)}</button></p></form>`
    : ''
}`;
    const status = form.errors || form.alert || form.endError ? 400 : 200;
    return web.sendPage(request, reply, { title: t(ct.tariffs), body, status });
  }

  web.fastify.get<Query>('/tariffs', async (request, reply) =>
    page(request, reply, await c.need(request, 1)),
  );

  web.fastify.post('/tariffs', async (request, reply) => {
    const user = await c.need(request, 2);
    const values = Object.fromEntries(
      (['service', ...options] as const).map((f) => [f, formValue(request.body, f).trim()]),
    ) as Record<Field, string>;
    const r = request as FastifyRequest<Query>;
    // Only what was filled in goes to `tariff set` (a price left empty is 0 there; an empty date, now).
    const given = options.flatMap((o) => (values[o] === '' ? [] : [`--${o}`, values[o]]));
    try {
      await c.act(user, ['tariff', 'set', ...given, '--', values.service]);
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      const named = problem.field === '<service>' ? 'service' : problem.field;
      return page(r, reply, user, {
        values,
        ...(named && (named === 'service' || (options as readonly string[]).includes(named))
          ? { errors: { [named]: problem.message } }
          : { alert: problem.message }),
      });
    }
    return web.redirect(reply, '/tariffs?done=set');
  });

  web.fastify.post<{ Params: { id: string } }>('/tariffs/:id/end', async (request, reply) => {
    const user = await c.need(request, 2);
    const id = request.params.id;
    const at = formValue(request.body, 'at').trim();
    const r = request as unknown as FastifyRequest<Query>;
    if (!/^\d{1,9}$/.test(id))
      return page(r, reply, user, { endId: -1, endError: c.t(request, rt.unknownTariff) });
    try {
      // `tariff end <id> [--at day]`: the day as typed goes to the command, which checks it.
      await c.act(user, ['tariff', 'end', ...(at ? ['--at', at] : []), '--', id]);
    } catch (error) {
      return page(r, reply, user, {
        values: { from: at },
        endId: Number(id),
        endError: problemOf(error, c.lang(request)).message,
      });
    }
    return web.redirect(reply, `/tariffs?done=ended&id=${id}`);
  });
}
