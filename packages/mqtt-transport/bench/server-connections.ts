/**
 * What a receiving connection of the server costs: MQTT.js hands a connection's messages over
 * one at a time, so a server holds one connection per container in hand (xmserver `run
 * --concurrency`). Opens a ServerTransport with 8, 64, 128 and 256 connections in a shared
 * subscription on a Mosquitto started by this bench and prints the connect time and the memory
 * of both sides, then how many containers are in hand at once when sites send more than that.
 * Usage: tsx --conditions=@xmcomm/source bench/server-connections.ts [--counts 8,64,128,256]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openConnection, publishQos1 } from '../src/connection.js';
import { ServerTransport } from '../src/server-transport.js';
import { upTopic } from '../src/topics.js';
import { startMosquitto } from '../test/helpers/mosquitto.js';

const countsArg = process.argv.indexOf('--counts');
const counts = (countsArg > 0 ? (process.argv[countsArg + 1] ?? '') : '8,64,128,256').split(',').map(Number);
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}
const settle = async () => {
  global.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  global.gc?.();
};

const broker = await startMosquitto({ ulimit: 4096 });
const lines: string[] = [];
try {
  for (const connections of counts) {
    const server = `conn${randomBytes(3).toString('hex')}`;
    await settle();
    const brokerBefore = rssOf(broker.pid);
    const before = process.memoryUsage();
    let inHand = 0;
    let mostInHand = 0;
    let release: () => void = () => {};
    let gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const receiver = new ServerTransport({
      url: broker.url,
      server,
      connections,
      clientIdPrefix: `${server}-s`,
      sessionExpirySeconds: 0,
      handler: {
        async onContainer() {
          inHand += 1;
          mostInHand = Math.max(mostInHand, inHand);
          await gate;
          inHand -= 1;
        },
      },
    });
    const begin = performance.now();
    await receiver.start();
    const connectMs = performance.now() - begin;
    await settle();
    const after = process.memoryUsage();
    const brokerAfter = rssOf(broker.pid);

    // Twice as many containers as connections, all held by the handler: how many are in hand?
    const { client } = await openConnection({ url: broker.url }, { clientId: `${server}-site`, clean: true });
    const topic = upTopic(server, 'C000001');
    await Promise.all(
      Array.from({ length: connections * 2 }, () => publishQos1(client, topic, randomBytes(200))),
    );
    const deadline = Date.now() + 5_000;
    while (inHand < connections && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const held = mostInHand;
    release();
    gate = Promise.resolve();
    client.end(true);
    await receiver.stop();
    lines.push(
      `| ${connections} | ${connectMs.toFixed(0)} | ${mib(after.rss - before.rss)} | ${mib(after.heapUsed - before.heapUsed)} | ${mib(brokerAfter - brokerBefore)} | ${held} |`,
    );
  }
} finally {
  await broker.stop();
}
process.stdout.write(
  [
    '\n## ServerTransport: cost of receiving connections (one container in hand each)\n',
    '| connections | connect ms | server RSS + MiB | server heap + MiB | Mosquitto RSS + MiB | containers in hand |',
    '| ----------- | ---------- | ---------------- | ----------------- | ------------------- | ------------------ |',
    ...lines,
    '',
  ].join('\n'),
);
