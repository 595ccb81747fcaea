import { csrfInput, formValue, html } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ConsoleContext, problemOf } from '../app.js';
import { input } from '../fields.js';
import { ct } from '../texts.js';

interface Shown {
  edition: string;
  clients: number;
  users: number | null;
  licence?: { licenceNumber: string; organisation: string; expiresOn: string } | null;
  expiredLicence?: { licenceNumber: string; expiresOn: string } | null;
  used: { clients: number; users: number };
}

export function registerLicence(c: ConsoleContext): void {
  const { web } = c;

  async function page(
    request: FastifyRequest,
    reply: FastifyReply,
    problem: { key?: string; error?: string } = {},
  ) {
    const user = await c.need(request, 1);
    const t = (text: Parameters<typeof c.t>[1], params?: Record<string, string | number>) =>
      c.t(request, text, params);
    // `licence show`, as at a terminal.
    const shown = (await c.act(user, ['licence', 'show'])) as Shown;
    const body = html`<section class="card" aria-labelledby="h-edition"><h2 id="h-edition">${t(ct.edition)}: <span data-figure="edition">${shown.edition}</span></h2>
<dl class="fields">
${shown.licence ? html`<dt>${t(ct.licence)}</dt><dd>${t(ct.licenceOf, { number: shown.licence.licenceNumber, organisation: shown.licence.organisation, until: shown.licence.expiresOn })}</dd>` : ''}
<dt>${t(ct.clients)}</dt><dd>${shown.used.clients} / ${shown.clients}</dd>
<dt>${t(ct.users)}</dt><dd>${shown.used.users} / ${shown.users ?? '∞'}</dd>
${shown.expiredLicence ? html`<dt>${t(ct.expired)}</dt><dd>${shown.expiredLicence.licenceNumber} (${shown.expiredLicence.expiresOn})</dd>` : ''}
</dl></section>
${
  user.privilege >= 3
    ? html`<form method="post" action="/licence" class="card" aria-labelledby="h-key"><h2 id="h-key">${t(ct.enterKey)}</h2>
${csrfInput(request.web.csrfToken)}
${input({ name: 'key', label: t(ct.licenceKey), value: problem.key, error: problem.error, required: true, multiline: true, maxLength: 4000 })}
<p><button type="submit" class="button">${t(ct.activate)}</button></p></form>`
    : ''
}`;
    return web.sendPage(request, reply, { title: t(ct.licence), body, status: problem.error ? 400 : 200 });
  }

  web.fastify.get('/licence', (request, reply) => page(request, reply));
  web.fastify.post('/licence', async (request, reply) => {
    const user = await c.need(request, 3);
    const key = formValue(request.body, 'key').trim();
    try {
      await c.act(user, ['licence', 'activate', '--', key]);
    } catch (error) {
      return page(request, reply, { key, error: problemOf(error, c.lang(request)).message });
    }
    return web.redirect(reply, '/licence');
  });
}
