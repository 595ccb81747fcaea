import { csrfInput, formValue, html } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asDate } from '../../database.js';
import { alertOf, type ConsoleContext, type ConsoleUser, problemOf } from '../app.js';
import { input } from '../fields.js';
import { withTemporaryFile } from '../temporary-file.js';
import { ct } from '../texts.js';

/** The setting `trust-list export` counts its lists in (commands/trust-list.ts). */
const SEQUENCE_SETTING = 'trust-list-sequence';

type Form = { days?: string; error?: string; alert?: string };

export function registerTrustList(c: ConsoleContext): void {
  const { web, db } = c;

  async function page(request: FastifyRequest, reply: FastifyReply, user: ConsoleUser, form: Form = {}) {
    const t = (text: Parameters<typeof c.t>[1]) => c.t(request, text);
    const setting = await db
      .selectFrom('xm_system.settings')
      .select(['value', 'updated_at'])
      .where('key', '=', SEQUENCE_SETTING)
      .executeTakeFirst();
    const sequence = setting ? Number(setting.value) : 0;
    const body = html`<p class="muted">${t(ct.trustListNote)}</p>
<section class="card" aria-labelledby="h-current"><h2 id="h-current">${t(ct.currentList)}</h2>
<dl class="fields">
<dt>${t(ct.sequence)}</dt><dd data-figure="sequence">${sequence || t(ct.neverExported)}</dd>
<dt>${t(ct.issuedAt)}</dt><dd data-figure="issued">${setting && sequence ? asDate(setting.updated_at).toISOString().slice(0, 16).replace('T', ' ') : ''}</dd>
</dl></section>
${
  // `trust-list export` is a supervisor's (access.supervisor): nobody else sees the button.
  user.privilege >= 3
    ? html`<form method="post" action="/trust-list/export" class="card" aria-labelledby="h-export"><h2 id="h-export">${t(ct.export)}</h2>
${csrfInput(request.web.csrfToken)}${alertOf(form.alert)}
${input({ name: 'days', label: t(ct.validityDays), type: 'number', required: true, value: form.days ?? '30', error: form.error, help: t(ct.exportHelp) })}
<p><button type="submit" class="button">${t(ct.export)}</button></p></form>`
    : ''
}`;
    const status = form.error || form.alert ? 400 : 200;
    return web.sendPage(request, reply, { title: t(ct.trustList), body, status });
  }

  web.fastify.get('/trust-list', async (request, reply) => page(request, reply, await c.need(request, 1)));

  /** Runs `trust-list export --out` into a file of the console's own and sends that file, as it was written. */
  web.fastify.post('/trust-list/export', async (request, reply) => {
    const user = await c.need(request, 3);
    const days = formValue(request.body, 'days').trim();
    let exported: { result: unknown; written: Buffer | undefined };
    try {
      exported = await withTemporaryFile('trust-list.txt', undefined, (file) =>
        c.act(user, ['trust-list', 'export', '--out', file, '--days', days]),
      );
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      return page(request, reply, user, {
        days,
        ...(problem.field === 'days' ? { error: problem.message } : { alert: problem.message }),
      });
    }
    const { sequence } = (exported.result ?? {}) as { sequence?: number };
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="trust-list-${Number(sequence) || 0}.txt"`)
      .send(exported.written);
  });
}
