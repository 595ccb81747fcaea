import { type Html, html } from '@xmcomm/web-kit';
import type { FastifyRequest } from 'fastify';
import type { ConsoleContext } from '../app.js';
import { latestContainers, sitesSeen } from '../queries.js';
import { ct } from '../texts.js';

const minute = (date: Date) => date.toISOString().slice(0, 19).replace('T', ' ');

export function registerMonitor(c: ConsoleContext): void {
  const { web, db } = c;

  /** The live part: htmx fetches it again every 3 seconds and swaps it in place (no script of ours). */
  async function live(request: FastifyRequest): Promise<Html> {
    const t = (text: Parameters<typeof c.t>[1], params?: Record<string, string | number>) =>
      c.t(request, text, params);
    const [containers, sites] = await Promise.all([latestContainers(db), sitesSeen(db)]);
    const now = (c.options.now ?? (() => new Date()))();
    return html`<div id="live" hx-get="/monitor/live" hx-trigger="every 3s" hx-swap="outerHTML">
<p class="muted" role="status">${t(ct.refreshed, { at: minute(now) })}</p>
<div class="two-columns">
<section class="card" aria-labelledby="h-recent"><h2 id="h-recent">${t(ct.recent)}</h2>
${
  containers.length === 0
    ? html`<p class="muted">${t(ct.nothingYet)}</p>`
    : html`<div class="table-wrap"><table class="containers"><thead><tr><th>${t(ct.received)}</th><th>${t(ct.site)}</th><th>${t(ct.table)}</th><th class="num">#</th><th class="num">${t(ct.accepted)}</th><th class="num">${t(ct.rejected)}</th></tr></thead><tbody>${containers.map(
        (r) =>
          html`<tr><td>${minute(r.receivedAt)}</td><td>${r.sender ? html`<a href="/clients/${encodeURIComponent(r.sender)}">${r.sender}</a>` : '-'}</td><td>${r.table ?? r.kind}</td><td class="num">${r.sequence ?? ''}</td><td class="num">${r.accepted}</td><td class="num${r.rejected > 0 ? ' negative' : ''}">${r.rejected}</td></tr>`,
      )}</tbody></table></div>`
}</section>
<section class="card" aria-labelledby="h-sites"><h2 id="h-sites">${t(ct.perSite)}</h2>
${
  sites.length === 0
    ? html`<p class="muted">${t(ct.nothingYet)}</p>`
    : html`<div class="table-wrap"><table class="sites"><thead><tr><th>${t(ct.site)}</th><th>${t(ct.lastContact)}</th><th class="num">${t(ct.containers)}</th><th class="num">${t(ct.gaps)}</th></tr></thead><tbody>${sites.map(
        (s) =>
          html`<tr><td>${s.matricule ? html`<a href="/clients/${encodeURIComponent(s.matricule)}">${s.matricule}</a>` : '-'}</td><td>${minute(s.last)}</td><td class="num">${s.containers}</td><td class="num">${s.gaps}</td></tr>`,
      )}</tbody></table></div>`
}</section></div></div>`;
  }

  web.fastify.get('/monitor', async (request, reply) => {
    await c.need(request, 1);
    return web.sendPage(request, reply, { title: c.t(request, ct.monitor), body: await live(request) });
  });
  web.fastify.get('/monitor/live', async (request, reply) => {
    await c.need(request, 1);
    return reply.type('text/html; charset=utf-8').send((await live(request)).toString());
  });
}
