import { checkClientLimit } from '@xmcomm/billing';
import { describeReason } from '@xmcomm/status-sync';
import { html } from '@xmcomm/web-kit';
import { currentLicence } from '../../commands/licence.js';
import type { ConsoleContext } from '../app.js';
import { barChart } from '../chart.js';
import { dashboardFigures } from '../queries.js';
import { ct } from '../texts.js';

export function registerDashboard(c: ConsoleContext): void {
  const { web, db } = c;
  web.fastify.get('/', async (request, reply) => {
    await c.need(request, 1);
    const now = (c.options.now ?? (() => new Date()))();
    const t = (text: Parameters<typeof c.t>[1], params?: Record<string, string | number>) =>
      c.t(request, text, params);
    const figures = await dashboardFigures(db, { lowCredit: c.lowCredit, now });
    const licence = await currentLicence(db);
    const edition = await checkClientLimit(db, licence, { adding: 0, now });
    const containers = figures.perMinute.reduce((n, m) => n + m.containers, 0);
    const rows = figures.perMinute.reduce((n, m) => n + m.rows, 0);
    const body = html`<div class="figures">
<section class="card figure" aria-labelledby="h-now"><h2 id="h-now">${t(ct.sitesNow)}</h2><strong data-figure="sites-now">${figures.sitesNow}</strong></section>
<section class="card figure" aria-labelledby="h-licence"><h2 id="h-licence">${t(ct.licenceUse)}</h2>
<strong data-figure="licence">${edition.count} / ${edition.limit ?? '∞'}</strong>
<p class="muted">${licence ? t(ct.licenceOf, { number: licence.licenceNumber, organisation: licence.organisation, until: licence.expiresOn }) : t(ct.noLicence)}</p></section>
</div>
<section class="card" aria-labelledby="h-hour"><h2 id="h-hour">${t(ct.lastHour)}</h2>
<div class="two-columns">
<div><p>${t(ct.containers)}: <strong data-figure="containers-hour">${containers}</strong> (${(containers / 60).toFixed(1)} ${t(ct.containersPerMinute)})</p>
${barChart(
  figures.perMinute.map((m) => m.containers),
  t(ct.containersPerMinute),
)}</div>
<div><p>${t(ct.rows)}: <strong data-figure="rows-hour">${rows}</strong> (${(rows / 60).toFixed(1)} ${t(ct.rowsPerMinute)})</p>
${barChart(
  figures.perMinute.map((m) => m.rows),
  t(ct.rowsPerMinute),
  'rows',
)}</div>
</div></section>
<div class="two-columns">
<section class="card" aria-labelledby="h-refusals"><h2 id="h-refusals">${t(ct.refusals)}</h2>
${
  figures.refusals.length === 0
    ? html`<p class="muted">${t(ct.noRefusals)}</p>`
    : html`<div class="table-wrap"><table class="refusals"><thead><tr><th>${t(ct.reason)}</th><th class="num">${t(ct.refusedContainers)}</th><th class="num">${t(ct.refusedRows)}</th></tr></thead><tbody>${figures.refusals.map(
        (r) =>
          html`<tr><td title="${r.reason}">${describeReason(r.reason, c.lang(request))}</td><td class="num">${r.containers}</td><td class="num">${r.rows}</td></tr>`,
      )}</tbody></table></div>`
}
<p class="muted">${t(ct.refusalsNote)}</p></section>
<section class="card" aria-labelledby="h-low"><h2 id="h-low">${t(ct.lowCredit, { amount: c.lowCredit })} — <span data-figure="low-count">${figures.lowCount}</span></h2>
${
  figures.low.length === 0
    ? html`<p class="muted">${t(ct.noLowCredit)}</p>`
    : html`<div class="table-wrap"><table><thead><tr><th>${t(ct.matricule)}</th><th>${t(ct.name)}</th><th class="num">${t(ct.balance)}</th></tr></thead><tbody>${figures.low.map(
        (l) =>
          html`<tr><td><a href="/clients/${encodeURIComponent(l.matricule)}">${l.matricule}</a></td><td>${l.name}</td><td class="num${l.balance < 0 ? ' negative' : ''}">${l.balance} ${l.currency}</td></tr>`,
      )}</tbody></table></div>
<p><a href="/clients?balance=low">${t(ct.clients)} →</a></p>`
}
</section></div>`;
    return web.sendPage(request, reply, { title: t(ct.dashboard), body });
  });
}
