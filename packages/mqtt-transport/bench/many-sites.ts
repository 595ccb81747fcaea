/**
 * Many simulated sites connected at once to one Mosquitto started by this bench (its
 * connection limit lifted, `ulimit -n` raised in its shell), each with our SiteTransport,
 * and one ServerTransport (2 connections, shared subscription) receiving a container from
 * every site. Prints connect time, delivery time and memory on both sides.
 * Usage: npm run bench (1,000 sites) | tsx --conditions=@xmcomm/source bench/many-sites.ts --full (10,000)
 *        [--sites N]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { InMemoryInbox, InMemoryOutbox } from '../src/memory.js';
import { ServerTransport } from '../src/server-transport.js';
import { SiteTransport } from '../src/site-transport.js';
import { startMosquitto } from '../test/helpers/mosquitto.js';

const flag = (name: string) => process.argv.indexOf(name);
const sitesArg = flag('--sites');
const count = sitesArg > 0 ? Number(process.argv[sitesArg + 1]) : flag('--full') > 0 ? 10_000 : 1_000;
const batch = 200;
// Source addresses spread over 127.0.0.1-127.0.0.50 so no single address runs out of ports.
const sourceAddresses = 50;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
function brokerRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib * 1024;
}
function client() {
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
}

const broker = await startMosquitto({
  ulimit: 20_000,
  extra: ['max_keepalive 65535', 'max_queued_messages 100'],
});
const server = `many${randomBytes(3).toString('hex')}`;
const sites: SiteTransport[] = [];
let received = 0;
const receiver = new ServerTransport({
  url: broker.url,
  server,
  connections: 2,
  clientIdPrefix: `${server}-server`,
  sessionExpirySeconds: 60,
  handler: {
    async onContainer() {
      received += 1;
    },
  },
});
try {
  await receiver.start();
  const brokerBefore = brokerRss(broker.pid);
  const clientBefore = client();
  const begin = performance.now();
  for (let start = 0; start < count; start += batch) {
    const group: SiteTransport[] = [];
    for (let index = start; index < Math.min(count, start + batch); index += 1) {
      const outbox = new InMemoryOutbox();
      outbox.add(randomBytes(1_000));
      const site = new SiteTransport({
        url: broker.url,
        localAddress: `127.0.0.${1 + (index % sourceAddresses)}`,
        server,
        matricule: `M${index.toString().padStart(6, '0')}`,
        outbox,
        inbox: new InMemoryInbox(),
        sessionExpirySeconds: 60,
        connectTimeoutMs: 60_000,
        reconnect: { baseMs: 500, maxMs: 5_000 },
      });
      group.push(site);
      sites.push(site);
      site.start();
    }
    await Promise.all(group.map((site) => site.waitConnected()));
  }
  const connectSeconds = (performance.now() - begin) / 1_000;
  const deliveredBy = performance.now();
  while (received < count) {
    if (performance.now() - deliveredBy > 120_000) throw new Error(`only ${received} of ${count} delivered`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Containers went out as each site connected; this is how long the last ones took after.
  const tailSeconds = (performance.now() - deliveredBy) / 1_000;
  const connected = sites.filter((site) => site.state === 'connected').length;
  const brokerAfter = brokerRss(broker.pid);
  const clientAfter = client();
  console.log(
    `${count} sites, one container of 1,000 bytes each, Mosquitto 2.0 (private, pid ${broker.pid})`,
  );
  console.log(
    `connected ${connected}/${count} in ${connectSeconds.toFixed(1)} s (${Math.round(count / connectSeconds)} sites/s, batches of ${batch})`,
  );
  console.log(
    `all ${received} containers received by the server ${tailSeconds.toFixed(2)} s after the last connect`,
  );
  console.log(
    `broker RSS ${mib(brokerBefore)} -> ${mib(brokerAfter)} (${((brokerAfter - brokerBefore) / count / 1024).toFixed(1)} KiB per site)`,
  );
  console.log(
    `client process RSS ${mib(clientBefore.rss)} -> ${mib(clientAfter.rss)}, heap ${mib(clientBefore.heap)} -> ${mib(clientAfter.heap)} (${((clientAfter.heap - clientBefore.heap) / count / 1024).toFixed(1)} KiB heap per simulated site)`,
  );
} finally {
  for (let start = 0; start < sites.length; start += 500) {
    await Promise.all(sites.slice(start, start + 500).map((site) => site.stop()));
  }
  await receiver.stop();
  await broker.stop();
}
