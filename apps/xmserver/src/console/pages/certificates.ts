import { certificateToPem, REVOCATION_REASONS } from '@xmcomm/pki';
import { csrfInput, formFile, formValue, type Html, html, WebKitError } from '@xmcomm/web-kit';
import type { FastifyRequest } from 'fastify';
import type { Client, ClientCertificate } from '../../clients.js';
import { alertOf, type ConsoleContext, type ConsoleUser, problemOf } from '../app.js';
import { fileInput, input } from '../fields.js';
import { withTemporaryFile } from '../temporary-file.js';
import { ct, listLabel } from '../texts.js';
import { findClient, type Problems, type ShowClient } from './client.js';

type Params = { Params: { matricule: string; serial: string } };

const day = (date: Date) => date.toISOString().slice(0, 10);
/** The reasons `pki revoke --reason` accepts, in the CLI's order (the labels follow it). */
const reasons = Object.keys(REVOCATION_REASONS);
const enrolForm = 'enrol';
/** What a file chooser offers for a certificate request. */
export const csrAccept = '.csr,.pem,.req,.p10,application/pkcs10';
const revokeForm = (serial: string) => `revoke-${serial}`;

/** The certificates of a client's page: a download link each; for a supervisor, Revoke and the CSR upload. */
export function certificatesSection(o: {
  readonly c: ConsoleContext;
  readonly request: FastifyRequest;
  readonly user: ConsoleUser;
  readonly client: Client;
  readonly certificates: readonly ClientCertificate[];
  readonly problems: Problems;
}): Html {
  const { c, request, user, client, certificates, problems } = o;
  const t = (text: Parameters<typeof c.t>[1]) => c.t(request, text);
  const lang = c.lang(request);
  const m = encodeURIComponent(client.matricule);
  const token = request.web.csrfToken;
  // `pki revoke` and `client enrol` are a supervisor's (access.supervisor): nobody else sees them.
  const supervisor = user.privilege >= 3;
  const mine = (form: string) => problems.form === form;
  const reasonChoices = reasons.map((r, i) => [r, listLabel(ct.revocationReasons, lang, i)] as const);
  const revokeCell = (serial: string): Html => {
    const form = revokeForm(serial);
    return html`<form method="post" action="/clients/${m}/certificates/${serial}/revoke" class="inline" aria-label="${t(ct.revoke)} ${serial}">
${csrfInput(token)}${mine(form) ? alertOf(problems.alert) : ''}
${input({ name: 'reason', label: t(ct.revokeReason), value: mine(form) ? problems.values?.reason : 'unspecified', error: mine(form) ? problems.errors?.reason : undefined, choices: reasonChoices })}
<button type="submit" class="button danger">${t(ct.revoke)}</button></form>`;
  };
  const rows = certificates.map(
    (cert) =>
      html`<tr><td>${cert.serialNumber}</td><td>${cert.purpose}</td><td>${day(cert.notBefore)}</td><td>${day(cert.notAfter)}</td><td>${cert.revokedAt ? `${day(cert.revokedAt)} ${cert.revocationReason ?? ''}` : ''}</td><td><a href="/clients/${m}/certificates/${cert.serialNumber}/pem" download>${t(ct.download)}</a></td>${supervisor ? html`<td>${cert.revokedAt ? '' : revokeCell(cert.serialNumber)}</td>` : ''}</tr>`,
  );
  const enrol = supervisor
    ? html`<form method="post" action="/clients/${m}/enrol" enctype="multipart/form-data" aria-labelledby="h-enrol"><h3 id="h-enrol">${t(ct.enrolTitle)}</h3>
${csrfInput(token)}${mine(enrolForm) ? alertOf(problems.alert) : ''}
${fileInput({ name: 'csr', label: t(ct.csrFile), accept: csrAccept, help: t(ct.csrHelp), error: mine(enrolForm) ? problems.errors?.csr : undefined, required: true })}
<p><button type="submit" class="button">${t(ct.enrol)}</button></p></form>`
    : html``;
  return html`<section class="card" aria-labelledby="h-certs"><h2 id="h-certs">${t(ct.certificates)}</h2>
${
  certificates.length === 0
    ? html`<p class="muted">${t(ct.noCertificates)}</p>`
    : html`<div class="table-wrap"><table class="certificates"><thead><tr><th>${t(ct.serial)}</th><th>${t(ct.purpose)}</th><th>${t(ct.validFrom)}</th><th>${t(ct.to)}</th><th>${t(ct.revoked)}</th><th>PEM</th>${supervisor ? html`<th>${t(ct.revoke)}</th>` : ''}</tr></thead><tbody>${rows}</tbody></table></div>`
}
${enrol}</section>`;
}

