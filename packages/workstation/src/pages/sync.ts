import type { SiteDatabase } from '@xmcomm/schema';
import { csrfInput, type Html, html } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { actorOf, languageOf, type PageContext, say, showTime } from '../context.js';
import { texts } from '../texts.js';
import { outboxState, recordLinks } from './home.js';

/** The newest container sent or sealed for the server, and what it carried. */
export async function lastSynchronisation(db: Kysely<SiteDatabase>) {
  const row = await db
    .selectFrom('xm_site.outbox')
    .select(['kind', 'table_name', 'row_count', 'state', 'created_at', 'sent_at', 'acknowledged_at'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    kind: row.kind,
    table: row.table_name,
    rows: row.row_count,
    state: row.state,
    at: row.acknowledged_at ?? row.sent_at ?? row.created_at,
  };
}

export async function unreadMessages(db: Kysely<SiteDatabase>): Promise<number> {
  const row = await db
    .selectFrom('xm_site.messages')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The account as the server last reported it (status-sync keeps it in the site's settings). */
async function accountReport(db: Kysely<SiteDatabase>) {
  const row = await db
    .selectFrom('xm_site.settings')
    .select(['value', 'updated_at'])
    .where('key', '=', 'status-sync.account')
    .executeTakeFirst();
  if (!row || typeof row.value !== 'object' || row.value === null) return undefined;
  const entries = Object.entries(row.value as Record<string, unknown>).filter(
    ([, value]) => value === null || ['string', 'number', 'boolean'].includes(typeof value),
  );
  return { entries, at: row.updated_at };
}

export function registerSyncPage(ctx: PageContext): void {
  const { web, kit, db } = ctx;
  const page = async (request: FastifyRequest, reply: FastifyReply, summary?: string) => {
    const actor = actorOf(ctx, request);
    const [outbox, waiting, messages, account] = await Promise.all([
      db
        .selectFrom('xm_site.outbox')
        .select(['id', 'kind', 'table_name', 'row_count', 'state', 'attempts', 'created_at', 'last_error'])
        .orderBy('id', 'desc')
        .limit(20)
        .execute(),
      kit.records.waitingFor(actor, { limit: 50 }),
      db
        .selectFrom('xm_site.messages')
        .select(['id', 'text', 'sent_at', 'received_at', 'read_at'])
        .orderBy('id', 'desc')
        .limit(20)
        .execute(),
      accountReport(db),
    ]);
    const body: Html = html`${summary ? html`<p class="notice" role="status">${say(request, texts.syncDone, { summary })}</p>` : ''}
${
  ctx.sync.run
    ? html`<form method="post" action="/sync" class="actions">${csrfInput(request.web.csrfToken)}<button type="submit">${say(request, texts.syncNow)}</button></form>`
    : html`<p class="muted">${say(request, texts.syncNotHere)}</p>`
}
<section class="card"><h2>${say(request, texts.outbox)}</h2>
${
  outbox.length === 0
    ? html`<p>${say(request, texts.emptyOutbox)}</p>`
    : html`<div class="table-wrap"><table><thead><tr><th>${say(request, texts.created)}</th><th>${say(request, texts.kind)}</th><th>${say(request, texts.rows)}</th><th>${say(request, texts.state)}</th><th>${say(request, texts.attempts)}</th><th>${say(request, texts.lastError)}</th></tr></thead><tbody>${outbox.map(
        (item) =>
          html`<tr><td>${showTime(item.created_at)}</td><td>${item.kind}${item.table_name ? ` (${item.table_name})` : ''}</td><td>${item.row_count}</td><td>${outboxState(request, item.state)}</td><td>${item.attempts}</td><td>${item.last_error ?? ''}</td></tr>`,
      )}</tbody></table></div>`
}
</section>
<section class="card"><h2>${say(request, ctx.words().refused)}</h2>
${
  waiting.refused.length === 0
    ? html`<p>${say(request, ctx.words().noRefusals)}</p>`
    : recordLinks(request, waiting.refused, (item) => {
        const refused = item as (typeof waiting.refused)[number];
        return html` — <strong>${refused.reason}</strong>${refused.detail ? html` <span class="muted">${refused.detail}</span>` : ''}`;
      })
}
</section>
<section class="card"><h2>${say(request, texts.messages)}</h2>
${
  messages.length === 0
    ? html`<p>${say(request, texts.noMessages)}</p>`
    : html`<ul>${messages.map((message) => html`<li><span class="muted">${showTime(message.sent_at ?? message.received_at)}</span> ${message.read_at ? '' : html`<strong>•</strong> `}${message.text}</li>`)}</ul>`
}
</section>
<section class="card"><h2>${say(request, texts.account)}</h2>
${
  account
    ? html`<p>${say(request, texts.accountAsOf, { at: showTime(account.at) })}</p><dl class="fields">${account.entries.map(
        ([key, value]) => html`<dt>${key}</dt><dd>${String(value)}</dd>`,
      )}</dl>`
    : html`<p>${say(request, texts.balanceUnknown)}</p>`
}
</section>`;
    return web.sendPage(request, reply, { title: say(request, texts.synchronisation), body });
  };
  web.fastify.get('/sync', (request, reply) => page(request, reply));
  // The page is shown with the summary (no redirect): a reload asks whether to send again.
  web.fastify.post('/sync', async (request, reply) => {
    const actor = actorOf(ctx, request);
    if (!ctx.sync.run) return web.redirect(reply, '/sync');
    const summary = await ctx.sync.run(actor);
    return page(request, reply, summary[languageOf(request)]);
  });
}
