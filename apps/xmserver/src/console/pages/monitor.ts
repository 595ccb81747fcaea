import { csrfInput, flag, formValue, type Html, html } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { withoutPassword } from '../../config.js';
import { alertOf, type ConsoleContext, type ConsoleUser, problemOf } from '../app.js';
import { input } from '../fields.js';
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
          html`<tr><td><time datetime="${r.receivedAt.toISOString()}">${minute(r.receivedAt)}</time></td><td>${r.sender ? html`<a href="/clients/${encodeURIComponent(r.sender)}">${r.sender}</a>` : '-'}</td><td>${r.table ?? r.kind}</td><td class="num">${r.sequence ?? ''}</td><td class="num">${r.accepted}</td><td class="num${r.rejected > 0 ? ' negative' : ''}">${r.rejected}</td></tr>`,
      )}</tbody></table></div>`
}</section>
<section class="card" aria-labelledby="h-sites"><h2 id="h-sites">${t(ct.perSite)}</h2>
${
  sites.length === 0
    ? html`<p class="muted">${t(ct.nothingYet)}</p>`
    : html`<div class="table-wrap"><table class="sites"><thead><tr><th>${t(ct.site)}</th><th>${t(ct.lastContact)}</th><th class="num">${t(ct.containers)}</th><th class="num">${t(ct.lastSequence)}</th><th class="num">${t(ct.gaps)}</th></tr></thead><tbody>${sites.map(
        (s) =>
          html`<tr><td>${s.matricule ? html`<a href="/clients/${encodeURIComponent(s.matricule)}">${s.matricule}</a>` : '-'}</td><td>${minute(s.last)}</td><td class="num">${s.containers}</td><td class="num">${s.lastSequence ?? ''}</td><td class="num${s.gaps > 0 ? ' negative' : ''}">${s.gaps}</td></tr>`,
      )}</tbody></table></div>
<p class="muted">${t(ct.backlogNote)}</p>`
}</section></div></div>`;
  }

  /** The broker test's form and, after a run, its figures (`broker test --json`). */
  function brokerCard(request: FastifyRequest, user: ConsoleUser, run: BrokerRun = {}): Html {
    // An operator's here (the CLI asks no privilege): it loads the broker, and with the broker's
    // admin account configured it provisions a test account, which a read-only user must not drive.
    if (user.privilege < 2) return html``;
    const t = (text: Parameters<typeof c.t>[1], params?: Record<string, string | number>) =>
      c.t(request, text, params);
    const r = run.report;
    const figures = r
      ? html`<dl class="fields broker-figures">
<dt>${t(ct.connectTime, { url: withoutPassword(r.url), version: r.protocolVersion === 5 ? '5' : '3.1.1' })}</dt><dd data-figure="connect">${r.connectMs} ms</dd>
<dt>${t(ct.roundTrip)}</dt><dd data-figure="latency">${r.latencyMs.min} / ${r.latencyMs.median} / ${r.latencyMs.p95} / ${r.latencyMs.max} ms</dd>
<dt>${t(ct.throughput)}</dt><dd data-figure="throughput">${t(ct.perSecond, { rate: r.throughput.messagesPerSecond, bytes: r.throughput.payloadBytes, kib: Math.round(r.throughput.bytesPerSecond / 1024) })}</dd>
${r.testAccount ? html`<dt>${t(ct.testAccount)}</dt><dd>${r.testAccount.username} (${r.testAccount.action})</dd>` : ''}
</dl>`
      : html``;
    return html`<form method="post" action="/monitor/broker-test" class="card" aria-labelledby="h-broker"><h2 id="h-broker">${t(ct.brokerTest)}</h2>
<p class="muted">${t(ct.brokerTestNote)}</p>
${csrfInput(request.web.csrfToken)}${alertOf(run.alert)}
${input({ name: 'messages', label: t(ct.messagesCount), type: 'number', required: true, value: run.messages ?? '200', error: run.error })}
<div class="field"><label><input type="checkbox" name="mqtt3" value="1"${flag('checked', run.mqtt3)}> ${t(ct.mqtt3)}</label></div>
<p><button type="submit" class="button">${t(ct.testBroker)}</button></p>
<div role="status">${figures}</div></form>`;
  }

  async function page(request: FastifyRequest, reply: FastifyReply, user: ConsoleUser, run: BrokerRun = {}) {
    const body = html`${await live(request)}
${brokerCard(request, user, run)}`;
    const status = run.alert || run.error ? 400 : 200;
    return web.sendPage(request, reply, { title: c.t(request, ct.monitor), body, status });
  }

  web.fastify.get('/monitor', async (request, reply) => page(request, reply, await c.need(request, 1)));
  web.fastify.get('/monitor/live', async (request, reply) => {
    await c.need(request, 1);
    return reply.type('text/html; charset=utf-8').send((await live(request)).toString());
  });
  web.fastify.post('/monitor/broker-test', async (request, reply) => {
    const user = await c.need(request, 2);
    const messages = formValue(request.body, 'messages').trim();
    const mqtt3 = formValue(request.body, 'mqtt3') === '1';
    // Always the configured broker: a URL typed in a browser would make the server connect anywhere.
    const argv = ['broker', 'test', '--messages', messages, '--timeout', '20', ...(mqtt3 ? ['--mqtt3'] : [])];
    try {
      const report = (await c.act(user, argv)) as BrokerReport;
      return page(request, reply, user, { messages, mqtt3, report });
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      return page(request, reply, user, {
        messages,
        mqtt3,
        ...(problem.field === 'messages' ? { error: problem.message } : { alert: problem.message }),
      });
    }
  });
}

/** What `broker test --json` prints (mqtt-transport's BrokerTestResult and the test account). */
interface BrokerReport {
  url: string;
  protocolVersion: number;
  connectMs: number;
  latencyMs: { min: number; median: number; p95: number; max: number };
  throughput: { messagesPerSecond: number; payloadBytes: number; bytesPerSecond: number };
  testAccount: { username: string; action: string } | null;
}

interface BrokerRun {
  messages?: string;
  mqtt3?: boolean;
  report?: BrokerReport;
  error?: string;
  alert?: string;
}
