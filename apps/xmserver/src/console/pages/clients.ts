import { csrfInput, formValue, type Html, html } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { alertOf, type ConsoleContext, problemOf } from '../app.js';
import { input } from '../fields.js';
import { type BalanceFilter, type ContactFilter, searchClients } from '../queries.js';
import { ct, listLabel } from '../texts.js';

const pageSize = 50;

interface ListQuery {
  q?: string;
  status?: string;
  city?: string;
  contact?: string;
  balance?: string;
  page?: string;
}

const contacts: readonly ContactFilter[] = ['any', 'day', 'week', 'old'];
const balances: readonly BalanceFilter[] = ['any', 'low', 'negative'];

/** The client form's fields, for registering (and, without matricule and status, editing). */
export const clientFields = [
  'name',
  'matricule',
  'centreCode',
  'status',
  'domain',
  'region',
  'locality',
  'contact',
] as const;
export type ClientForm = Partial<Record<(typeof clientFields)[number], string>>;

export function clientInputs(
  c: ConsoleContext,
  request: FastifyRequest,
  values: ClientForm,
  errors: Readonly<Record<string, string>>,
  creating: boolean,
): Html {
  const t = (text: Parameters<typeof c.t>[1]) => c.t(request, text);
  const lang = c.lang(request);
  return html`${input({ name: 'name', label: t(ct.name), value: values.name, error: errors.name, required: true, maxLength: 150 })}
${creating ? input({ name: 'matricule', label: t(ct.matricule), value: values.matricule, error: errors.matricule, help: t(ct.matriculeHelp), maxLength: 32 }) : ''}
${input({ name: 'centreCode', label: t(ct.centreCode), value: values.centreCode, error: errors.centreCode, help: t(ct.centreCodeHelp), maxLength: 32 })}
${creating ? input({ name: 'status', label: t(ct.status), value: values.status ?? '3', error: errors.status, choices: [0, 1, 2, 3].map((s) => [String(s), listLabel(ct.statuses, lang, s)] as const) }) : ''}
${input({ name: 'locality', label: t(ct.city), value: values.locality, error: errors.locality, maxLength: 100 })}
${input({ name: 'region', label: t(ct.region), value: values.region, error: errors.region, maxLength: 100 })}
${input({ name: 'domain', label: t(ct.domain), value: values.domain, error: errors.domain, maxLength: 40 })}
${input({ name: 'contact', label: t(ct.contact), value: values.contact, error: errors.contact, maxLength: 200 })}`;
}

/** The CLI options of the filled fields (empty ones are left out: the command's defaults apply). */
export function clientOptions(values: ClientForm): string[] {
  const options: string[] = [];
  const add = (flag: string, value: string | undefined) => {
    if (value !== undefined && value !== '') options.push(flag, value);
  };
  add('--name', values.name);
  add('--centre-code', values.centreCode);
  add('--domain', values.domain);
  add('--region', values.region);
  add('--locality', values.locality);
  add('--contact', values.contact);
  return options;
}

export function readClientForm(body: unknown): ClientForm {
  return Object.fromEntries(clientFields.map((f) => [f, formValue(body, f).normalize('NFC').trim()]));
}

