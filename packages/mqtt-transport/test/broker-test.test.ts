import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBroker } from '../src/broker-test.js';
import { createDynamicSecurityConfig, DynamicSecurityAdmin } from '../src/dynamic-security.js';
import { startEmbeddedBroker } from '../src/embedded-broker.js';
import { freePort, mosquittoAvailable, type RunningMosquitto, startMosquitto } from './helpers/mosquitto.js';

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

describe.skipIf(!mosquittoAvailable())(
  'testBroker says which step failed (Mosquitto with dynamic security)',
  () => {
    const secret = () => randomBytes(18).toString('base64url');
    const adminPassword = secret();
    const password = secret();
    let broker: RunningMosquitto;
    let admin: DynamicSecurityAdmin;
    const quick = { samples: 2, messages: 5, connectTimeoutMs: 3_000 };

    beforeAll(async () => {
      broker = await startMosquitto({
        dynamicSecurity: createDynamicSecurityConfig({ adminUsername: 'admin', adminPassword }),
      });
      admin = await DynamicSecurityAdmin.connect({
        url: broker.url,
        username: 'admin',
        password: adminPassword,
      });
      // Plain plugin commands, so that this file tests testBroker alone.
      const topic = 'xm/test/srv/+';
      const role = (rolename: string, acltypes: readonly string[]) => [
        {
          command: 'createRole',
          rolename,
          acls: acltypes.map((acltype) => ({ acltype, topic, allow: true })),
        },
        { command: 'createClient', username: rolename, password, roles: [{ rolename }] },
      ];
      await admin.run([
        ...role('tester', ['publishClientSend', 'subscribePattern', 'publishClientReceive']),
        // Allowed to publish and subscribe, not to receive: the broker acknowledges and drops.
        ...role('deaf', ['publishClientSend', 'subscribePattern']),
        // Allowed to subscribe only: its publishes are refused.
        ...role('mute', ['subscribePattern']),
      ]);
    });

    afterAll(async () => {
      await admin?.close();
      await broker?.stop();
    });

    it('passes with an account allowed its topic', async () => {
      const result = await testBroker(broker.url, {
        ...quick,
        username: 'tester',
        password,
        topic: 'xm/test/srv/run1',
      });
      if (!result.ok) throw result.error;
      expect(result.value.throughput.messages).toBe(5);
    });

    it('a refused subscription is SUBSCRIBE_REFUSED with the reason code, not a connection failure', async () => {
      const result = await testBroker(broker.url, {
        ...quick,
        username: 'tester',
        password,
        topic: 'xm/v1/srv/down/S1',
      });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ code: 'SUBSCRIBE_REFUSED', reasonCode: 135 });
    });

    it('a wrong password is NOT_AUTHORIZED at CONNACK, with the reason code', async () => {
      const result = await testBroker(broker.url, {
        ...quick,
        username: 'tester',
        password: 'wrong',
      });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ code: 'NOT_AUTHORIZED', reasonCode: 135 });
    });

    it('a publish refused by the PUBACK is PUBLISH_FAILED with the reason code', async () => {
      const result = await testBroker(broker.url, {
        ...quick,
        username: 'mute',
        password,
        topic: 'xm/test/srv/m',
      });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ code: 'PUBLISH_FAILED', reasonCode: 135 });
    });

    it('messages acknowledged but never delivered back are NOT_DELIVERED', async () => {
      const result = await testBroker(broker.url, {
        ...quick,
        username: 'deaf',
        password,
        topic: 'xm/test/srv/deaf',
        timeoutMs: 1_500,
      });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('NOT_DELIVERED');
    });

    it('a closed port is CONNECT_FAILED, naming the refusal', async () => {
      const result = await testBroker(`mqtt://127.0.0.1:${await freePort()}`, quick);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('CONNECT_FAILED');
        expect(result.error.message).toContain('ECONNREFUSED');
      }
    });
  },
);
