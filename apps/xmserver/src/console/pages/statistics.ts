import { exchangedTables } from '@xmcomm/schema';
import { html } from '@xmcomm/web-kit';
import { actsCsv } from '../../commands/observe.js';
import type { ConsoleContext } from '../app.js';
import { barCell } from '../chart.js';
import { ct } from '../texts.js';

interface ReportLine {
  site: string;
  table: string;
  day: string;
  acts: number;
}

const sumBy = (lines: readonly ReportLine[], key: (line: ReportLine) => string) => {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(key(line), (totals.get(key(line)) ?? 0) + line.acts);
  return [...totals].sort(([a], [b]) => a.localeCompare(b));
};

export function registerStatistics(c: ConsoleContext): void {
  const { web } = c;
  // `xmserver report` itself, run as the operator: the page and its CSV give the same figures.
  const report = async (user: Parameters<ConsoleContext['act']>[0]) =>
    ((await c.act(user, ['report'])) ?? []) as ReportLine[];

  web.fastify.get('/statistics', async (request, reply) => {
    const user = await c.need(request, 1);
    const t = (text: Parameters<typeof c.t>[1]) => c.t(request, text);
    // A table by its contract label in the user's language ("Naissance"), its name when it has none.
    const labelOf = (name: string) =>
      exchangedTables.find((table) => table.name === name)?.label?.[c.lang(request)] ?? name;
    const lines = await report(user);
    const byMonth = sumBy(lines, (l) => l.day.slice(0, 7) || t(ct.noDate));
    const byTable = sumBy(lines, (l) => labelOf(l.table));
    const bySite = sumBy(lines, (l) => `${l.site}\u0000${l.table}`);
    const total = lines.reduce((n, l) => n + l.acts, 0);
    // Each row's bar stands beside its label and figure: the chart is the table.
    const table = (head: string, rows: [string, number][]) => {
      const max = Math.max(0, ...rows.map(([, acts]) => acts));
      return html`<div class="table-wrap"><table class="with-bars"><thead><tr><th>${head}</th><th class="num">${t(ct.acts)}</th><th class="bar-cell"></th></tr></thead><tbody>${rows.map(
        ([key, acts]) =>
          html`<tr><td>${key}</td><td class="num">${acts}</td><td class="bar-cell">${barCell(acts, max)}</td></tr>`,
      )}</tbody></table></div>`;
    };
    const body =
      lines.length === 0
        ? html`<p class="muted">${t(ct.noActs)}</p>`
        : html`<p>${t(ct.actsTotal)}: <strong data-figure="acts-total">${total}</strong> · <a class="button secondary" href="/statistics.csv" download>${t(ct.csv)}</a></p>
<section class="card" aria-labelledby="h-month"><h2 id="h-month">${t(ct.byMonth)}</h2>
${table(t(ct.month), byMonth)}</section>
<div class="two-columns">
<section class="card" aria-labelledby="h-table"><h2 id="h-table">${t(ct.byTable)}</h2>${table(t(ct.table), byTable)}</section>
<section class="card" aria-labelledby="h-site"><h2 id="h-site">${t(ct.bySite)}</h2>
<div class="table-wrap"><table class="by-site"><thead><tr><th>${t(ct.site)}</th><th>${t(ct.table)}</th><th class="num">${t(ct.acts)}</th></tr></thead><tbody>${bySite.map(
            ([key, acts]) => {
              const [site, name] = key.split('\u0000');
              return html`<tr><td>${site}</td><td>${labelOf(name ?? '')}</td><td class="num">${acts}</td></tr>`;
            },
          )}</tbody></table></div></section></div>
<p class="muted">${t(ct.statisticsNote)}</p>`;
    return web.sendPage(request, reply, { title: t(ct.statistics), body });
  });

  web.fastify.get('/statistics.csv', async (request, reply) => {
    const user = await c.need(request, 1);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="acts.csv"')
      .send(actsCsv(await report(user)));
  });
}
