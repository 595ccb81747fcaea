import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBroker } from '../src/broker-test.js';
import { InMemoryInbox, InMemoryOutbox } from '../src/memory.js';
import { ServerTransport } from '../src/server-transport.js';
import { SiteTransport } from '../src/site-transport.js';
import { makeTestCertificates, type TestCertificates } from './helpers/certificates.js';
import { mosquittoAvailable, type RunningMosquitto, startMosquitto } from './helpers/mosquitto.js';

describe.skipIf(!mosquittoAvailable())('mqtts:// with the broker CA pinned', () => {
  let certificates: TestCertificates;
  let broker: RunningMosquitto;
  let url: string;

  beforeAll(async () => {
    certificates = await makeTestCertificates();
    broker = await startMosquitto({ tls: certificates });
    url = `mqtts://127.0.0.1:${broker.port}`;
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('connects when the broker certificate chains to the pinned CA', async () => {
    const result = await testBroker(url, { ca: certificates.ca, samples: 2, messages: 10 });
    if (!result.ok) throw result.error;
    expect(result.value.throughput.messages).toBe(10);
  });

  it('refuses a broker whose certificate another CA signed, and one with no CA given (not in the system store)', async () => {
    const other = await testBroker(url, { ca: certificates.otherCa, connectTimeoutMs: 3_000 });
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.error.code).toBe('CONNECT_FAILED');
    const none = await testBroker(url, { connectTimeoutMs: 3_000 });
    expect(none.ok).toBe(false);
  });

  it('carries a container from a site to the server over TLS', async () => {
    const received: string[] = [];
    const server = new ServerTransport({
      url,
      ca: certificates.ca,
      server: 'tls',
      clientIdPrefix: 'tls-server',
      sessionExpirySeconds: 10,
      handler: {
        async onContainer(_matricule, payload) {
          received.push(Buffer.from(payload).toString());
        },
      },
    });
    await server.start();
    const outbox = new InMemoryOutbox();
    outbox.add(Buffer.from('sealed'));
    const site = new SiteTransport({
      url,
      ca: certificates.ca,
      server: 'tls',
      matricule: 'T1',
      outbox,
      inbox: new InMemoryInbox(),
      sessionExpirySeconds: 10,
    });
    try {
      site.start();
      const deadline = Date.now() + 10_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(received).toEqual(['sealed']);
    } finally {
      await site.stop();
      await server.stop();
    }
  });
});
