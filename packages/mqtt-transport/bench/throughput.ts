/**
 * Messages per second through a Mosquitto (MQTT_URL, default the machine's 127.0.0.1:1883),
 * end to end from a publisher to a subscriber, QoS 1, ~700-byte payloads:
 *   - our SiteTransport draining an outbox, received by our ServerTransport (shared subscription);
 *   - bare MQTT.js: one client publishing QoS 1 with the same number of publishes in flight,
 *     another subscribed. (Firing every publish at once is no baseline: MQTT.js ignores the
 *     broker's Receive Maximum and Mosquitto's per-client queue, 1,000 by default, drops the
 *     overflow, so the subscriber never sees them all.)
 * Usage: npm run bench -- [--messages 20000]
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { InMemoryInbox, InMemoryOutbox } from '../src/memory.js';
import { Semaphore } from '../src/semaphore.js';
import { ServerTransport } from '../src/server-transport.js';
import { SiteTransport } from '../src/site-transport.js';

const url = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const argIndex = process.argv.indexOf('--messages');
const count = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 20_000;
const payloadBytes = 700;
const tag = randomBytes(4).toString('hex');

async function ours(window: number): Promise<number> {
  const server = `bench${tag}w${window}`;
  let received = 0;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const receiver = new ServerTransport({
    url,
    server,
    clientIdPrefix: `bench-server-${tag}-${window}`,
    sessionExpirySeconds: 30,
    receiveMaximum: 64,
    handler: {
      async onContainer() {
        received += 1;
        if (received === count) resolveAll();
      },
    },
  });
  await receiver.start();
  const outbox = new InMemoryOutbox();
  for (let index = 0; index < count; index += 1) outbox.add(randomBytes(payloadBytes));
  const site = new SiteTransport({
    url,
    server,
    matricule: `B${tag}${window}`,
    outbox,
    inbox: new InMemoryInbox(),
    window,
    sessionExpirySeconds: 30,
  });
  const begin = performance.now();
  site.start();
  await all;
  const seconds = (performance.now() - begin) / 1_000;
  await site.stop();
  await receiver.stop();
  return count / seconds;
}

async function bare(window: number): Promise<number> {
  const topic = `bench/${tag}/bare${window}`;
  const slots = new Semaphore(window);
  const subscriber = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `bare-sub-${tag}-${window}`,
  });
  await subscriber.subscribeAsync(topic, { qos: 1 });
  const publisher = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `bare-pub-${tag}-${window}`,
  });
  let received = 0;
  const all = new Promise<void>((resolve) =>
    subscriber.on('message', () => {
      received += 1;
      if (received === count) resolve();
    }),
  );
  const payloads = Array.from({ length: count }, () => randomBytes(payloadBytes));
  const begin = performance.now();
  await Promise.all(
    payloads.map(async (payload) => {
      await slots.acquire();
      try {
        await publisher.publishAsync(topic, payload, { qos: 1 });
      } finally {
        slots.release();
      }
    }),
  );
  await all;
  const seconds = (performance.now() - begin) / 1_000;
  await publisher.endAsync();
  await subscriber.endAsync();
  return count / seconds;
}

console.log(`broker ${url}, ${count} messages of ${payloadBytes} bytes, QoS 1, end to end`);
// Warm the broker and the JIT once so the first figure is not penalised.
await bare(16);
const rows: [string, number, number][] = [];
for (const window of [16, 64]) {
  const bareRate = await bare(window);
  const oursRate = await ours(window);
  rows.push([`window ${window}`, bareRate, oursRate]);
}
console.log(`${''.padEnd(12)} ${'bare MQTT.js'.padStart(14)} ${'our transport'.padStart(14)}  ratio`);
for (const [name, bareRate, oursRate] of rows) {
  console.log(
    `${name.padEnd(12)} ${`${Math.round(bareRate)} msg/s`.padStart(14)} ${`${Math.round(oursRate)} msg/s`.padStart(14)}  ${(oursRate / bareRate).toFixed(2)}`,
  );
}