export function registerClientsPages(c: ConsoleContext): void {
  const { web, db } = c;

  web.fastify.get<{ Querystring: ListQuery }>('/clients', async (request, reply) => {
    const user = await c.need(request, 1);
    const lang = c.lang(request);
    const t = (text: Parameters<typeof c.t>[1], params?: Record<string, string | number>) =>
      c.t(request, text, params);
    const q = request.query;
    const status = q.status && /^[0-3]$/.test(q.status) ? Number(q.status) : undefined;
    const contact = contacts.includes(q.contact as ContactFilter) ? (q.contact as ContactFilter) : 'any';
    const balance = balances.includes(q.balance as BalanceFilter) ? (q.balance as BalanceFilter) : 'any';
    const page = q.page && /^\d{1,6}$/.test(q.page) && Number(q.page) > 0 ? Number(q.page) : 1;
    const search = (q.q ?? '').slice(0, 100);
    const city = (q.city ?? '').slice(0, 100);
    const now = (c.options.now ?? (() => new Date()))();
    const { lines, more } = await searchClients(
      db,
      { q: search, status, city, contact, balance, page, pageSize },
      { lowCredit: c.lowCredit, now },
    );
    const link = (p: number) => {
      const params = new URLSearchParams();
      if (search) params.set('q', search);
      if (status !== undefined) params.set('status', String(status));
      if (city) params.set('city', city);
      if (contact !== 'any') params.set('contact', contact);
      if (balance !== 'any') params.set('balance', balance);
      params.set('page', String(p));
      return `/clients?${params}`;
    };
    const contactLabel = { any: ct.contactAny, day: ct.contactDay, week: ct.contactWeek, old: ct.contactOld };
    const balanceLabel = {
      any: t(ct.balanceAny),
      low: t(ct.balanceLow, { amount: c.lowCredit }),
      negative: t(ct.balanceNegative),
    };
    const body = html`${user.privilege >= 2 ? html`<p class="actions"><a class="button" href="/clients/new">${t(ct.newClient)}</a></p>` : ''}
<form method="get" action="/clients" class="card filters" role="search">
${input({ name: 'q', label: t(ct.search), value: search, type: 'search', maxLength: 100 })}
${input({ name: 'status', label: t(ct.status), value: status === undefined ? '' : String(status), choices: [['', t(ct.anyStatus)], ...[0, 1, 2, 3].map((s) => [String(s), listLabel(ct.statuses, lang, s)] as const)] })}
${input({ name: 'city', label: t(ct.city), value: city, maxLength: 100 })}
${input({ name: 'contact', label: t(ct.lastContact), value: contact, choices: contacts.map((k) => [k, t(contactLabel[k])] as const) })}
${input({ name: 'balance', label: t(ct.balance), value: balance, choices: balances.map((k) => [k, balanceLabel[k]] as const) })}
<div class="field"><button type="submit" class="button">${t(ct.filter)}</button></div>
</form>
${
  lines.length === 0
    ? html`<p class="muted">${t(ct.noClients)}</p>`
    : html`<div class="table-wrap"><table><thead><tr><th>${t(ct.matricule)}</th><th>${t(ct.name)}</th><th>${t(ct.centreCode)}</th><th>${t(ct.status)}</th><th>${t(ct.city)}</th><th class="num">${t(ct.balance)}</th><th>${t(ct.lastContact)}</th></tr></thead>
<tbody>${lines.map(
        (l) =>
          html`<tr><td><a href="/clients/${encodeURIComponent(l.matricule)}">${l.matricule}</a></td><td>${l.name}</td><td>${l.centreCode ?? ''}</td><td><span class="badge s${l.status}">${l.status}</span></td><td>${l.locality ?? ''}</td><td class="num${(l.balance ?? 0) < 0 ? ' negative' : ''}">${l.balance ?? 0} ${l.currency ?? ''}</td><td>${l.lastContact ? l.lastContact.toISOString().slice(0, 16).replace('T', ' ') : t(ct.never)}</td></tr>`,
      )}</tbody></table></div>`
}
<nav class="pager" aria-label="${t(ct.pageN, { page })}">${page > 1 ? html`<a href="${link(page - 1)}" rel="prev">${t(ct.previous)}</a>` : ''} <span>${t(ct.pageN, { page })}</span> ${more ? html`<a href="${link(page + 1)}" rel="next">${t(ct.next)}</a>` : ''}</nav>`;
    return web.sendPage(request, reply, { title: t(ct.clients), body });
  });

  function newPage(
    request: FastifyRequest,
    reply: FastifyReply,
    values: ClientForm,
    errors: Record<string, string>,
    alert?: string,
  ) {
    const t = (text: Parameters<typeof c.t>[1]) => c.t(request, text);
    const body = html`<form method="post" action="/clients" class="card">
${csrfInput(request.web.csrfToken)}
${alertOf(alert)}
<div class="field-grid">${clientInputs(c, request, values, errors, true)}</div>
<p><button type="submit" class="button">${t(ct.register)}</button></p>
</form>`;
    return web.sendPage(request, reply, {
      title: t(ct.newClient),
      body,
      status: alert || Object.keys(errors).length ? 400 : 200,
    });
  }

  web.fastify.get('/clients/new', async (request, reply) => {
    await c.need(request, 2);
    return newPage(request, reply, {}, {});
  });

  web.fastify.post('/clients', async (request, reply) => {
    const user = await c.need(request, 2);
    const values = readClientForm(request.body);
    if (!values.name)
      return newPage(request, reply, values, {
        name: c.t(request, { en: 'This field is required.', fr: 'Ce champ est obligatoire.' }),
      });
    const argv = ['client', 'add', ...clientOptions(values), '--status', values.status || '3'];
    if (values.matricule) argv.push('--matricule', values.matricule);
    try {
      const created = (await c.act(user, argv)) as { matricule: string };
      return web.redirect(reply, `/clients/${encodeURIComponent(created.matricule)}?done=registered`);
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      if (problem.field && (clientFields as readonly string[]).includes(problem.field))
        return newPage(request, reply, values, { [problem.field]: problem.message });
      return newPage(request, reply, values, {}, problem.message);
    }
  });
}
