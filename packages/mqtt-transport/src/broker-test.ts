import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  type BrokerOptions,
  closeConnection,
  openConnection,
  publishQos1,
  subscribeQos1,
} from './connection.js';
import { describeReasonCode, TransportError } from './errors.js';
import { redactedUrl } from './redacted-url.js';
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
  /** The broker tested, without the password its URL may carry. */
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
 * Failures are values, so a CLI can print them, and each step that can fail has its own code:
 *
 * - `CONNECT_FAILED`: no MQTT answer: TCP refused or reset, TLS handshake failed, or no CONNACK in time;
 * - `NOT_AUTHORIZED`: the CONNACK refused the credentials (`reasonCode`: 134/135, or 4/5 in 3.1.1);
 * - `CONNECT_REFUSED`: the CONNACK refused for another reason (`reasonCode`);
 * - `SUBSCRIBE_REFUSED`: the SUBACK refused the test topic (`reasonCode`);
 * - `PUBLISH_FAILED`: the PUBACK refused a message (`reasonCode`, MQTT 5);
 * - `NOT_DELIVERED`: the broker acknowledged messages that never came back to the subscriber;
 * - `CONNECTION_LOST`: the broker closed the connection during the test;
 * - `TIMEOUT`: no SUBACK or PUBACK before the deadline.
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
  // Where the test is, so that a deadline or a closed connection is reported for what it interrupted.
  let stage: 'connect' | 'subscribe' | 'messages' = 'connect';
  /** Messages the broker acknowledged (PUBACK) that have not come back yet. */
  let undelivered = 0;
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  let client: Awaited<ReturnType<typeof openConnection>>['client'] | undefined;
  let lost: (error: TransportError) => void = () => {};
  const connectionLost = new Promise<never>((_, reject) => {
    lost = reject;
  });
  // Only the race below reads it; a close after the race is ours and means nothing.
  connectionLost.catch(() => {});
  const run = async (): Promise<BrokerTestReport> => {
    const started = performance.now();
    const connection = await openConnection(
      { connectTimeoutMs: deadline, ...options, url },
      {
        clientId,
        clean: true,
        onMessage: async (_topic, payload) => {
          const key = Buffer.from(payload.subarray(0, 12)).toString('hex');
          waiting.get(key)?.();
          waiting.delete(key);
        },
      },
    ).catch((error: unknown) => {
      // openConnection's own deadline is "no CONNACK": nothing answered MQTT.
      throw TransportError.isInstance(error) && error.code === 'TIMEOUT'
        ? new TransportError('CONNECT_FAILED', `no CONNACK from ${redactedUrl(url)} within ${deadline} ms`, {
            cause: error,
          })
        : error;
    });
    client = connection.client;
    let disconnectReason: number | undefined;
    connection.client.on('disconnect', (packet) => {
      disconnectReason = packet.reasonCode;
    });
    connection.client.once('close', () => {
      const reason =
        disconnectReason === undefined
          ? ''
          : ` (${disconnectReason}: ${describeReasonCode(disconnectReason)})`;
      lost(
        new TransportError('CONNECTION_LOST', `the broker closed the connection during the test${reason}`, {
          ...(disconnectReason === undefined ? {} : { reasonCode: disconnectReason }),
        }),
      );
    });
    const connectMs = performance.now() - started;
    stage = 'subscribe';
    await subscribeQos1(connection.client, topic);
    stage = 'messages';
    const roundTrip = async (size: number) => {
      const payload = randomBytes(Math.max(12, size));
      const key = payload.subarray(0, 12).toString('hex');
      const arrived = new Promise<void>((resolve) => waiting.set(key, resolve));
      sent += 1;
      await publishQos1(connection.client, topic, payload);
      // Acknowledged: from here on, only the broker's delivery is missing.
      if (waiting.has(key)) {
        undelivered += 1;
        await arrived;
        undelivered -= 1;
      }
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
      url: redactedUrl(url),
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
  const expired = () => {
    if (stage === 'connect')
      return new TransportError(
        'CONNECT_FAILED',
        `no CONNACK from ${redactedUrl(url)} within ${deadline} ms`,
      );
    if (stage === 'subscribe')
      return new TransportError('TIMEOUT', `no SUBACK for ${topic} within ${deadline} ms`);
    if (undelivered > 0)
      return new TransportError(
        'NOT_DELIVERED',
        `${undelivered} of ${sent} message(s) to ${topic} acknowledged by the broker did not come back within ${deadline} ms`,
      );
    return new TransportError('TIMEOUT', `no PUBACK on ${topic} within ${deadline} ms`);
  };
  try {
    const value = await Promise.race([
      run(),
      connectionLost,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(expired()), deadline);
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
