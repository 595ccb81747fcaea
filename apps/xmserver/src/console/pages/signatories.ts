import { certificateToPem } from '@xmcomm/pki';
import { csrfInput, formFile, formValue, html, WebKitError } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { XmServerError } from '../../errors.js';
import { alertOf, type ConsoleContext, type ConsoleUser, problemOf } from '../app.js';
import { fileInput, input } from '../fields.js';
import { withTemporaryFile } from '../temporary-file.js';
import { ct } from '../texts.js';
import { csrAccept } from './certificates.js';

/** A line of `signatory list --json`. */
interface SignatoryLine {
  id: number;
  full_name: string;
  role: string;
  active: boolean;
  matricule: string | null;
  serial_number: string | null;
}

type Form = { values?: Record<string, string>; errors?: Record<string, string>; alert?: string };
type IdParams = { Params: { id: string } };
const fields = ['name', 'role', 'client'] as const;

export function registerSignatories(c: ConsoleContext): void {
  const { web } = c;

  async function page(
    request: FastifyRequest<{ Querystring: { done?: string; id?: string } }>,
    reply: FastifyReply,
    user: ConsoleUser,
    form: Form = {},
  ) {
    const t = (text: Parameters<typeof c.t>[1], params?: Record<string, string | number>) =>
      c.t(request, text, params);
    // `signatory list`, as at a terminal (read-only users may run it).
    const lines = ((await c.act(user, ['signatory', 'list'])) ?? []) as SignatoryLine[];
    const supervisor = user.privilege >= 3;
    const token = request.web.csrfToken;
    const id = /^\d{1,9}$/.test(request.query.id ?? '') ? (request.query.id as string) : '';
    const done =
      request.query.done === 'added'
        ? t(ct.signatoryAdded, { id })
        : request.query.done === 'withdrawn'
          ? t(ct.signatoryRevoked, { id })
          : '';
    const rows = lines.map(
      (s) =>
        html`<tr><td>${s.id}</td><td>${s.full_name}</td><td>${s.role}</td><td>${s.matricule ? html`<a href="/clients/${encodeURIComponent(s.matricule)}">${s.matricule}</a>` : ''}</td><td>${s.active ? t(ct.yes) : html`<span class="badge s0">${t(ct.no)}</span>`}</td><td>${s.serial_number ? html`${s.serial_number} <a href="/signatories/${s.id}/pem" download>${t(ct.download)}</a>` : ''}</td>${
          supervisor
            ? html`<td>${s.active ? html`<form method="post" action="/signatories/${s.id}/revoke">${csrfInput(token)}<button type="submit" class="button danger">${t(ct.withdraw)}</button></form>` : ''}</td>`
            : ''
        }</tr>`,
    );
    const add = supervisor
      ? html`<form method="post" action="/signatories" enctype="multipart/form-data" class="card" aria-labelledby="h-add"><h2 id="h-add">${t(ct.addSignatory)}</h2>
${csrfInput(token)}${alertOf(form.alert)}
<div class="field-grid">
${input({ name: 'name', label: t(ct.fullName), required: true, maxLength: 200, value: form.values?.name, error: form.errors?.name })}
${input({ name: 'role', label: t(ct.role), required: true, maxLength: 100, value: form.values?.role, error: form.errors?.role })}
${input({ name: 'client', label: t(ct.siteOptional), maxLength: 40, value: form.values?.client, error: form.errors?.client })}
${fileInput({ name: 'csr', label: t(ct.signatoryCsr), accept: csrAccept, help: t(ct.signatoryCsrHelp), error: form.errors?.csr })}
</div>
<p><button type="submit" class="button">${t(ct.add)}</button></p></form>`
      : html``;
    const body = html`${done ? html`<p class="notice" role="status">${done}</p>` : ''}
<p class="muted">${t(ct.signatoriesNote)}</p>
${
  lines.length === 0
    ? html`<p class="muted">${t(ct.noSignatories)}</p>`
    : html`<div class="table-wrap"><table class="signatories"><thead><tr><th>id</th><th>${t(ct.fullName)}</th><th>${t(ct.role)}</th><th>${t(ct.site)}</th><th>${t(ct.active)}</th><th>${t(ct.certificate)}</th>${supervisor ? html`<th>${t(ct.withdraw)}</th>` : ''}</tr></thead><tbody>${rows}</tbody></table></div>`
}
${add}`;
    const status = form.alert || form.errors ? 400 : 200;
    return web.sendPage(request, reply, { title: t(ct.signatories), body, status });
  }

  web.fastify.get<{ Querystring: { done?: string; id?: string } }>('/signatories', async (request, reply) =>
    page(request, reply, await c.need(request, 1)),
  );

  web.fastify.post('/signatories', async (request, reply) => {
    const user = await c.need(request, 3);
    const values = Object.fromEntries(
      fields.map((f) => [f, formValue(request.body, f).normalize('NFC').trim()]),
    ) as Record<(typeof fields)[number], string>;
    const csr = formFile(request.body, 'csr');
    const r = request as FastifyRequest<{ Querystring: Record<string, string> }>;
    const missing = (['name', 'role'] as const).find((f) => values[f] === '');
    if (missing)
      return page(r, reply, user, {
        values,
        errors: {
          [missing]: c.t(request, { en: 'This field is required.', fr: 'Ce champ est obligatoire.' }),
        },
      });
    const argv = (file: string | undefined) => [
      'signatory',
      'add',
      '--name',
      values.name,
      '--role',
      values.role,
      ...(values.client ? ['--client', values.client] : []),
      ...(file ? ['--csr', file] : []),
    ];
    let added: { id?: number };
    try {
      const result =
        csr && csr.length > 0
          ? (await withTemporaryFile('request.csr', csr, (file) => c.act(user, argv(file)))).result
          : await c.act(user, argv(undefined));
      added = (result ?? {}) as { id?: number };
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      // Said beside the field it is about: the site's matricule, or the request file.
      const code = XmServerError.isInstance(error) ? error.code : '';
      const field =
        problem.field === 'matricule' || code === 'unknown-client'
          ? 'client'
          : problem.field === 'name' || problem.field === 'role' || problem.field === 'csr'
            ? problem.field
            : code === 'invalid-certificate' || code === 'key-already-certified'
              ? 'csr'
              : undefined;
      return page(r, reply, user, {
        values,
        ...(field ? { errors: { [field]: problem.message } } : { alert: problem.message }),
      });
    }
    return web.redirect(reply, `/signatories?done=added&id=${added.id ?? ''}`);
  });

  web.fastify.post<IdParams>('/signatories/:id/revoke', async (request, reply) => {
    const user = await c.need(request, 3);
    if (!/^\d{1,9}$/.test(request.params.id)) throw new WebKitError('not-found', 'no such signatory');
    try {
      await c.act(user, ['signatory', 'revoke', '--', request.params.id]);
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      const r = request as unknown as FastifyRequest<{ Querystring: Record<string, string> }>;
      return page(r, reply, user, { alert: problem.message });
    }
    return web.redirect(reply, `/signatories?done=withdrawn&id=${request.params.id}`);
  });

  web.fastify.get<IdParams>('/signatories/:id/pem', async (request, reply) => {
    await c.need(request, 1);
    const row = /^\d{1,9}$/.test(request.params.id)
      ? await c.db
          .selectFrom('xm_system.signatories as s')
          .innerJoin('xm_system.certificates as k', 'k.id', 's.certificate_id')
          .select(['k.der', 'k.serial_number'])
          .where('s.id', '=', Number(request.params.id))
          .executeTakeFirst()
      : undefined;
    if (!row) throw new WebKitError('not-found', 'no such certificate');
    return reply
      .type('application/x-pem-file')
      .header(
        'content-disposition',
        `attachment; filename="signatory-${request.params.id}-${row.serial_number}.pem"`,
      )
      .send(certificateToPem(new Uint8Array(row.der)));
  });
}
