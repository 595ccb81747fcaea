import * as net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../src/embedded-broker.js';
import type { TransportError } from '../src/errors.js';
import { InMemoryInbox, InMemoryOutbox } from '../src/memory.js';
import { ServerTransport } from '../src/server-transport.js';
import { SiteTransport } from '../src/site-transport.js';

// Stopping is not an error: whatever the client being ended does on its way out (a reset socket,
// a SUBSCRIBE left without its SUBACK), the transport reports nothing once stop() was called.
// `ecr sync --json` printed such leftovers as `link-error CONNECT_FAILED` after its last receipt.

/** A loopback proxy whose links can be reset (TCP RST) and whose broker-to-site bytes can be held. */
async function startProxy(target: { host: string; port: number }) {
  const links = new Set<{ site: net.Socket; broker: net.Socket }>();
  let holdDownAfter = Number.POSITIVE_INFINITY;
  const server = net.createServer((site) => {
    const broker = net.connect(target);
    const link = { site, broker };
    links.add(link);
    let down = 0;
    site.on('data', (chunk) => broker.write(chunk));
    broker.on('data', (chunk) => {
      down += 1;
      if (down <= holdDownAfter) site.write(chunk);
    });
    const end = () => {
      site.destroy();
      broker.destroy();
      links.delete(link);
    };
    for (const socket of [site, broker]) {
      socket.on('close', end);
      socket.on('error', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${address.port}`,
    /** Forwards only the first `chunks` the broker sends on each link (the CONNACK), then nothing. */
    holdDownAfter(chunks: number) {
      holdDownAfter = chunks;
    },
    /** Resets every site socket, as a link torn down under the client would. */
    resetAll() {
      for (const { site } of links) site.resetAndDestroy();
    },
    async close() {
      for (const { site, broker } of links) {
        site.destroy();
        broker.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a site transport being stopped', () => {
  let broker: { url: string; close: () => Promise<void> };
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let site: SiteTransport;
  let errorsAfterStop: TransportError[];
  let stopping = false;

  beforeEach(async () => {
    const mqttUrl = process.env.MQTT_URL;
    if (mqttUrl) broker = { url: mqttUrl, close: async () => {} };
    else {
      const embedded = await startEmbeddedBroker();
      broker = { url: embedded.url, close: () => embedded.close() };
    }
    const target = new URL(broker.url);
    proxy = await startProxy({ host: target.hostname, port: Number(target.port) });
    stopping = false;
    errorsAfterStop = [];
    site = new SiteTransport({
      url: proxy.url,
      protocolVersion: mqttUrl ? 5 : 4,
      server: 'stop-test',
      matricule: `STOP${process.pid}${Math.floor(Math.random() * 1e6)}`,
      outbox: new InMemoryOutbox(),
      inbox: new InMemoryInbox(),
      sessionExpirySeconds: 0,
      reconnect: { baseMs: 20, maxMs: 200 },
    });
    site.on('error', (error) => {
      if (stopping) errorsAfterStop.push(error);
    });
  });

  afterEach(async () => {
    await site.stop();
    await proxy.close();
    await broker.close();
  });

  const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

  it('reports no error when the link is reset under the connection it is closing', async () => {
    site.start();
    await site.waitConnected();
    stopping = true;
    const stopped = site.stop();
    proxy.resetAll();
    await stopped;
    await settle();
    expect(errorsAfterStop.map((error) => error.code)).toEqual([]);
  });

  it('reports no error when stopped while its SUBSCRIBE waits for the SUBACK', async () => {
    proxy.holdDownAfter(1); // the CONNACK gets through, the SUBACK never does
    site.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Connected already: the publishes do not wait for the SUBACK (pipelined SUBSCRIBE).
    expect(site.state).toBe('connected');
    stopping = true;
    await site.stop();
    proxy.resetAll(); // the link goes, and the SUBSCRIBE with it
    await settle();
    expect(errorsAfterStop.map((error) => error.code)).toEqual([]);
  });

  it('reports no error when stopped while its connect attempt is in flight', async () => {
    proxy.holdDownAfter(0); // not even the CONNACK
    site.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    stopping = true;
    await site.stop();
    proxy.resetAll();
    await settle();
    expect(errorsAfterStop.map((error) => error.code)).toEqual([]);
    expect(site.state).toBe('stopped');
  });
});

describe('a server transport being stopped', () => {
  it('reports no error when the link is reset under the connections it is closing', async () => {
    const mqttUrl = process.env.MQTT_URL;
    const embedded = mqttUrl ? undefined : await startEmbeddedBroker();
    const target = new URL(mqttUrl ?? embedded?.url ?? '');
    const proxy = await startProxy({ host: target.hostname, port: Number(target.port) });
    const server = new ServerTransport({
      url: proxy.url,
      protocolVersion: mqttUrl ? 5 : 4,
      server: `stop-test-${process.pid}`,
      shared: mqttUrl !== undefined,
      clientIdPrefix: `xs-stop-${process.pid}`,
      sessionExpirySeconds: 0,
      handler: { onContainer: async () => {} },
    });
    const errorsAfterStop: string[] = [];
    let stopping = false;
    server.on('error', (error) => {
      if (stopping) errorsAfterStop.push(error.code);
    });
    try {
      await server.start();
      stopping = true;
      const stopped = server.stop();
      proxy.resetAll();
      await stopped;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(errorsAfterStop).toEqual([]);
    } finally {
      await server.stop();
      await proxy.close();
      await embedded?.close();
    }
  });
});
