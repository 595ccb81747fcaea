import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type BrokerOptions, closeConnection, openConnection, publishQos1 } from './connection.js';
import { TransportError } from './errors.js';
import { Semaphore } from './semaphore.js';
import type { Result } from './topics.js';

export interface BrokerTestOptions extends Omit<BrokerOptions, 'url'> {
  /** Topic the test publishes to and reads back (default `xm/test/{client id}`); the account needs both rights on it. */
  topic?: string;
  /** Round trips timed one after another (default 10). */
  samples?: number;
  /** Messages sent for the throughput figure (default 200). */
  messages?: number;
  /** Size of each message (default 700 bytes: one small container). */
  payloadBytes?: number;
  /** Publishes in flight during the throughput run (default 32). */
  window?: number;
  /** Whole test deadline (default 30,000 ms). */
  timeoutMs?: number;
}

export interface BrokerTestReport {
  url: string;
  protocolVersion: 4 | 5;
  /** TCP (and TLS) handshake plus CONNECT/CONNACK. */
  connectMs: number;
  /** Publish QoS 1 to the test topic until the same client receives it. */
  latencyMs: { min: number; median: number; p95: number; max: number };
  throughput: {
    messages: number;
    payloadBytes: number;
    seconds: number;
    messagesPerSecond: number;
    bytesPerSecond: number;
  };
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

const round = (value: number) => Math.round(value * 100) / 100;

/**
 * "Test broker", as the original platform had it: connect time, round-trip latency and
 * throughput against a broker URL, with the same connection options the transport uses.
 * Failures are values, so a CLI can print them.
 */
export async function testBroker(
  url: string,
  options: BrokerTestOptions = {},
): Promise<Result<BrokerTestReport>> {
  const clientId = `xm-test-${randomBytes(6).toString('hex')}`;
  const topic = options.topic ?? `xm/test/${clientId}`;
  const samples = options.samples ?? 10;
  const count = options.messages ?? 200;
  const payloadBytes = options.payloadBytes ?? 700;
  const deadline = options.timeoutMs ?? 30_000;
  const protocolVersion = options.protocolVersion ?? 5;
  const waiting = new Map<string, () => void>();
  let timer: NodeJS.Timeout | undefined;
  let client: Awaited<ReturnType<typeof openConnection>>['client'] | undefined;
  const run = async (): Promise<BrokerTestReport> => {
    const started = performance.now();
    const connection = await openConnection(
      { ...options, url },
      {
        clientId,
        clean: true,
        onMessage: async (_topic, payload) => {
          const key = Buffer.from(payload.subarray(0, 12)).toString('hex');
          waiting.get(key)?.();
          waiting.delete(key);
        },
      },
    );
    client = connection.client;
    const connectMs = performance.now() - started;
    await new Promise<void>((resolve, reject) =>
      connection.client.subscribe(topic, { qos: 1 }, (error) =>
        error
          ? reject(new TransportError('NOT_AUTHORIZED', `subscribe ${topic}`, { cause: error }))
          : resolve(),
      ),
    );
    const roundTrip = async (size: number) => {
      const payload = randomBytes(Math.max(12, size));
      const arrived = new Promise<void>((resolve) =>
        waiting.set(payload.subarray(0, 12).toString('hex'), resolve),
      );
      await publishQos1(connection.client, topic, payload);
      await arrived;
    };
    const latencies: number[] = [];
    for (let index = 0; index < samples; index += 1) {
      const begin = performance.now();
      await roundTrip(payloadBytes);
      latencies.push(performance.now() - begin);
    }
    latencies.sort((a, b) => a - b);
    const window = new Semaphore(Math.min(options.window ?? 32, connection.brokerReceiveMaximum));
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: count }, async () => {
        await window.acquire();
        try {
          await roundTrip(payloadBytes);
        } finally {
          window.release();
        }
      }),
    );
    const seconds = (performance.now() - begin) / 1_000;
    return {
      url,
      protocolVersion,
      connectMs: round(connectMs),
      latencyMs: {
        min: round(latencies[0] ?? 0),
        median: round(percentile(latencies, 0.5)),
        p95: round(percentile(latencies, 0.95)),
        max: round(latencies.at(-1) ?? 0),
      },
      throughput: {
        messages: count,
        payloadBytes,
        seconds: round(seconds),
        messagesPerSecond: Math.round(count / seconds),
        bytesPerSecond: Math.round((count * payloadBytes) / seconds),
      },
    };
  };
  try {
    const value = await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new TransportError('TIMEOUT', `broker test over ${deadline} ms`)),
          deadline,
        );
      }),
    ]);
    return { ok: true, value };
  } catch (error) {
    const wrapped = TransportError.isInstance(error)
      ? error
      : new TransportError('CONNECT_FAILED', undefined, { cause: error });
    return { ok: false, error: wrapped };
  } finally {
    clearTimeout(timer);
    if (client) await closeConnection(client, true);
  }
}
