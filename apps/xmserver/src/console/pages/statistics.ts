import { html, type Language, type Text } from '@xmcomm/web-kit';
import {
  actsCsv,
  actsReport,
  actTables,
  parseStatisticsFilter,
  recordStatistics,
  type StatisticsAxis,
  type StatisticsFilter,
  statisticsAxes,
  statisticsCsv,
  totalsBy,
} from '../../statistics.js';
import { alertOf, type ConsoleContext, problemOf } from '../app.js';
import { barCell } from '../chart.js';
import { input } from '../fields.js';
import { ct } from '../texts.js';
import { rt } from '../texts-reports.js';

type Query = { Querystring: { from?: string; to?: string; table?: string; by?: string } };

/** The filter of the query string (empty fields are no filter); a refusal as the CLI words it. */
function filterOf(
  query: Query['Querystring'],
  language: Language,
): { filter: StatisticsFilter; problem?: string } {
  const given = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  const raw = { from: given(query.from), to: given(query.to), table: given(query.table) };
  try {
    return { filter: parseStatisticsFilter(raw) };
  } catch (error) {
    return { filter: {}, problem: problemOf(error, language).message };
  }
}

/** The filter as a query string, to carry it to the CSV links. */
const queryOf = (filter: StatisticsFilter) =>
  (['from', 'to', 'table'] as const)
    .flatMap((key) => (filter[key] ? [`${key}=${encodeURIComponent(filter[key] ?? '')}`] : []))
    .join('&');

export function registerStatistics(c: ConsoleContext): void {
  const { web, db } = c;

  web.fastify.get<Query>('/statistics', async (request, reply) => {
    await c.need(request, 1);
    const lang = c.lang(request);
    const t = (text: Text) => c.t(request, text);
    // A table by its contract label in the user's language ("Naissance"), its name when it has none.
    const labelOf = (name: string) => actTables(name)[0]?.label?.[lang] ?? name;
    const { filter, problem } = filterOf(request.query, lang);
    // The same functions as `xmserver report` (src/statistics.ts): the page and its CSVs agree.
    const [lines, cube] = await Promise.all([actsReport(db, filter), recordStatistics(db, filter)]);
    const total = lines.reduce((n, l) => n + l.acts, 0);
    const sexLabel: Record<string, Text> = {
      male: rt.male,
      female: rt.female,
      'not-recorded': rt.notRecorded,
    };
    const keyLabel = (axis: StatisticsAxis, key: string) => {
      if (axis === 'table') return labelOf(key);
      if (axis === 'sex') return t(sexLabel[key] ?? rt.notRecorded);
      if (key === '') return axis === 'month' ? t(ct.noDate) : t(rt.notRecorded);
      return key;
    };
    const q = queryOf(filter);
    const csvLink = (axis: StatisticsAxis | 'site') =>
      axis === 'site'
        ? `/statistics.csv${q ? `?${q}` : ''}`
        : `/statistics.csv?by=${axis}${q ? `&${q}` : ''}`;
    // Each row's bar stands beside its label and figure: the chart is the table.
    const section = (axis: StatisticsAxis, title: Text, head: Text, note?: Text) => {
      const rows = totalsBy(cube, axis);
      const max = Math.max(0, ...rows.map(([, acts]) => acts));
      return html`<section class="card" aria-labelledby="h-${axis}"><h2 id="h-${axis}">${t(title)}</h2>
<div class="table-wrap"><table class="with-bars" data-axis="${axis}"><thead><tr><th>${t(head)}</th><th class="num">${t(ct.acts)}</th><th class="bar-cell"></th></tr></thead><tbody>${rows.map(
        ([key, acts]) =>
          html`<tr data-key="${key}"><td>${keyLabel(axis, key)}</td><td class="num">${acts}</td><td class="bar-cell">${barCell(acts, max)}</td></tr>`,
      )}</tbody></table></div>
<p><a class="button secondary" href="${csvLink(axis)}" download>${t(ct.csv)}</a></p>
${note ? html`<p class="muted">${t(note)}</p>` : ''}</section>`;
    };
    const bySite = new Map<string, number>();
    for (const l of lines)
      bySite.set(`${l.site}\u0000${l.table}`, (bySite.get(`${l.site}\u0000${l.table}`) ?? 0) + l.acts);
    const tableChoices: [string, string][] = [
      ['', t(rt.allTypes)],
      ...actTables().map((table) => [table.name, table.label?.[lang] ?? table.name] as [string, string]),
    ];
    const form = html`<form method="get" action="/statistics" class="filters card" aria-label="${t(rt.filter)}">
${input({ name: 'from', label: t(rt.fromMonth), type: 'month', value: filter.from ?? '' })}
${input({ name: 'to', label: t(rt.toMonth), type: 'month', value: filter.to ?? '' })}
${input({ name: 'table', label: t(rt.type), value: filter.table ?? '', choices: tableChoices })}
<div class="field"><button type="submit" class="button secondary">${t(rt.filter)}</button></div>
</form>${alertOf(problem)}`;
    const body =
      total === 0
        ? html`${form}<p class="muted">${t(ct.noActs)}</p>`
        : html`${form}
<p>${t(ct.actsTotal)}: <strong data-figure="acts-total">${total}</strong> · <a class="button secondary" href="${csvLink('site')}" download>${t(ct.csv)}</a></p>
${section('month', ct.byMonth, ct.month)}
<div class="two-columns">
${section('table', ct.byTable, ct.table)}
${section('sex', rt.bySex, rt.sex, rt.sexNote)}
</div>
<div class="two-columns">
${section('region', rt.byRegion, ct.region, rt.regionNote)}
<section class="card" aria-labelledby="h-site"><h2 id="h-site">${t(ct.bySite)}</h2>
<div class="table-wrap"><table class="by-site"><thead><tr><th>${t(ct.site)}</th><th>${t(ct.table)}</th><th class="num">${t(ct.acts)}</th></tr></thead><tbody>${[
            ...bySite,
          ]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, acts]) => {
              const [site, name] = key.split('\u0000');
              return html`<tr><td>${site}</td><td>${labelOf(name ?? '')}</td><td class="num">${acts}</td></tr>`;
            })}</tbody></table></div></section></div>
<p class="muted">${t(ct.statisticsNote)} ${t(rt.sameAsReport)}</p>`;
    return web.sendPage(request, reply, { title: t(ct.statistics), body, status: problem ? 400 : 200 });
  });

  web.fastify.get<Query>('/statistics.csv', async (request, reply) => {
    await c.need(request, 1);
    const { filter, problem } = filterOf(request.query, c.lang(request));
    if (problem) return reply.code(400).type('text/plain; charset=utf-8').send(`${problem}\n`);
    const by = request.query.by;
    if (by === undefined || by === '' || by === 'site') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="acts.csv"')
        .send(actsCsv(await actsReport(db, filter)));
    }
    if (!(statisticsAxes as readonly string[]).includes(by))
      return reply.code(400).type('text/plain; charset=utf-8').send('by: month, table, region, sex\n');
    const axis = by as StatisticsAxis;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="acts-by-${axis}.csv"`)
      .send(statisticsCsv(axis, totalsBy(await recordStatistics(db, filter), axis)));
  });
}
