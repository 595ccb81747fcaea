import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDynamicSecurityConfig,
  type EmbeddedBroker,
  startEmbeddedBroker,
} from '@xmcomm/mqtt-transport';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  mosquittoAvailable,
  startMosquitto,
} from '../../../packages/mqtt-transport/test/helpers/mosquitto.js';
import { runInProcess, spawnCli } from './helpers/run.js';

// `xmserver run` as an operator starts it, failing at start: each failure is a message and an exit
// code from the table, never Node's stack trace.
let dir: string;
let broker: EmbeddedBroker;
const dataDir = () => join(dir, 'data');
const env = () => ({ XM_SERVER_NAME: 'fail', XM_BROKER_URL: broker.url });

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('Unhandled');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xms-fail-'));
  broker = await startEmbeddedBroker();
  // The service runs as no operator; init only needs the first supervisor's password.
  const init = await runInProcess(['--data-dir', dataDir(), 'init'], {
    env: { ...env(), XM_NEW_PASSWORD: 'first supervisor password' },
  });
  expect(init.code, init.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await broker?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('xmserver run', () => {
  let busy: Server;
  let port: number;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => busy.close(() => resolve()));
  });

  test('with its metrics port taken: a message naming the port and how to change it, exit 78, no stack', async () => {
    const outcome = await spawnCli(
      ['--data-dir', dataDir(), 'run', '--embedded-broker', '--metrics-port', String(port)],
      env(),
      90_000,
    );
    expect(outcome.code).toBe(78);
    expect(outcome.stderr).toContain(`xmserver: Cannot listen on 127.0.0.1:${port}`);
    expect(outcome.stderr).toContain('another process already listens on it');
    expect(outcome.stderr).toContain('--metrics-port');
    expect(outcome.stderr).toContain('XM_METRICS_PORT');
    noStack(outcome.stderr);
  }, 100_000);

  test('the same in French, and from XM_METRICS_PORT', async () => {
    const outcome = await spawnCli(
      ['--data-dir', dataDir(), '--lang', 'fr', 'run', '--embedded-broker'],
      { ...env(), XM_METRICS_PORT: String(port) },
      90_000,
    );
    expect(outcome.code).toBe(78);
    expect(outcome.stderr).toContain(`Impossible d'écouter sur 127.0.0.1:${port}`);
    noStack(outcome.stderr);
  }, 100_000);
});

describe.skipIf(!mosquittoAvailable())('xmserver run against a broker that refuses its account', () => {
  test('says the broker refused the login, with the reason code, exit 77 (not an internal error)', async () => {
    await using mosquitto = await startMosquitto({
      dynamicSecurity: createDynamicSecurityConfig({
        adminUsername: 'admin',
        adminPassword: randomBytes(12).toString('hex'),
      }),
    });
    const outcome = await spawnCli(
      ['--data-dir', dataDir(), 'run', '--metrics-port', '0'],
      { ...env(), XM_BROKER_URL: mosquitto.url, XM_BROKER_USERNAME: 'xms', XM_BROKER_PASSWORD: 'nope' },
      90_000,
    );
    expect(outcome.code).toBe(77);
    expect(outcome.stderr).toContain('refused the login of xms');
    expect(outcome.stderr).toContain('reason code 135');
    noStack(outcome.stderr);
  }, 100_000);
});
