import { describe, expect, it } from 'vitest';
import { testBroker } from '../src/broker-test.js';
import { startEmbeddedBroker } from '../src/embedded-broker.js';
import { freePort } from './helpers/mosquitto.js';

describe('testBroker', () => {
  it('measures connect time, round trips and throughput', async () => {
    await using broker = await startEmbeddedBroker();
    const result = await testBroker(broker.url, { protocolVersion: 4, samples: 5, messages: 50 });
    if (!result.ok) throw result.error;
    const report = result.value;
    expect(report.connectMs).toBeGreaterThan(0);
    expect(report.latencyMs.min).toBeGreaterThan(0);
    expect(report.latencyMs.min).toBeLessThanOrEqual(report.latencyMs.median);
    expect(report.latencyMs.median).toBeLessThanOrEqual(report.latencyMs.max);
    expect(report.throughput.messages).toBe(50);
    expect(report.throughput.messagesPerSecond).toBeGreaterThan(0);
    expect(report.throughput.bytesPerSecond / report.throughput.messagesPerSecond).toBeCloseTo(700, -1);
  });

  it('returns an error value, not a throw, when nothing listens', async () => {
    const port = await freePort();
    const result = await testBroker(`mqtt://127.0.0.1:${port}`, { connectTimeoutMs: 2_000 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('CONNECT_FAILED');
  });

  it('reports refused credentials as NOT_AUTHORIZED', async () => {
    await using broker = await startEmbeddedBroker({
      access: { server: 'srv', serverUsername: 'xmserver', verify: () => false },
    });
    const result = await testBroker(broker.url, { protocolVersion: 4, username: 'S1', password: 'nope' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('NOT_AUTHORIZED');
  });
});
