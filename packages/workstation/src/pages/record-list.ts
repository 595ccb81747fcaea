import { type RecordSearch, type SearchResult, searchCountLimit, statusNames } from '@xmcomm/site-kit';
import { attribute, flag, type Html, html, isRealDate } from '@xmcomm/web-kit';
import type { FastifyRequest } from 'fastify';
import { actorOf, languageOf, type PageContext, rethrowKitRefusal, say } from '../context.js';
import { texts } from '../texts.js';
import { statusBadge } from './home.js';

const pageSize = 25;

/** The search as the query states it; anything malformed is left out rather than refused. */
function searchOf(ctx: PageContext, query: Record<string, unknown>) {
  const text = (name: string, max = 100) => {
    const value = query[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : undefined;
  };
  const type = text('type');
  const status = text('status');
  // Pages past the count's limit are not offered: the clerk narrows the search instead.
  const page = Math.min(
    Math.max(Number.parseInt(text('page') ?? '1', 10) || 1, 1),
    Math.ceil(searchCountLimit / pageSize),
  );
  const from = text('from');
  const to = text('to');
  const search: RecordSearch & { page: number } = {
    ...(type && ctx.kit.recordTypes.some((t) => t.name === type) ? { type } : {}),
    ...(text('name') ? { name: text('name') } : {}),
    ...(text('niu', 32) ? { niu: text('niu', 32) } : {}),
    ...(text('place') ? { place: text('place') } : {}),
    ...(from && isRealDate(from) ? { from } : {}),
    ...(to && isRealDate(to) ? { to } : {}),
    ...(status && /^[0-4]$/.test(status) ? { status: Number(status) } : {}),
    limit: pageSize,
    offset: (page - 1) * pageSize,
    page,
  };
  return search;
}

function queryOf(search: ReturnType<typeof searchOf>, page: number): string {
  const params = new URLSearchParams();
  for (const key of ['type', 'name', 'niu', 'place', 'from', 'to', 'status'] as const) {
    const value = search[key];
    if (value !== undefined) params.set(key, String(value));
  }
  params.set('page', String(page));
  return params.toString();
}

export function registerRecordList(ctx: PageContext): void {
  const { web, kit } = ctx;
  web.fastify.get('/records', async (request, reply) => {
    const actor = actorOf(ctx, request);
    const search = searchOf(ctx, request.query as Record<string, unknown>);
    let result: SearchResult;
    try {
      result = await kit.records.search(actor, search);
    } catch (error) {
      rethrowKitRefusal(request, error);
      throw error;
    }
    const results = resultsTable(ctx, request, search, result);
    // The search form asks htmx for the results alone, as the clerk types.
    if (request.headers['hx-target'] === 'results') {
      return reply.type('text/html; charset=utf-8').send(results.toString());
    }
    const language = languageOf(request);
    const field = (name: string, label: string, input: Html) =>
      html`<div class="field"><label for="s-${name}">${label}</label>${input}</div>`;
    const form = html`<form method="get" action="/records" class="card field-grid" role="search"
 hx-get="/records" hx-target="#results" hx-push-url="true" hx-trigger="input changed delay:400ms, change, submit">
${field('name', say(request, texts.name), html`<input id="s-name" name="name" maxlength="100" value="${search.name ?? ''}" autocomplete="off">`)}
${field('niu', say(request, texts.niu), html`<input id="s-niu" name="niu" maxlength="32" value="${search.niu ?? ''}">`)}
${field(
  'type',
  say(request, texts.type),
  html`<select id="s-type" name="type"><option value="">${say(request, texts.allTypes)}</option>${kit.recordTypes.map(
    (type) =>
      html`<option value="${type.name}"${flag('selected', search.type === type.name)}>${type.label[language]}</option>`,
  )}</select>`,
)}
${field(
  'status',
  say(request, texts.status),
  html`<select id="s-status" name="status"><option value="">${say(request, texts.anyStatus)}</option>${[
    1, 2, 3, 4, 0,
  ].map(
    (status) =>
      html`<option value="${status}"${flag('selected', search.status === status)}>${status} · ${statusNames[status as 0][language]}</option>`,
  )}</select>`,
)}
${field('from', say(request, texts.from), html`<input id="s-from" name="from" type="date" min="1800-01-01" max="2199-12-31"${attribute('value', search.from)}>`)}
${field('to', say(request, texts.to), html`<input id="s-to" name="to" type="date" min="1800-01-01" max="2199-12-31"${attribute('value', search.to)}>`)}
${field('place', say(request, texts.place), html`<input id="s-place" name="place" maxlength="100" value="${search.place ?? ''}">`)}
<div class="actions"><button type="submit">${say(request, texts.search)}</button></div>
</form>
<div id="results">${results}</div>`;
    return web.sendPage(request, reply, { title: say(request, ctx.words().records), body: form });
  });
}

function resultsTable(
  ctx: PageContext,
  request: FastifyRequest,
  search: ReturnType<typeof searchOf>,
  result: SearchResult,
): Html {
  const language = languageOf(request);
  if (result.total === 0) return html`<p>${say(request, ctx.words().noRecords)}</p>`;
  const pages = Math.max(1, Math.ceil(result.total / pageSize));
  const pager = html`<nav class="pager" aria-label="pages">
<span>${say(request, result.more ? ctx.words().resultCountMore : ctx.words().resultCount, { total: result.total, page: search.page, pages })}</span>
${search.page > 1 ? html`<a class="button secondary" href="/records?${queryOf(search, search.page - 1)}">${say(request, texts.previous)}</a>` : ''}
${search.page < pages ? html`<a class="button secondary" href="/records?${queryOf(search, search.page + 1)}">${say(request, texts.next)}</a>` : ''}
</nav>`;
  return html`${pager}<div class="table-wrap"><table>
<thead><tr><th>${say(request, texts.reference)}</th><th>${say(request, ctx.words().record)}</th><th>${say(request, texts.date)}</th><th>${say(request, texts.place)}</th><th>${say(request, texts.status)}</th><th>${say(request, texts.niu)}</th></tr></thead>
<tbody>${result.items.map(
    (item) =>
      html`<tr><td><a href="/records/${item.ref}">${item.ref}</a></td><td><a href="/records/${item.ref}">${item.title}</a><br><span class="muted">${ctx.kit.recordType(item.type).label[language]}</span></td><td>${item.eventDate}</td><td>${item.place ?? ''}</td><td>${statusBadge(request, item.status)}</td><td>${item.niu ?? ''}</td></tr>`,
  )}</tbody></table></div>${pages > 1 ? pager : ''}`;
}
