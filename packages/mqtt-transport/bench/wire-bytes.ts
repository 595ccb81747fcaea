/**
 * Bytes on the wire per container, counted by a TCP proxy on loopback between a site and
 * the broker: MQTT as sent (topic alias or not), and TLS records for mqtts://. The proxy
 * sees TCP payload only; IP and TCP headers are added as an estimate (see the last lines).
 * Usage: npm run bench (MQTT_URL for the plain broker, default 127.0.0.1:1883; a private
 * TLS mosquitto is started for the TLS figures).
 */
import { randomBytes } from 'node:crypto';
import { InMemoryInbox, InMemoryOutbox } from '../src/memory.js';
import { ServerTransport } from '../src/server-transport.js';
import { SiteTransport } from '../src/site-transport.js';
import { makeTestCertificates } from '../test/helpers/certificates.js';
import { startMosquitto } from '../test/helpers/mosquitto.js';
import { startCountingProxy } from '../test/helpers/proxy.js';

const containers = 200;
const containerBytes = 1_000; // an SDC of one birth act is about 1 KB
// IPv4 20 + TCP 20 + timestamps option 12, per segment; one segment each way per container
// (the PUBLISH up, the PUBACK down carrying the TCP acknowledgement).
const TCP_IP_PER_CONTAINER = 2 * 52;

interface Figures {
  name: string;
  connectBytes: number;
  perContainer: number;
}

async function measure(
  name: string,
  brokerUrl: string,
  options: { protocolVersion: 4 | 5; ca?: string; secure?: boolean },
): Promise<Figures> {
  const target = new URL(brokerUrl);
  const proxy = await startCountingProxy({ host: target.hostname, port: Number(target.port) });
  const server = `wire${randomBytes(3).toString('hex')}`;
  const receiver = new ServerTransport({
    url: brokerUrl,
    server,
    ca: options.ca,
    protocolVersion: options.protocolVersion,
    shared: options.protocolVersion === 5,
    clientIdPrefix: `${server}-s`,
    sessionExpirySeconds: 10,
    handler: { async onContainer() {} },
  });
  await receiver.start();
  const outbox = new InMemoryOutbox();
  const site = new SiteTransport({
    url: `${options.secure ? 'mqtts' : 'mqtt'}://127.0.0.1:${proxy.port}`,
    ca: options.ca,
    protocolVersion: options.protocolVersion,
    server,
    matricule: `W${randomBytes(3).toString('hex')}`,
    outbox,
    inbox: new InMemoryInbox(),
    sessionExpirySeconds: 10,
  });
  site.start();
  await site.waitConnected();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const connectBytes = proxy.up + proxy.down;
  proxy.reset();
  for (let index = 0; index < containers; index += 1) outbox.add(randomBytes(containerBytes));
  site.wake();
  while (outbox.unsent > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const perContainer = (proxy.up + proxy.down) / containers;
  await site.stop();
  await receiver.stop();
  await proxy.close();
  return { name, connectBytes, perContainer };
}

const plainUrl = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const certificates = await makeTestCertificates();
const tlsBroker = await startMosquitto({ tls: certificates });
const results: Figures[] = [];
try {
  results.push(await measure('MQTT 5, topic alias', plainUrl, { protocolVersion: 5 }));
  results.push(await measure('MQTT 3.1.1, full topic', plainUrl, { protocolVersion: 4 }));
  results.push(
    await measure('MQTT 5 over TLS 1.3', `mqtts://127.0.0.1:${tlsBroker.port}`, {
      protocolVersion: 5,
      ca: certificates.ca,
      secure: true,
    }),
  );
} finally {
  await tlsBroker.stop();
}
console.log(`${containers} containers of ${containerBytes} random bytes, one site, QoS 1`);
console.log(
  `${'link'.padEnd(26)} ${'connect+subscribe'.padStart(18)} ${'per container'.padStart(14)} ${'overhead'.padStart(9)} ${'+TCP/IP est.'.padStart(13)}`,
);
for (const { name, connectBytes, perContainer } of results) {
  const overhead = perContainer - containerBytes;
  console.log(
    `${name.padEnd(26)} ${`${connectBytes} B`.padStart(18)} ${`${perContainer.toFixed(1)} B`.padStart(14)} ${`${overhead.toFixed(1)} B`.padStart(9)} ${`${(overhead + TCP_IP_PER_CONTAINER).toFixed(1)} B`.padStart(13)}`,
  );
}
console.log(
  `TCP/IP estimate: ${TCP_IP_PER_CONTAINER} B per container (one 52-byte IPv4+TCP header each way).`,
);
