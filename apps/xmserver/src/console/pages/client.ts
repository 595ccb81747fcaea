import { statement, statementToCsv } from '@xmcomm/billing';
import { csrfInput, formValue, type Html, html, isRealDate, WebKitError } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Client, clientCertificates, getClient } from '../../clients.js';
import { XmServerError } from '../../errors.js';
import { alertOf, type ConsoleContext, type ConsoleUser, problemOf } from '../app.js';
import { input } from '../fields.js';
import { clientSummary } from '../queries.js';
import { ct, listLabel } from '../texts.js';
import { rt } from '../texts-reports.js';
import { certificatesSection } from './certificates.js';
import { clientInputs, clientOptions, readClientForm } from './clients.js';

type Params = { Params: { matricule: string } };
type PageQuery = { Querystring: { from?: string; to?: string; done?: string; serial?: string } };
/** What a refused form sends back to the client page: which form, its values and errors beside the fields. */
export type Problems = {
  form?: string;
  errors?: Record<string, string>;
  values?: Record<string, string>;
  alert?: string;
};

const day = (date: Date) => date.toISOString().slice(0, 10);

export async function findClient(c: ConsoleContext, matricule: string): Promise<Client> {
  try {
    return await getClient(c.db, matricule);
  } catch (error) {
    if (
      XmServerError.isInstance(error) &&
      (error.code === 'unknown-client' || error.code === 'invalid-matricule')
    )
      throw new WebKitError('not-found', 'no such client', { cause: error });
    throw error;
  }
}

/** The statement's period from the query: the last 31 days unless valid days are given. */
function period(query: { from?: string; to?: string }, now: Date) {
  const to = query.to && isRealDate(query.to) ? query.to : day(now);
  const from =
    query.from && isRealDate(query.from) && query.from <= to
      ? query.from
      : day(new Date(new Date(`${to}T00:00:00Z`).getTime() - 30 * 86_400_000));
  return {
    from,
    to,
    start: new Date(`${from}T00:00:00Z`),
    end: new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000),
  };
}

/** Sends the client page again, with a form's problems. */
export type ShowClient = (
  request: FastifyRequest<Params & PageQuery>,
  reply: FastifyReply,
  user: ConsoleUser,
  problems?: Problems,
) => Promise<FastifyReply>;

