import { startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import { seededRandom } from '@xmcomm/schema/testing';
import type { ContainerCodec } from '@xmcomm/status-sync';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet, type SealedContainer, type SimulatedSite } from './fleet.js';
import type { SiteKeys } from './registry.js';

// The receipts of this fake server are the container ids themselves, and this codec reads them back.
const echoCodec = {
  open: async (bytes: Uint8Array) => ({
    ok: true,
    value: {
      body: { kind: 'receipt', receipt: { acknowledges: Buffer.from(bytes).toString(), results: [] } },
    },
  }),
} as unknown as ContainerCodec;

const site = (matricule: string): SimulatedSite => ({
  keys: { matricule } as SiteKeys,
  codec: echoCodec,
  nextNumero: 1,
  nextSequence: 1,
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Fleet', () => {
  it('keeps at most `window` containers awaiting receipts and matches receipts that come back out of order', async () => {
    const broker = await startEmbeddedBroker();
    cleanups.push(() => broker.close());
    const server = 'fleet-test';
    const random = seededRandom(7);
    // A server that answers each container after a random delay, so receipts overtake each other.
    const fake = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'fake-server' });
    cleanups.push(() => fake.endAsync());
    const awaiting = new Map<string, number>();
    let mostAwaiting = 0;
    fake.on('message', (topic, payload) => {
      const matricule = topic.split('/')[4] as string;
      awaiting.set(matricule, (awaiting.get(matricule) ?? 0) + 1);
      mostAwaiting = Math.max(mostAwaiting, awaiting.get(matricule) ?? 0);
      setTimeout(() => {
        awaiting.set(matricule, (awaiting.get(matricule) ?? 0) - 1);
        void fake.publishAsync(`xm/v1/${server}/down/${matricule}`, payload, { qos: 1 });
      }, random() * 30);
    });
    await fake.subscribeAsync(`xm/v1/${server}/up/+`, { qos: 1 });

    const sites = ['S0000001', 'S0000002', 'S0000003'].map(site);
    const fleet = new Fleet(server);
    cleanups.push(() => fleet.close());
    await fleet.connect(sites, broker.url, { protocolVersion: 4 });
    const sealed = new Map<string, SealedContainer[]>(
      sites.map((s) => [
        s.keys.matricule,
        Array.from({ length: 12 }, (_, i) => {
          const id = `${s.keys.matricule}-${i}`;
          return { id, bytes: Buffer.from(id) };
        }),
      ]),
    );
    const run = await fleet.run(sealed, 60_000, 4);
    await run.matchReceipts();

    expect(run.expected).toBe(36);
    expect(run.receipts).toBe(36);
    // Every receipt opened and matched to the container it names: one latency each.
    expect(run.latencySamples).toBe(36);
    expect(run.latenciesMs).toHaveLength(36);
    expect(run.latenciesMs.every((ms) => ms >= 0)).toBe(true);
    expect(mostAwaiting).toBeLessThanOrEqual(4);
    expect(mostAwaiting).toBeGreaterThan(1);
  });
});
