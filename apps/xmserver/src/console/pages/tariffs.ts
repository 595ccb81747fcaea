import { html } from '@xmcomm/web-kit';
import type { ConsoleContext } from '../app.js';
import { ct } from '../texts.js';

interface TariffLine {
  id: number;
  service: string;
  table: string;
  currency: string;
  perRow: number;
  perKilobyte: number;
  flatFee: number;
  freeRows: number;
  period: string;
  validFrom: string;
  validUntil: string | null;
}

const when = (value: string | null) => (value ? value.slice(0, 16).replace('T', ' ') : '');

export function registerTariffs(c: ConsoleContext): void {
  const { web } = c;
  web.fastify.get('/tariffs', async (request, reply) => {
    const user = await c.need(request, 1);
    const t = (text: Parameters<typeof c.t>[1]) => c.t(request, text);
    // `tariff list`, as at a terminal: in force now and set for later.
    const lines = ((await c.act(user, ['tariff', 'list'])) ?? []) as TariffLine[];
    const body = html`${
      lines.length === 0
        ? html`<p class="muted">${t(ct.noTariffs)}</p>`
        : html`<div class="table-wrap"><table><thead><tr><th>id</th><th>${t(ct.service)}</th><th>${t(ct.table)}</th><th>${t(ct.balance)}</th><th class="num">${t(ct.perRow)}</th><th class="num">${t(ct.perKilobyte)}</th><th class="num">${t(ct.flatFee)}</th><th class="num">${t(ct.freeRows)}</th><th>${t(ct.period)}</th><th>${t(ct.validFrom)}</th><th>${t(ct.to)}</th></tr></thead><tbody>${lines.map(
            (l) =>
              html`<tr><td>${l.id}</td><td>${l.service}</td><td>${l.table}</td><td>${l.currency}</td><td class="num">${l.perRow}</td><td class="num">${l.perKilobyte}</td><td class="num">${l.flatFee}</td><td class="num">${l.freeRows}</td><td>${l.period}</td><td>${when(l.validFrom)}</td><td>${when(l.validUntil)}</td></tr>`,
          )}</tbody></table></div>`
    }
<p class="muted"><code>xmserver tariff set</code> · <code>xmserver tariff end</code></p>`;
    return web.sendPage(request, reply, { title: t(ct.tariffs), body });
  });
}
