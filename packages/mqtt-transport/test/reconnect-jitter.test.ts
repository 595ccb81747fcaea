import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/backoff.js';
import { startEmbeddedBroker } from '../src/embedded-broker.js';
import { InMemoryInbox, InMemoryOutbox } from '../src/memory.js';
import { SiteTransport } from '../src/site-transport.js';
import { startCountingProxy } from './helpers/proxy.js';

describe('sites after a broker outage', () => {
  it('do not come back in lockstep: their first reconnect delays spread over the whole window', async () => {
    await using broker = await startEmbeddedBroker();
    const target = new URL(broker.url);
    await using proxy = await startCountingProxy({ host: target.hostname, port: Number(target.port) });
    const random = seededRandom(42);
    const delays: number[] = [];
    const sites = Array.from(
      { length: 200 },
      (_, index) =>
        new SiteTransport({
          url: proxy.url,
          protocolVersion: 4,
          server: 'srv',
          matricule: `J${index}`,
          outbox: new InMemoryOutbox(),
          inbox: new InMemoryInbox(),
          reconnect: { baseMs: 60_000, random },
        }),
    );
    try {
      for (const site of sites) {
        site.on('error', () => {});
        site.on('reconnect', (delay) => delays.push(delay));
        site.start();
      }
      await Promise.all(sites.map((site) => site.waitConnected()));
      proxy.sever(); // every site loses the broker at the same instant
      const deadline = Date.now() + 10_000;
      while (delays.length < sites.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      expect(delays).toHaveLength(200);
      expect(sites.every((site) => site.state === 'waiting')).toBe(true);
      // Uniform over [0, 60 s): each 10 s slice holds about a sixth, none holds them all.
      const slices = [0, 0, 0, 0, 0, 0];
      for (const delay of delays) slices[Math.floor(delay / 10_000)]! += 1;
      for (const count of slices) {
        expect(count).toBeGreaterThan(15);
        expect(count).toBeLessThan(60);
      }
    } finally {
      await Promise.all(sites.map((site) => site.stop()));
    }
  });
});

describe('a site on a link that keeps dropping', () => {
  it('backs off further while nothing gets through, and starts again from the base once something does', async () => {
    await using broker = await startEmbeddedBroker();
    const target = new URL(broker.url);
    await using proxy = await startCountingProxy({ host: target.hostname, port: Number(target.port) });
    const outbox = new InMemoryOutbox();
    const site = new SiteTransport({
      url: proxy.url,
      protocolVersion: 4,
      server: 'srv',
      matricule: 'CUTS1',
      outbox,
      inbox: new InMemoryInbox(),
      // Always the top of the window, so the delays show the ceiling: 100, 200, 400 ... ms.
      reconnect: { baseMs: 100, maxMs: 10_000, random: () => 0.999 },
    });
    const delays: number[] = [];
    site.on('error', () => {});
    site.on('reconnect', (delay) => delays.push(delay));
    const cut = async () => {
      const before = delays.length;
      proxy.sever();
      while (delays.length === before) await new Promise((r) => setTimeout(r, 5));
      await site.waitConnected();
    };
    try {
      site.start();
      await site.waitConnected();
      await cut();
      await cut();
      await cut();
      expect(delays).toEqual([99, 199, 399]);
      const sent = new Promise((resolve) => site.once('sent', resolve));
      outbox.add(Buffer.from('through at last'));
      site.wake();
      await sent;
      await cut();
      await cut();
      expect(delays.slice(3)).toEqual([99, 199]);
    } finally {
      await site.stop();
    }
  });
});