export function registerClientPage(c: ConsoleContext): ShowClient {
  const { web, db } = c;
  const now = () => (c.options.now ?? (() => new Date()))();

  async function show(
    request: FastifyRequest<Params & PageQuery>,
    reply: FastifyReply,
    user: ConsoleUser,
    problems: Problems = {},
  ): Promise<FastifyReply> {
    const lang = c.lang(request);
    const t = (text: Parameters<typeof c.t>[1], params?: Record<string, string | number>) =>
      c.t(request, text, params);
    const client = await findClient(c, request.params.matricule);
    const summary = await clientSummary(db, client.matricule);
    const certificates = await clientCertificates(db, client.id);
    const range = period(request.query, now());
    const moved = await statement(db, { matricule: client.matricule, from: range.start, to: range.end });
    const m = encodeURIComponent(client.matricule);
    const token = request.web.csrfToken;
    const err = (form: string, field: string) =>
      problems.form === form ? problems.errors?.[field] : undefined;
    const val = (form: string, field: string) =>
      problems.form === form ? problems.values?.[field] : undefined;
    const alert = (form: string) => (problems.form === form ? alertOf(problems.alert) : html``);
    const done = request.query.done;
    const doneText: Record<string, Parameters<typeof c.t>[1]> = {
      registered: ct.registered,
      credited: ct.credited,
      status: ct.statusChanged,
      updated: ct.updated,
      message: ct.messageSent,
      enrolled: ct.enrolled,
      revoked: ct.certificateRevoked,
    };
    const notice =
      done && doneText[done]
        ? html`<p class="notice" role="status">${t(doneText[done], { matricule: client.matricule, status: listLabel(ct.statuses, lang, client.status), amount: '', balance: summary.balance, serial: request.query.serial ?? '' })}</p>`
        : '';
    const canAct = user.privilege >= 2;
    const actions: Html = canAct
      ? html`<div class="two-columns">
<form method="post" action="/clients/${m}/credit" class="card" aria-labelledby="h-credit"><h2 id="h-credit">${t(ct.creditTitle)}</h2>
${csrfInput(token)}${alert('credit')}
${input({ name: 'amount', label: t(ct.amount, { currency: summary.currency }), type: 'number', required: true, value: val('credit', 'amount'), error: err('credit', 'amount') })}
${input({ name: 'reference', label: t(ct.reference), value: val('credit', 'reference'), error: err('credit', 'reference'), maxLength: 200 })}
<p><button type="submit" class="button">${t(ct.credit)}</button></p></form>
<form method="post" action="/clients/${m}/status" class="card" aria-labelledby="h-status"><h2 id="h-status">${t(ct.changeStatus)}</h2>
${csrfInput(token)}${alert('status')}
${input({ name: 'status', label: t(ct.status), value: val('status', 'status') ?? String(client.status), error: err('status', 'status'), choices: [0, 1, 2, 3].map((s) => [String(s), listLabel(ct.statuses, lang, s)] as const) })}
${input({ name: 'reason', label: t(ct.reason), value: val('status', 'reason'), error: err('status', 'reason'), required: true, maxLength: 500 })}
<p><button type="submit" class="button">${t(ct.changeStatus)}</button></p></form>
<form method="post" action="/clients/${m}/message" class="card" aria-labelledby="h-message"><h2 id="h-message">${t(ct.sendMessage)}</h2>
${csrfInput(token)}${alert('message')}
${input({ name: 'text', label: t(ct.message), value: val('message', 'text'), error: err('message', 'text'), required: true, multiline: true, maxLength: 500 })}
<p><button type="submit" class="button secondary">${t(ct.send)}</button></p></form>
</div>`
      : html``;
    const body = html`${notice}
<section class="card" aria-labelledby="h-details"><h2 id="h-details">${client.name}</h2>
<dl class="fields">
<dt>${t(ct.matricule)}</dt><dd>${client.matricule}</dd>
<dt>${t(ct.centreCode)}</dt><dd>${client.centreCode ?? ''}</dd>
<dt>${t(ct.status)}</dt><dd><span class="badge s${client.status}">${listLabel(ct.statuses, lang, client.status)}</span></dd>
<dt>${t(ct.balance)}</dt><dd data-figure="balance" class="${summary.balance < 0 ? 'negative' : ''}">${summary.balance} ${summary.currency}</dd>
<dt>${t(ct.lastContact)}</dt><dd>${summary.lastContact ? summary.lastContact.toISOString().slice(0, 16).replace('T', ' ') : t(ct.never)}</dd>
<dt>${t(ct.city)}</dt><dd>${client.locality ?? ''}</dd>
<dt>${t(ct.region)}</dt><dd>${client.region ?? ''}</dd>
<dt>${t(ct.domain)}</dt><dd>${client.domain ?? ''}</dd>
<dt>${t(ct.contact)}</dt><dd>${client.contact ?? ''}</dd>
</dl>
<p>${canAct ? html`<a class="button secondary" href="/clients/${m}/edit">${t(ct.edit)}</a> ` : ''}<a class="button secondary" href="/clients/${m}/profile">${t(rt.profile)}</a>${canAct ? html` <a class="button secondary" href="/clients/${m}/bills">${t(rt.bills)}</a>` : ''}</p>
</section>
${actions}
<section class="card" aria-labelledby="h-statement"><h2 id="h-statement">${t(ct.statement)}</h2>
<form method="get" action="/clients/${m}" class="filters">
${input({ name: 'from', label: t(ct.from), type: 'date', value: range.from })}
${input({ name: 'to', label: t(ct.to), type: 'date', value: range.to })}
<div class="field"><button type="submit" class="button secondary">${t(ct.show)}</button></div>
<div class="field"><a class="button secondary" href="/clients/${m}/statement.csv?from=${range.from}&amp;to=${range.to}" download>${t(ct.csv)}</a></div>
</form>
${
  moved.ok
    ? html`<p>${t(ct.opening)}: <strong>${moved.value.openingBalance}</strong> · ${t(ct.closing)}: <strong data-figure="closing">${moved.value.closingBalance}</strong> ${moved.value.currency}</p>
${
  moved.value.entries.length === 0
    ? html`<p class="muted">${t(ct.noMovement)}</p>`
    : html`<div class="table-wrap"><table class="statement"><thead><tr><th>${t(ct.date)}</th><th>${t(ct.kind)}</th><th class="num">${t(ct.amount, { currency: moved.value.currency })}</th><th class="num">${t(ct.balance)}</th><th>${t(ct.reference)}</th><th>${t(ct.reason)}</th></tr></thead><tbody>${moved.value.entries.map(
        (e) =>
          html`<tr><td>${e.createdAt.toISOString().slice(0, 16).replace('T', ' ')}</td><td>${e.kind}</td><td class="num">${e.amount}</td><td class="num">${e.balanceAfter}</td><td>${e.reference ?? ''}</td><td>${e.reason}</td></tr>`,
      )}</tbody></table></div>`
}`
    : html`<p class="muted">${lang === 'fr' ? moved.error.messageFr : moved.error.message}</p>`
}
</section>
${certificatesSection({ c, request, user, client, certificates, problems })}`;
    const status = problems.form ? 400 : 200;
    return web.sendPage(request, reply, { title: `${client.matricule} · ${client.name}`, body, status });
  }

  web.fastify.get<Params & PageQuery>('/clients/:matricule', async (request, reply) =>
    show(request, reply, await c.need(request, 1)),
  );

  web.fastify.get<Params & { Querystring: { from?: string; to?: string } }>(
    '/clients/:matricule/statement.csv',
    async (request, reply) => {
      await c.need(request, 1);
      const client = await findClient(c, request.params.matricule);
      const range = period(request.query, now());
      const moved = await statement(db, { matricule: client.matricule, from: range.start, to: range.end });
      if (!moved.ok) throw new WebKitError('not-found', moved.error.message);
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="statement-${client.matricule}-${range.from}-${range.to}.csv"`,
        )
        .send(statementToCsv(moved.value));
    },
  );

  /** A POST that runs one command; its refusal is shown on the client page beside the field. */
  function action(
    path: string,
    form: string,
    fields: readonly string[],
    argv: (matricule: string, values: Record<string, string>) => string[],
    done: string,
  ) {
    web.fastify.post<Params>(`/clients/:matricule/${path}`, async (request, reply) => {
      const user = await c.need(request, 2);
      const client = await findClient(c, request.params.matricule);
      const values = Object.fromEntries(
        fields.map((f) => [f, formValue(request.body, f).normalize('NFC').trim()]),
      );
      const missing = fields.find((f) => f !== 'reference' && values[f] === '');
      const r = request as unknown as FastifyRequest<Params & { Querystring: Record<string, string> }>;
      if (missing) {
        return show(r, reply, user, {
          form,
          values,
          errors: {
            [missing]: c.t(request, { en: 'This field is required.', fr: 'Ce champ est obligatoire.' }),
          },
        });
      }
      try {
        await c.act(user, argv(client.matricule, values));
      } catch (error) {
        const problem = problemOf(error, c.lang(request));
        if (problem.field && fields.includes(problem.field))
          return show(r, reply, user, { form, values, errors: { [problem.field]: problem.message } });
        return show(r, reply, user, { form, values, alert: problem.message });
      }
      return web.redirect(reply, `/clients/${encodeURIComponent(client.matricule)}?done=${done}`);
    });
  }

  action(
    'credit',
    'credit',
    ['amount', 'reference'],
    (m, v) => [
      'client',
      'credit',
      ...(v.reference ? ['--reference', v.reference] : []),
      '--',
      m,
      v.amount ?? '',
    ],
    'credited',
  );
  action(
    'status',
    'status',
    ['status', 'reason'],
    (m, v) => ['client', 'set-status', '--reason', v.reason ?? '', '--', m, v.status ?? ''],
    'status',
  );
  action(
    'message',
    'message',
    ['text'],
    (m, v) => ['client', 'message', '--text', v.text ?? '', '--', m],
    'message',
  );

  async function editPage(
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    client: Client,
    values: Record<string, string>,
    errors: Record<string, string>,
    alert?: string,
  ) {
    const t = (text: Parameters<typeof c.t>[1]) => c.t(request, text);
    const body = html`<form method="post" action="/clients/${encodeURIComponent(client.matricule)}/edit" class="card">
${csrfInput(request.web.csrfToken)}${alertOf(alert)}
<div class="field-grid">${clientInputs(c, request, values, errors, false)}</div>
<p><button type="submit" class="button">${t(ct.save)}</button> <a href="/clients/${encodeURIComponent(client.matricule)}">${client.matricule}</a></p>
</form>`;
    return web.sendPage(request, reply, {
      title: `${t(ct.edit)} · ${client.matricule}`,
      body,
      status: alert || Object.keys(errors).length ? 400 : 200,
    });
  }

  web.fastify.get<Params>('/clients/:matricule/edit', async (request, reply) => {
    await c.need(request, 2);
    const client = await findClient(c, request.params.matricule);
    const values = {
      name: client.name,
      centreCode: client.centreCode ?? '',
      domain: client.domain ?? '',
      region: client.region ?? '',
      locality: client.locality ?? '',
      contact: client.contact ?? '',
    };
    return editPage(request, reply, client, values, {});
  });

  web.fastify.post<Params>('/clients/:matricule/edit', async (request, reply) => {
    const user = await c.need(request, 2);
    const client = await findClient(c, request.params.matricule);
    const values = readClientForm(request.body) as Record<string, string>;
    const before: Record<string, string | null> = {
      name: client.name,
      centreCode: client.centreCode,
      domain: client.domain,
      region: client.region,
      locality: client.locality,
      contact: client.contact,
    };
    // Only what changed goes to `client update` (an emptied optional field cannot be cleared by the CLI either).
    const changed = Object.fromEntries(
      Object.entries(values).filter(([k, v]) => k in before && v !== '' && v !== (before[k] ?? '')),
    );
    if (Object.keys(changed).length === 0)
      return web.redirect(reply, `/clients/${encodeURIComponent(client.matricule)}`);
    try {
      await c.act(user, ['client', 'update', ...clientOptions(changed), '--', client.matricule]);
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      if (problem.field && problem.field in before)
        return editPage(request, reply, client, values, { [problem.field]: problem.message });
      return editPage(request, reply, client, values, {}, problem.message);
    }
    return web.redirect(reply, `/clients/${encodeURIComponent(client.matricule)}?done=updated`);
  });
  return show;
}