/** The certificate `serial` of this client (hex, as stored), or a 404: a URL never reaches another client's. */
async function certificateOf(c: ConsoleContext, client: Client, serial: string) {
  const row = /^[0-9a-f]{1,64}$/.test(serial)
    ? await c.db
        .selectFrom('xm_system.certificates')
        .select(['serial_number', 'der', 'revoked_at'])
        .where('serial_number', '=', serial)
        .where('client_id', '=', client.id)
        .executeTakeFirst()
    : undefined;
  if (!row) throw new WebKitError('not-found', 'no such certificate');
  return row;
}

export function registerCertificates(c: ConsoleContext, show: ShowClient): void {
  const { web } = c;
  const back = (request: FastifyRequest<Params>) => request as unknown as Parameters<ShowClient>[0];

  web.fastify.get<Params>('/clients/:matricule/certificates/:serial/pem', async (request, reply) => {
    await c.need(request, 1);
    const client = await findClient(c, request.params.matricule);
    const row = await certificateOf(c, client, request.params.serial);
    return reply
      .type('application/x-pem-file')
      .header(
        'content-disposition',
        `attachment; filename="${client.matricule.replace(/[^A-Za-z0-9._-]/g, '_')}-${row.serial_number}.pem"`,
      )
      .send(certificateToPem(new Uint8Array(row.der)));
  });

  web.fastify.post<Params>('/clients/:matricule/certificates/:serial/revoke', async (request, reply) => {
    const user = await c.need(request, 3);
    const client = await findClient(c, request.params.matricule);
    const row = await certificateOf(c, client, request.params.serial);
    const reason = formValue(request.body, 'reason');
    const form = revokeForm(row.serial_number);
    // The list is the CLI's own (commander refuses any other before the command runs): said beside the field.
    if (!reasons.includes(reason))
      return show(back(request), reply, user, {
        form,
        values: { reason },
        errors: { reason: c.t(request, ct.chooseReason) },
      });
    try {
      await c.act(user, ['pki', 'revoke', '--reason', reason, '--', row.serial_number]);
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      return show(back(request), reply, user, {
        form,
        values: { reason },
        ...(problem.field === 'reason'
          ? { errors: { reason: problem.message } }
          : { alert: problem.message }),
      });
    }
    return web.redirect(
      reply,
      `/clients/${encodeURIComponent(client.matricule)}?done=revoked&serial=${row.serial_number}`,
    );
  });

  web.fastify.post<{ Params: { matricule: string } }>('/clients/:matricule/enrol', async (request, reply) => {
    const user = await c.need(request, 3);
    const client = await findClient(c, request.params.matricule);
    const csr = formFile(request.body, 'csr');
    const r = back(request as FastifyRequest<Params>);
    if (!csr || csr.length === 0)
      return show(r, reply, user, { form: enrolForm, errors: { csr: c.t(request, ct.csrMissing) } });
    // `client enrol --csr` reads a file: the upload goes to a file of this process's own, then away.
    let issued: { serialNumber?: string };
    try {
      const run = await withTemporaryFile('request.csr', csr, (file) =>
        c.act(user, ['client', 'enrol', '--csr', file, '--', client.matricule]),
      );
      issued = (run.result ?? {}) as { serialNumber?: string };
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      return show(r, reply, user, { form: enrolForm, errors: { csr: problem.message } });
    }
    return web.redirect(
      reply,
      `/clients/${encodeURIComponent(client.matricule)}?done=enrolled&serial=${encodeURIComponent(issued.serialNumber ?? '')}`,
    );
  });
}
