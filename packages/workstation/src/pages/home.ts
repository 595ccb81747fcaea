import { type RecordSummary, statusNames } from '@xmcomm/site-kit';
import { type Html, html } from '@xmcomm/web-kit';
import type { FastifyRequest } from 'fastify';
import { actorOf, languageOf, type PageContext, say, showTime } from '../context.js';
import { noticeOf } from '../notices.js';
import { texts } from '../texts.js';
import { lastSynchronisation, unreadMessages } from './sync.js';

export function statusBadge(request: FastifyRequest, status: number): Html {
  const name = statusNames[status as 0] ?? { en: String(status), fr: String(status) };
  return html`<span class="badge s${status}">${status} · ${name[languageOf(request)]}</span>`;
}

/** A short list of records, each a link to its page. */
export function recordLinks(
  request: FastifyRequest,
  items: readonly RecordSummary[],
  extra?: (item: RecordSummary) => Html,
): Html {
  return html`<ul>${items.map(
    (item) =>
      html`<li><a href="/records/${item.ref}">${item.ref} — ${item.title}</a> <span class="muted">${item.eventDate}</span> ${statusBadge(request, item.status)}${extra ? extra(item) : ''}</li>`,
  )}</ul>`;
}

export function registerHomePage(ctx: PageContext): void {
  const { web, kit } = ctx;
  web.fastify.get('/', async (request, reply) => {
    if (!request.web.user) return web.redirect(reply, '/login');
    const actor = actorOf(ctx, request);
    const language = languageOf(request);
    const [waiting, counts, unfinished, last, unread] = await Promise.all([
      kit.records.waitingFor(actor, { limit: 20 }),
      kit.records.counts(actor),
      kit.unfinished.list(actor),
      lastSynchronisation(ctx.db),
      unreadMessages(ctx.db),
    ]);
    const level = actor.privilege;
    const sections: Html[] = [];
    if (level >= 2 && waiting.toVerify.length > 0) {
      sections.push(
        html`<h3>${say(request, ctx.words().toVerify)} (${waiting.toVerify.length})</h3>${recordLinks(request, waiting.toVerify)}`,
      );
    }
    if (level >= 3 && waiting.toValidate.length > 0) {
      sections.push(
        html`<h3>${say(request, ctx.words().toValidate)} (${waiting.toValidate.length})</h3>${recordLinks(request, waiting.toValidate)}`,
      );
    }
    if (waiting.refused.length > 0) {
      sections.push(
        html`<h3>${say(request, ctx.words().refused)} (${waiting.refused.length})</h3>${recordLinks(
          request,
          waiting.refused,
          (item) => html` — <strong>${(item as (typeof waiting.refused)[number]).reason}</strong>`,
        )}`,
      );
    }
    if (unfinished.length > 0) {
      sections.push(
        html`<h3>${say(request, texts.unfinished)} (${unfinished.length})</h3><ul>${unfinished.map(
          (form) =>
            html`<li><a href="/unfinished/${form.id}">U${form.id} — ${kit.recordType(form.type).label[language]}</a> <span class="muted">${showTime(form.updatedAt)}</span></li>`,
        )}</ul>`,
      );
    }
    const privilege = kit.roleNames[level];
    const canDraft = kit.recordTypes.some((type) => kit.allows(actor, type.name, 'draft'));
    const body = html`${noticeOf(request, ctx.words())}
<p>${say(request, texts.loggedInAs, { login: actor.login, privilege: privilege[language], level })}</p>
<div class="actions">
${canDraft ? html`<a class="button" href="/records/new">${say(request, ctx.words().newRecord)}</a>` : ''}
<a class="button secondary" href="/records">${say(request, texts.search)}</a>
</div>
<section class="card"><h2>${say(request, texts.waitingForYou)}</h2>
${sections.length > 0 ? sections : html`<p>${say(request, texts.nothingWaiting)}</p>`}
</section>
<section class="card"><h2>${say(request, ctx.words().countsByStatus)}</h2>
<div class="counts">${[1, 2, 3, 4, 0].map(
      (status) =>
        html`<a class="count" href="/records?status=${status}"><strong>${counts.byStatus[status] ?? 0}</strong>${statusBadge(request, status)}</a>`,
    )}</div>
</section>
<section class="card"><h2>${say(request, texts.lastSync)}</h2>
<p>${
      last
        ? say(request, ctx.words().carried, {
            when: showTime(last.at),
            rows: last.rows,
            table: last.table ?? last.kind,
            state: outboxState(request, last.state),
          })
        : say(request, texts.neverSynced)
    }</p>
${unread > 0 ? html`<p class="notice warn">${say(request, texts.unreadMessages, { count: unread })}</p>` : ''}
<p><a href="/sync">${say(request, texts.synchronisation)} →</a></p>
</section>`;
    return web.sendPage(request, reply, { title: say(request, texts.home), body });
  });
}

const outboxStateIndex = { pending: 0, sent: 1, acknowledged: 2, failed: 3 } as const;

export function outboxState(request: FastifyRequest, state: string): string {
  const index = outboxStateIndex[state as keyof typeof outboxStateIndex];
  return index === undefined ? state : (say(request, texts.outboxStates).split('|')[index] ?? state);
}
