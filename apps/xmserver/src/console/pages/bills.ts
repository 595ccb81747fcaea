import { type Invoice, invoice, invoiceToCsv } from '@xmcomm/billing';
import { html, type Text, WebKitError } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { alertOf, type ConsoleContext, type ConsoleUser, problemOf } from '../app.js';
import { input } from '../fields.js';
import { ct } from '../texts.js';
import { rt } from '../texts-reports.js';
import { findClient } from './client.js';

type Params = { Params: { matricule: string } };
type Period = { Querystring: { from?: string; to?: string } };

/** `client bill --json` as it prints an invoice: dates as ISO strings. */
type InvoiceJson = Omit<Invoice, 'from' | 'to'> & { readonly from: string; readonly to: string };

const day = (date: Date) => date.toISOString().slice(0, 10);
const lastDay = (to: Date) => day(new Date(to.getTime() - 86_400_000));

/** The calendar months of the year up to `now`, most recent first: `[first day, last day]`. */
function recentMonths(now: Date, count = 12): [string, string][] {
  return Array.from({ length: count }, (_, back) => {
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    const next = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1));
    return [day(first), lastDay(next)];
  });
}

/**
 * A client's bills: the invoice of each of the last twelve months, and any period the operator
 * names. A bill is `xmserver client bill` (billing's `invoice`): an operator's command at the
 * terminal, so here too (privilege 2); the period asked for goes through the command itself, with
 * its checks, and its CSV is the command's `--csv`.
 */
export function registerBills(c: ConsoleContext): void {
  const { web, db } = c;
  const now = () => (c.options.now ?? (() => new Date()))();

  /** `client bill` run as the operator; its answer with dates back as dates. */
  async function bill(user: ConsoleUser, matricule: string, from: string, to: string): Promise<Invoice> {
    const value = (await c.act(user, [
      'client',
      'bill',
      '--from',
      from,
      '--to',
      to,
      '--',
      matricule,
    ])) as InvoiceJson;
    return { ...value, from: new Date(value.from), to: new Date(value.to) };
  }

  async function page(
    request: FastifyRequest<Params & Period>,
    reply: FastifyReply,
    shown?: Invoice,
    problem?: { field?: string; message: string },
  ) {
    const lang = c.lang(request);
    const t = (text: Text, params?: Record<string, string | number>) => c.t(request, text, params);
    const client = await findClient(c, request.params.matricule);
    const m = encodeURIComponent(client.matricule);
    const months = await Promise.all(
      recentMonths(now()).map(async ([from, to]) => {
        const result = await invoice(db, {
          matricule: client.matricule,
          from: new Date(`${from}T00:00:00Z`),
          to: new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000),
        });
        return { from, to, value: result.ok ? result.value : undefined };
      }),
    );
    const link = (from: string, to: string, csv = false) =>
      `/clients/${m}/${csv ? 'bill.csv' : 'bill'}?from=${from}&to=${to}`;
    const period = shown ? { from: day(shown.from), to: lastDay(shown.to) } : undefined;
    const values = {
      from: request.query.from ?? period?.from ?? '',
      to: request.query.to ?? period?.to ?? '',
    };
    const err = (field: string) => (problem?.field === field ? problem.message : undefined);
    const view = shown
      ? html`<section class="card" aria-labelledby="h-bill"><h2 id="h-bill">${t(rt.bill)} ${shown.number}</h2>
<dl class="fields"><dt>${t(ct.matricule)}</dt><dd>${shown.client.matricule}</dd>
<dt>${t(rt.periodLabel)}</dt><dd>${period?.from} — ${period?.to}</dd>
<dt>${t(rt.total)}</dt><dd data-figure="bill-total">${shown.total} ${shown.currency}</dd></dl>
${
  shown.lines.length === 0
    ? html`<p class="muted">${t(rt.noLines)}</p>`
    : html`<div class="table-wrap"><table class="bill"><thead><tr><th>${t(rt.description)}</th><th class="num">${t(rt.quantity)}</th><th class="num">${t(rt.bytes)}</th><th class="num">${t(ct.amount, { currency: shown.currency })}</th></tr></thead><tbody>${shown.lines.map(
        (line) =>
          html`<tr><td>${line.description[lang]}</td><td class="num">${line.quantity}</td><td class="num">${line.bytes}</td><td class="num">${line.amount}</td></tr>`,
      )}</tbody></table></div>`
}
<p><a class="button secondary" href="${link(period?.from ?? '', period?.to ?? '', true)}" download>${t(ct.csv)}</a></p></section>`
      : html``;
    const body = html`<p><a href="/clients/${m}">← ${client.matricule} · ${client.name}</a></p>
<p class="muted">${t(rt.billsNote)}</p>
${view}
<section class="card" aria-labelledby="h-issue"><h2 id="h-issue">${t(rt.issueBill)}</h2>
${alertOf(problem && !problem.field ? problem.message : undefined)}
<form method="get" action="/clients/${m}/bill" class="filters">
${input({ name: 'from', label: t(rt.firstDay), type: 'date', value: values.from, error: err('from'), required: true })}
${input({ name: 'to', label: t(rt.lastDay), type: 'date', value: values.to, error: err('to'), required: true })}
<div class="field"><button type="submit" class="button">${t(rt.issue)}</button></div></form></section>
<section class="card" aria-labelledby="h-months"><h2 id="h-months">${t(rt.monthlyBills)}</h2>
<div class="table-wrap"><table class="bills"><thead><tr><th>${t(rt.number)}</th><th>${t(rt.periodLabel)}</th><th class="num">${t(rt.total)}</th><th></th></tr></thead><tbody>${months.map(
      ({ from, to, value }) =>
        html`<tr><td>${value?.number ?? ''}</td><td>${from} — ${to}</td><td class="num">${value ? `${value.total} ${value.currency}` : ''}</td><td><a href="${link(from, to)}">${t(rt.view)}</a> · <a href="${link(from, to, true)}" download>CSV</a></td></tr>`,
    )}</tbody></table></div></section>`;
    return web.sendPage(request, reply, {
      title: t(rt.billsOf, { matricule: client.matricule }),
      body,
      status: problem ? 400 : 200,
    });
  }

  web.fastify.get<Params & Period>('/clients/:matricule/bills', async (request, reply) => {
    await c.need(request, 2);
    return page(request, reply);
  });

  web.fastify.get<Params & Period>('/clients/:matricule/bill', async (request, reply) => {
    const user = await c.need(request, 2);
    const client = await findClient(c, request.params.matricule);
    try {
      const shown = await bill(user, client.matricule, request.query.from ?? '', request.query.to ?? '');
      return page(request, reply, shown);
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      return page(request, reply, undefined, {
        message: problem.message,
        ...(problem.field === 'from' || problem.field === 'to' ? { field: problem.field } : {}),
      });
    }
  });

  web.fastify.get<Params & Period>('/clients/:matricule/bill.csv', async (request, reply) => {
    const user = await c.need(request, 2);
    const client = await findClient(c, request.params.matricule);
    let value: Invoice;
    try {
      value = await bill(user, client.matricule, request.query.from ?? '', request.query.to ?? '');
    } catch (error) {
      throw new WebKitError('bad-request', problemOf(error, c.lang(request)).message, { cause: error });
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="bill-${value.number}.csv"`)
      .send(invoiceToCsv(value, c.lang(request)));
  });
}
