import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryInbox, InMemoryOutbox } from '../src/memory.js';
import { ServerTransport, type ServerTransportOptions } from '../src/server-transport.js';
import { SiteTransport, type SiteTransportOptions } from '../src/site-transport.js';
import { downTopic } from '../src/topics.js';
import { type CountingProxy, startCountingProxy } from './helpers/proxy.js';

/** A broker the suite runs against, and what it can do. */
export interface BrokerFixture {
  url: string;
  close(): Promise<void>;
}

export interface BrokerFeatures {
  protocolVersion: 4 | 5;
  sharedSubscriptions: boolean;
}

const tag = () => randomBytes(4).toString('hex');

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One suite for every broker: the same behaviour is required of aedes and Mosquitto. */
export function transportSuite(
  name: string,
  features: BrokerFeatures,
  start: () => Promise<BrokerFixture>,
): void {
  describe(`transport on ${name}`, () => {
    let broker: BrokerFixture;
    // A fresh server name per test keeps tests apart from each other (servers of an earlier
    // test would otherwise take a share of the uplink) and from anything else on a shared broker.
    let server = '';
    const toClose: { stop(): Promise<void> }[] = [];

    beforeAll(async () => {
      broker = await start();
    });

    beforeEach(() => {
      server = `t${tag()}`;
    });

    afterEach(async () => {
      for (const item of toClose.splice(0).reverse()) await item.stop();
    });

    afterAll(async () => {
      for (const item of toClose.reverse()) await item.stop();
      await broker?.close();
    });

    function site(options: Partial<SiteTransportOptions> & { matricule: string }) {
      const transport = new SiteTransport({
        url: broker.url,
        protocolVersion: features.protocolVersion,
        server,
        outbox: new InMemoryOutbox(),
        inbox: new InMemoryInbox(),
        sessionExpirySeconds: 60,
        reconnect: { baseMs: 20, maxMs: 200 },
        ...options,
      });
      toClose.push(transport);
      return transport;
    }

    async function serverTransport(options: Partial<ServerTransportOptions> = {}) {
      const received: { matricule: string; text: string }[] = [];
      const transport = new ServerTransport({
        url: broker.url,
        protocolVersion: features.protocolVersion,
        server,
        shared: features.sharedSubscriptions,
        clientIdPrefix: `xs-${tag()}`,
        sessionExpirySeconds: 60,
        reconnect: { baseMs: 20, maxMs: 200 },
        handler: {
          async onContainer(matricule, payload) {
            received.push({ matricule, text: Buffer.from(payload).toString() });
          },
        },
        ...options,
      });
      toClose.push(transport);
      await transport.start();
      return { transport, received };
    }

    it('carries every outbox item to the server, as opaque bytes, under the right matricule', async () => {
      const { received } = await serverTransport();
      const outbox = new InMemoryOutbox();
      const binary = Uint8Array.from({ length: 256 }, (_, index) => index);
      for (let index = 0; index < 30; index += 1) outbox.add(Buffer.from(`item-${index}`));
      const binaryId = outbox.add(binary);
      const sender = site({ matricule: `A${tag()}`, outbox });
      sender.start();
      await until(() => outbox.unsent === 0 && received.length >= 31);
      expect(new Set(received.map((r) => r.text)).size).toBe(31);
      expect(received.every((r) => r.matricule === sender.matricule)).toBe(true);
      expect(outbox.sends(binaryId)).toBe(1);
      expect(received.some((r) => Buffer.from(r.text, 'latin1').length > 0)).toBe(true);
    });

    it('never has more publishes in flight than its window', async () => {
      await serverTransport();
      const outbox = new InMemoryOutbox();
      for (let index = 0; index < 60; index += 1) outbox.add(Buffer.alloc(700, index));
      let most = 0;
      const watched = {
        nextBatch: async (limit: number, exclude: ReadonlySet<string>) => {
          most = Math.max(most, limit + exclude.size);
          return outbox.nextBatch(limit, exclude);
        },
        markSent: (id: string) => outbox.markSent(id),
      };
      const sender = site({ matricule: `W${tag()}`, outbox: watched, window: 4 });
      let inFlight = 0;
      sender.on('sent', () => {
        inFlight = Math.max(inFlight, sender.inFlight);
      });
      sender.start();
      await until(() => outbox.unsent === 0);
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(4);
      expect(inFlight).toBeLessThanOrEqual(4);
    });

    it('acknowledges a down message only once the inbox has stored it', async () => {
      const { transport } = await serverTransport();
      const stored: string[] = [];
      let failures = 1;
      const inbox = {
        async store(topic: string, payload: Uint8Array) {
          if (failures-- > 0) throw new Error('disk full');
          stored.push(`${topic} ${Buffer.from(payload).toString()}`);
        },
      };
      const matricule = `D${tag()}`;
      const receiver = site({ matricule, inbox });
      receiver.on('error', () => {});
      receiver.start();
      await receiver.waitConnected();
      await transport.send(matricule, Buffer.from('receipt-1'));
      // The first store failed, so no PUBACK went out: the broker delivers it again.
      await until(() => stored.length === 1);
      expect(stored).toEqual([`${downTopic(server, matricule)} receipt-1`]);
    });

    it('acknowledges an up message only once the handler has persisted it', async () => {
      const persisted: string[] = [];
      let failures = 1;
      await serverTransport({
        handler: {
          async onContainer(_matricule, payload) {
            if (failures-- > 0) throw new Error('database down');
            persisted.push(Buffer.from(payload).toString());
          },
        },
      }).then(({ transport }) => transport.on('error', () => {}));
      const outbox = new InMemoryOutbox();
      outbox.add(Buffer.from('act-1'));
      site({ matricule: `H${tag()}`, outbox }).start();
      await until(() => persisted.includes('act-1'));
    });

    it('lets the handler send the receipt and wait for it before acknowledging', async () => {
      const matricule = `K${tag()}`;
      const inbox = new InMemoryInbox();
      const sentBack: string[] = [];
      const { transport } = await serverTransport({
        handler: {
          async onContainer(from, payload) {
            await transport.send(from, Buffer.from(`receipt for ${Buffer.from(payload).toString()}`));
            sentBack.push(from);
          },
        },
      });
      const outbox = new InMemoryOutbox();
      const id = outbox.add(Buffer.from('act-7'));
      const sender = site({ matricule, outbox, inbox });
      sender.start();
      await inbox.waitFor(1);
      expect(Buffer.from(inbox.messages[0]!.payload).toString()).toBe('receipt for act-7');
      await until(() => sentBack.length === 1);
      outbox.acknowledge(id);
      expect(outbox.size).toBe(0);
    });

    it('keeps the session: down messages sent while the site is away arrive when it comes back', async () => {
      const { transport } = await serverTransport();
      const matricule = `P${tag()}`;
      const inbox = new InMemoryInbox();
      const first = site({ matricule, inbox });
      first.start();
      await first.waitConnected();
      await first.stop();
      await transport.send(matricule, Buffer.from('while-away'));
      const again = site({ matricule, inbox });
      again.start();
      await inbox.waitFor(1);
      expect(Buffer.from(inbox.messages[0]!.payload).toString()).toBe('while-away');
    });

    it('a resumed session whose subscription an earlier process got sends no SUBSCRIBE, and still gets what the server sends', async () => {
      const { transport } = await serverTransport();
      const target = new URL(broker.url);
      const proxy = await startCountingProxy({ host: target.hostname, port: Number(target.port) });
      toClose.push({ stop: () => proxy.close() });
      const matricule = `Q${tag()}`;
      const first = site({ matricule, url: proxy.url });
      let granted = 0;
      first.on('subscribed', () => {
        granted += 1;
      });
      first.start();
      await first.waitConnected();
      await until(() => granted === 1);
      await first.stop();
      const firstUp = proxy.up;
      // A new process of the same site: it only knows from its own records that the session holds the subscription.
      proxy.reset();
      const inbox = new InMemoryInbox();
      const again = site({ matricule, url: proxy.url, inbox, sessionSubscribed: async () => true });
      again.on('subscribed', () => {
        granted += 1;
      });
      again.start();
      await again.waitConnected();
      await transport.send(matricule, Buffer.from('answer'));
      await inbox.waitFor(1);
      expect(Buffer.from(inbox.messages[0]!.payload).toString()).toBe('answer');
      expect(granted).toBe(1);
      // CONNECT and the PUBACK of the answer: no SUBSCRIBE (its topic alone is longer than the PUBACK).
      expect(proxy.up).toBeLessThan(firstUp);
      await again.stop();
      // Without that knowledge a process subscribes again, even to a present session.
      const third = site({ matricule, url: proxy.url });
      third.on('subscribed', () => {
        granted += 1;
      });
      third.start();
      await until(() => granted === 2);
    });

    it('a session the broker does not have is subscribed again, whatever the site remembers; a failing memory subscribes too', async () => {
      for (const sessionSubscribed of [
        async () => true,
        async (): Promise<boolean> => Promise.reject(new Error('db down')),
      ]) {
        const matricule = `N${tag()}`;
        const inbox = new InMemoryInbox();
        const events: string[] = [];
        const fresh = site({ matricule, inbox, sessionSubscribed });
        fresh.on('unsubscribed', () => events.push('unsubscribed'));
        fresh.on('subscribed', () => events.push('subscribed'));
        fresh.start();
        await until(() => events.includes('subscribed'));
        // No session at the broker for a site never seen: forgotten first, then granted again.
        expect(events).toEqual(['unsubscribed', 'subscribed']);
        const { transport } = await serverTransport({ handler: { async onContainer() {} } });
        await transport.send(matricule, Buffer.from('reaches it'));
        await inbox.waitFor(1);
        await fresh.stop();
      }
    });

    /** A site whose session (and down subscription) the broker keeps from an earlier process, behind a proxy that holds the CONNACK. */
    async function resumedBehindHeldConnack(matricule: string) {
      const first = site({ matricule });
      let granted = false;
      first.on('subscribed', () => {
        granted = true;
      });
      first.start();
      await until(() => granted);
      await first.stop();
      const target = new URL(broker.url);
      const proxy = await startCountingProxy(
        { host: target.hostname, port: Number(target.port) },
        { holdDown: true },
      );
      toClose.push({ stop: () => proxy.close() });
      return proxy;
    }

    it('pipelines the first container behind the CONNECT on a session it counts on: it leaves before the CONNACK comes', async () => {
      const inbox = new InMemoryInbox();
      const { transport, received } = await serverTransport({
        handler: {
          async onContainer(from, payload) {
            received.push({ matricule: from, text: Buffer.from(payload).toString() });
            await transport.send(from, Buffer.from(`receipt of ${Buffer.from(payload).toString()}`));
          },
        },
      });
      const matricule = `E${tag()}`;
      const proxy = await resumedBehindHeldConnack(matricule);
      const outbox = new InMemoryOutbox();
      const id = outbox.add(Buffer.from('early'));
      outbox.add(Buffer.from('after the connack'));
      const again = site({ matricule, url: proxy.url, outbox, inbox, sessionSubscribed: async () => true });
      again.start();
      // CONNECT, then PUBLISH, while nothing came back yet: one PUBLISH only before the CONNACK.
      await until(() => proxy.upPackets.includes(3));
      expect(again.state).toBe('connecting');
      expect(proxy.upPackets).toEqual([1, 3]);
      proxy.release();
      await inbox.waitFor(2);
      expect(received.map((r) => r.text).sort()).toEqual(['after the connack', 'early']);
      expect(outbox.sends(id)).toBe(1);
      // A session it counts on: no SUBSCRIBE.
      expect(proxy.upPackets).not.toContain(8);
    });

    it('without a subscription it counts on, nothing goes before the CONNACK; a session the broker lost gets the early container again after the SUBSCRIBE', async () => {
      const matricule = `G${tag()}`;
      const proxy = await resumedBehindHeldConnack(matricule);
      const outbox = new InMemoryOutbox();
      outbox.add(Buffer.from('waits'));
      const cautious = site({ matricule, url: proxy.url, outbox });
      cautious.start();
      await until(() => proxy.upPackets.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(proxy.upPackets).toEqual([1]);
      proxy.release();
      await until(() => outbox.unsent === 0);
      await cautious.stop();

      // The site remembers a subscription, but the broker has no session for it (never seen).
      const inbox = new InMemoryInbox();
      const { transport, received } = await serverTransport({
        handler: {
          async onContainer(from, payload) {
            received.push({ matricule: from, text: Buffer.from(payload).toString() });
            await transport.send(from, Buffer.from(`receipt of ${Buffer.from(payload).toString()}`));
          },
        },
      });
      const stranger = `S${tag()}`;
      const lost = new InMemoryOutbox();
      const id = lost.add(Buffer.from('pipelined'));
      const forgetful = site({
        matricule: stranger,
        outbox: lost,
        inbox,
        sessionSubscribed: async () => true,
      });
      forgetful.start();
      // Its receipt: the answer to the copy sent after the SUBSCRIBE, at least.
      await inbox.waitFor(1);
      expect(Buffer.from(inbox.messages[0]!.payload).toString()).toBe('receipt of pipelined');
      expect(received.filter((r) => r.text === 'pipelined').length).toBeGreaterThanOrEqual(1);
      expect(lost.sends(id)).toBe(1);
    });

    it('publishes without waiting for the SUBACK, and the answer to the first container still arrives', async () => {
      const inbox = new InMemoryInbox();
      const matricule = `F${tag()}`;
      const { transport } = await serverTransport({
        handler: {
          async onContainer(from, payload) {
            await transport.send(from, Buffer.from(`receipt of ${Buffer.from(payload).toString()}`));
          },
        },
      });
      const outbox = new InMemoryOutbox();
      outbox.add(Buffer.from('first'));
      const sender = site({ matricule, outbox, inbox });
      const order: string[] = [];
      sender.on('subscribed', () => order.push('subscribed'));
      sender.on('state', (state) => {
        if (state === 'connected') order.push('connected');
      });
      sender.start();
      await inbox.waitFor(1);
      expect(Buffer.from(inbox.messages[0]!.payload).toString()).toBe('receipt of first');
      // The SUBACK may be handled after the answer itself: the connection was up before either.
      await until(() => order.includes('subscribed'));
      expect(order).toEqual(['connected', 'subscribed']);
    });

    it('keeps no session for a server with session expiry 0: nothing sent while it was away is held for it', async () => {
      const clientIdPrefix = `xs-${tag()}`;
      const first = await serverTransport({ clientIdPrefix, sessionExpirySeconds: 0 });
      await first.transport.stop();
      const outbox = new InMemoryOutbox();
      outbox.add(Buffer.from('while-away'));
      const sender = site({ matricule: `E${tag()}`, outbox });
      sender.start();
      await until(() => outbox.unsent === 0);
      // The same client ids again: a kept session would hand 'while-away' over now.
      const second = await serverTransport({ clientIdPrefix, sessionExpirySeconds: 0 });
      outbox.add(Buffer.from('after'));
      sender.wake();
      await until(() => second.received.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(second.received.map((r) => r.text)).toEqual(['after']);
    });

    it('reconnects by itself after the link drops and sends again what was in flight', async () => {
      const { received } = await serverTransport();
      const target = new URL(broker.url);
      const proxy: CountingProxy = await startCountingProxy({
        host: target.hostname,
        port: Number(target.port),
      });
      toClose.push({ stop: () => proxy.close() });
      const outbox = new InMemoryOutbox();
      const sender = site({ matricule: `R${tag()}`, outbox, url: proxy.url, window: 2 });
      const delays: number[] = [];
      sender.on('reconnect', (delay) => delays.push(delay));
      sender.on('error', () => {});
      sender.start();
      await sender.waitConnected();
      for (let index = 0; index < 200; index += 1) outbox.add(Buffer.from(`r-${index}`));
      sender.wake();
      await until(() => received.length > 20);
      proxy.sever();
      await until(() => delays.length > 0);
      await until(() => outbox.unsent === 0, 15_000);
      await until(() => new Set(received.map((r) => r.text)).size === 200);
      expect(sender.state).toBe('connected');
    });

    it.runIf(features.sharedSubscriptions)(
      'shares the uplink between server processes, none lost',
      async () => {
        const a = await serverTransport({ connections: 2 });
        const b = await serverTransport();
        const outbox = new InMemoryOutbox();
        for (let index = 0; index < 60; index += 1) outbox.add(Buffer.from(`s-${index}`));
        site({ matricule: `S${tag()}`, outbox }).start();
        const all = () => [...a.received, ...b.received];
        await until(() => new Set(all().map((r) => r.text)).size === 60);
        expect(a.received.length).toBeGreaterThan(0);
        expect(b.received.length).toBeGreaterThan(0);
      },
    );

    it.runIf(features.sharedSubscriptions)(
      'holds one container in hand per connection, and starts many connections without a listener leak',
      async () => {
        const connections = 24;
        const warn = vi.spyOn(process, 'emitWarning');
        let inHand = 0;
        let mostInHand = 0;
        let release: () => void = () => {};
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const received: string[] = [];
        await serverTransport({
          connections,
          handler: {
            async onContainer(_matricule, payload) {
              inHand += 1;
              mostInHand = Math.max(mostInHand, inHand);
              await gate;
              inHand -= 1;
              received.push(Buffer.from(payload).toString());
            },
          },
        });
        expect(warn.mock.calls.filter(([w]) => String(w).includes('MaxListeners'))).toEqual([]);
        warn.mockRestore();
        const outbox = new InMemoryOutbox();
        for (let index = 0; index < connections * 2; index += 1) outbox.add(Buffer.from(`h-${index}`));
        site({ matricule: `H${tag()}`, outbox, window: connections * 2 }).start();
        // MQTT.js gives each connection's handler one message at a time: as many in hand as connections.
        await until(() => inHand === connections);
        expect(mostInHand).toBe(connections);
        release();
        await until(() => new Set(received).size === connections * 2);
      },
    );
  });
}
