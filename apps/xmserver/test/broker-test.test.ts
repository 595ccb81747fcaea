import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamicSecurityConfig, DynamicSecurityAdmin } from '@xmcomm/mqtt-transport';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  freePort,
  mosquittoAvailable,
  type RunningMosquitto,
  startMosquitto,
} from '../../../packages/mqtt-transport/test/helpers/mosquitto.js';
import { runInProcess } from './helpers/run.js';

const server = 'btest';
const secret = () => randomBytes(18).toString('base64url');
const adminPassword = secret();
const password = secret();
let broker: RunningMosquitto;
let dynsec: DynamicSecurityAdmin;
let dir: string;

const base = () => ({ XM_USER: 'op', XM_SERVER_NAME: server, XM_BROKER_URL: broker.url });
const withAdmin = () => ({
  ...base(),
  XM_BROKER_ADMIN_USERNAME: 'admin',
  XM_BROKER_ADMIN_PASSWORD: adminPassword,
});
const as = (username: string, secretValue = password) => ({
  ...base(),
  XM_BROKER_USERNAME: username,
  XM_BROKER_PASSWORD: secretValue,
});
const brokerTest = (env: NodeJS.ProcessEnv, ...extra: string[]) =>
  runInProcess(['--data-dir', join(dir, 'data'), 'broker', 'test', '--messages', '5', ...extra], { env });

/** A stack trace, or the catch-all message, would mean a failure that no step named. */
function namedFailure(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('Internal error');
}

describe.skipIf(!mosquittoAvailable())('broker test against Mosquitto with dynamic security', () => {
  beforeAll(async () => {
    broker = await startMosquitto({
      dynamicSecurity: createDynamicSecurityConfig({ adminUsername: 'admin', adminPassword }),
    });
    dir = await mkdtemp(join(tmpdir(), 'xms-btest-'));
    dynsec = await DynamicSecurityAdmin.connect({
      url: broker.url,
      username: 'admin',
      password: adminPassword,
    });
    // An account that may log in and nothing else, and one that may send and subscribe but not receive.
    await dynsec.run([
      { command: 'createClient', username: 'plain', password },
      {
        command: 'createRole',
        rolename: 'deaf',
        acls: [
          { acltype: 'publishClientSend', topic: `xm/test/${server}/+`, allow: true },
          { acltype: 'subscribePattern', topic: `xm/test/${server}/+`, allow: true },
        ],
      },
      { command: 'createClient', username: 'deaf', password, roles: [{ rolename: 'deaf' }] },
    ]);
  }, 30_000);

  afterAll(async () => {
    await dynsec?.close();
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('with the admin account, it provisions its own test account on a broker where nobody made one', async () => {
    expect(await dynsec.getClient(`xm-${server}-test`)).toBeUndefined();
    const first = await brokerTest(withAdmin(), '--json');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.testAccount).toEqual({ username: `xm-${server}-test`, action: 'created', changes: [] });
    expect(report.throughput.messages).toBe(5);
    // No standing credential: the account is disabled again once the test is over.
    expect((await dynsec.getClient(`xm-${server}-test`))?.disabled).toBe(true);

    const second = await brokerTest(withAdmin());
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`test account xm-${server}-test: updated`);
    expect(second.stdout).toContain('round trip: median');
  });

  test('a refused subscription is reported as such, with its reason code, exit 77; not "cannot be reached"', async () => {
    const outcome = await brokerTest(as('plain'));
    expect(outcome.code).toBe(77);
    expect(outcome.stderr).toContain('refused its subscription');
    expect(outcome.stderr).toContain('reason code 135');
    expect(outcome.stderr).toContain('XM_BROKER_ADMIN_USERNAME');
    expect(outcome.stderr).not.toContain('cannot be reached');
    namedFailure(outcome.stderr);
    const french = await brokerTest(as('plain'), '--lang', 'fr');
    expect(french.code).toBe(77);
    expect(french.stderr).toContain('refusé son abonnement');
    const json = await brokerTest(as('plain'), '--json');
    expect(JSON.parse(json.stderr).error.code).toBe('broker-subscribe-refused');
  });

  test('a wrong password is a login refusal with its reason code, exit 77', async () => {
    const outcome = await brokerTest(as('plain', 'not-the-password'));
    expect(outcome.code).toBe(77);
    expect(outcome.stderr).toContain('refused the login of plain');
    expect(outcome.stderr).toContain('not authorised (reason code 135)');
    namedFailure(outcome.stderr);
  });

  test('a closed port is unreachable, exit 75', async () => {
    const outcome = await brokerTest(base(), '--url', `mqtt://127.0.0.1:${await freePort()}`);
    expect(outcome.code).toBe(75);
    expect(outcome.stderr).toContain('cannot be reached');
    expect(outcome.stderr).toContain('ECONNREFUSED');
    namedFailure(outcome.stderr);
  });

  test('a password in the broker URL is refused (it belongs in XM_BROKER_PASSWORD) and never printed', async () => {
    const inEnv = await brokerTest({
      ...base(),
      XM_BROKER_URL: broker.url.replace('mqtt://', `mqtt://plain:${password}@`),
    });
    const inFlag = await brokerTest(
      base(),
      '--url',
      `mqtt://plain:${password}@127.0.0.1:${await freePort()}`,
      '--json',
    );
    for (const outcome of [inEnv, inFlag]) {
      expect(outcome.code, outcome.stderr).toBe(78);
      expect(outcome.stderr).toContain('username/password');
      expect(outcome.stderr).not.toContain(password);
      namedFailure(outcome.stderr);
    }
  });

  test('messages acknowledged but never delivered back are reported as such, exit 69', async () => {
    const outcome = await brokerTest(as('deaf'), '--timeout', '2');
    expect(outcome.code).toBe(69);
    expect(outcome.stderr).toContain('did not deliver them back');
    namedFailure(outcome.stderr);
  });

  test('a wrong admin password is a login refusal of the admin account, not a failed test', async () => {
    const outcome = await brokerTest({ ...withAdmin(), XM_BROKER_ADMIN_PASSWORD: 'wrong' });
    expect(outcome.code).toBe(77);
    expect(outcome.stderr).toContain('refused the login of admin');
  });

  test('an admin account that is not the plugin administrator: its subscription refused, said so', async () => {
    const outcome = await brokerTest({
      ...base(),
      XM_BROKER_ADMIN_USERNAME: 'plain',
      XM_BROKER_ADMIN_PASSWORD: password,
    });
    expect(outcome.code).toBe(77);
    expect(outcome.stderr).toContain('refused its subscription to $CONTROL/dynamic-security/v1/response');
    expect(outcome.stderr).toContain('dynamic security administrator');
    namedFailure(outcome.stderr);
  });
});
