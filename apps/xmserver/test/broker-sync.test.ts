import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamicSecurityConfig, DynamicSecurityAdmin } from '@xmcomm/mqtt-transport';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// The transport's own test helpers: a private Mosquitto with the dynamic security plugin, and its
// connection opener (which rejects when the broker refuses a login).
import { closeConnection, openConnection } from '../../../packages/mqtt-transport/src/connection.js';
import {
  mosquittoAvailable,
  type RunningMosquitto,
  startMosquitto,
} from '../../../packages/mqtt-transport/test/helpers/mosquitto.js';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

const server = 'bsync';
const adminPassword = randomBytes(18).toString('base64url');
let broker: RunningMosquitto;
let database: TestDatabase<ServerDatabase>;
let dir: string;
const dataDir = () => join(dir, 'data');
const base = () => ({ ...asSupervisor, XM_SERVER_NAME: server, XM_BROKER_URL: broker.url });
const admin = () => ({
  ...base(),
  XM_BROKER_ADMIN_USERNAME: 'admin',
  XM_BROKER_ADMIN_PASSWORD: adminPassword,
});
const run = (argv: readonly string[], env: NodeJS.ProcessEnv = base()) =>
  runInProcess(['--data-dir', dataDir(), ...argv], { database: database.db, env });

/** Logs in as a site: resolves with the connection, or rejects when the broker refuses. */
async function login(matricule: string): Promise<MqttClient> {
  const password = (
    await readFile(join(dataDir(), 'broker-passwords', `${matricule}.broker-password`), 'utf8')
  ).trim();
  const { client } = await openConnection(
    { url: broker.url, username: matricule, password, connectTimeoutMs: 3_000 },
    { clientId: matricule, clean: true },
  );
  return client;
}

async function mayLogin(matricule: string): Promise<boolean> {
  try {
    await closeConnection(await login(matricule));
    return true;
  } catch {
    return false;
  }
}

function subscribe(client: MqttClient, topic: string): Promise<number> {
  return new Promise((resolve, reject) =>
    client.subscribe(topic, { qos: 1 }, (error, _granted, suback) =>
      suback?.granted[0] === undefined ? reject(error) : resolve(suback.granted[0] as number),
    ),
  );
}

describe.skipIf(!mosquittoAvailable())('broker sync against Mosquitto with dynamic security', () => {
  beforeAll(async () => {
    broker = await startMosquitto({
      dynamicSecurity: createDynamicSecurityConfig({ adminUsername: 'admin', adminPassword }),
    });
    database = await createTestDatabase<ServerDatabase>();
    dir = await mkdtemp(join(tmpdir(), 'xms-bsync-'));
    await initialiseServer((argv, env) => run(argv, { ...base(), ...env }));
  }, 60_000);

  afterAll(async () => {
    await broker?.stop();
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('without the admin account, sync is refused with 78 and nothing is pushed', async () => {
    expect((await run(['client', 'add', '--name', 'Site A', '--matricule', 'SYN-A'])).code).toBe(0);
    const refused = await run(['broker', 'sync']);
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain('XM_BROKER_ADMIN_USERNAME');
  });

  test('a new client gets an account confined to its topics; its password is in a 0600 file, never printed', async () => {
    const dry = JSON.parse((await run(['broker', 'sync', '--dry-run', '--json'], admin())).stdout);
    expect(dry.sites).toEqual([{ matricule: 'SYN-A', action: 'created', changes: [] }]);
    expect(await mayLogin('SYN-A').catch(() => false)).toBe(false);

    const outcome = await run(['broker', 'sync', '--json'], admin());
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout);
    expect(result).toMatchObject({ server, changed: 1, sites: [{ matricule: 'SYN-A', action: 'created' }] });
    const file = result.sites[0].passwordFile as string;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(outcome.stdout).not.toContain((await readFile(file, 'utf8')).trim());

    const client = await login('SYN-A');
    try {
      expect(await subscribe(client, `xm/v1/${server}/down/SYN-A`)).toBe(1);
      expect(await subscribe(client, `xm/v1/${server}/down/SYN-B`)).toBeGreaterThanOrEqual(128);
    } finally {
      await closeConnection(client);
    }
    // A second sync has nothing to do, and says so per account.
    const again = JSON.parse((await run(['broker', 'sync', '--json'], admin())).stdout);
    expect(again).toMatchObject({ changed: 0, serverAccount: null });
    expect(again.sites).toEqual([{ matricule: 'SYN-A', action: 'unchanged', changes: [] }]);
  });

  test('set-status 0 then sync cuts the site off, connected or not; status 3 then sync lets it back', async () => {
    const connected = await login('SYN-A');
    const dropped = new Promise<void>((resolve) => connected.once('close', () => resolve()));
    expect((await run(['client', 'set-status', 'SYN-A', '0'])).code).toBe(0);
    expect(await mayLogin('SYN-A')).toBe(true); // the register changed, the broker not yet
    const synced = JSON.parse((await run(['broker', 'sync', '--json'], admin())).stdout);
    expect(synced.sites).toEqual([{ matricule: 'SYN-A', action: 'updated', changes: ['disabled'] }]);
    await dropped;
    connected.end(true);
    expect(await mayLogin('SYN-A')).toBe(false);

    expect((await run(['client', 'set-status', 'SYN-A', '3'])).code).toBe(0);
    expect(JSON.parse((await run(['broker', 'sync', '--json'], admin())).stdout).sites).toEqual([
      { matricule: 'SYN-A', action: 'updated', changes: ['enabled'] },
    ]);
    expect(await mayLogin('SYN-A')).toBe(true);
  });

  test('with the admin account configured, client add and set-status update the broker at once', async () => {
    expect((await run(['client', 'add', '--name', 'Site B', '--matricule', 'SYN-B'], admin())).code).toBe(0);
    expect(await mayLogin('SYN-B')).toBe(true);
    const suspended = await run(['client', 'set-status', 'SYN-B', '0'], admin());
    expect(suspended.code).toBe(0);
    expect(suspended.stderr).toContain('SYN-B updated (disabled)');
    expect(await mayLogin('SYN-B')).toBe(false);
    expect((await run(['client', 'set-status', 'SYN-B', '2'], admin())).code).toBe(0);
    expect(await mayLogin('SYN-B')).toBe(true);
  });

  test('client delete of a client never used deletes its broker account and its password file at once', async () => {
    expect((await run(['client', 'add', '--name', 'Typo', '--matricule', 'SYN-X'], admin())).code).toBe(0);
    const file = join(dataDir(), 'broker-passwords', 'SYN-X.broker-password');
    const password = (await readFile(file, 'utf8')).trim();
    expect(await mayLogin('SYN-X')).toBe(true);
    const deleted = await run(['client', 'delete', 'SYN-X'], admin());
    expect(deleted.code).toBe(0);
    expect(deleted.stderr).toContain('SYN-X deleted');
    await expect(stat(file)).rejects.toThrow();
    await expect(
      openConnection(
        { url: broker.url, username: 'SYN-X', password, connectTimeoutMs: 3_000 },
        { clientId: 'SYN-X', clean: true },
      ),
    ).rejects.toThrow();
    expect(await mayLogin('SYN-A')).toBe(true);
  });

  test('pki revoke of a site certificate deletes its account at once; a broker that is down makes the hook fail with 75', async () => {
    const key = join(dir, 'b.key');
    const csr = join(dir, 'b.csr');
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      key,
    ]);
    execFileSync('openssl', ['req', '-new', '-key', key, '-subj', '/CN=SYN-B', '-out', csr]);
    expect((await run(['client', 'enrol', 'SYN-B', '--csr', csr, '--out', join(dir, 'b.pem')])).code).toBe(0);
    const { serial_number } = await database.db
      .selectFrom('xm_system.certificates')
      .select('serial_number')
      .where('purpose', '=', 'site')
      .executeTakeFirstOrThrow();
    expect(await mayLogin('SYN-B')).toBe(true);
    expect((await run(['pki', 'revoke', serial_number], admin())).code).toBe(0);
    expect(await mayLogin('SYN-B')).toBe(false);
    // SYN-A is unaffected.
    expect(await mayLogin('SYN-A')).toBe(true);

    const down = await run(['client', 'set-status', 'SYN-A', '1'], {
      ...admin(),
      XM_BROKER_URL: 'mqtt://127.0.0.1:1',
    });
    expect(down.code).toBe(75);
    expect(down.stderr).toContain('broker sync');
    // The register's change stands.
    expect(JSON.parse((await run(['client', 'show', 'SYN-A', '--json'])).stdout).status).toBe(1);
  });

  test('--server-account run twice: created, then unchanged; a new password is reported and taken', async () => {
    const password = randomBytes(18).toString('base64url');
    const service = (secret: string) => ({
      ...admin(),
      XM_BROKER_USERNAME: 'xms',
      XM_BROKER_PASSWORD: secret,
    });
    const first = await run(['broker', 'sync', '--server-account', '--json'], service(password));
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).serverAccount).toEqual({
      kind: 'server',
      username: 'xms',
      action: 'created',
      changes: [],
    });
    // The plugin answered the second run's addClientRole with "Internal error".
    const second = await run(['broker', 'sync', '--server-account', '--json'], service(password));
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      changed: 0,
      serverAccount: { username: 'xms', action: 'unchanged', changes: [] },
    });
    const text = await run(['broker', 'sync', '--server-account'], service(password));
    expect(text.stdout).toMatch(/^xms\s+server\s+unchanged/m);
    expect(text.stdout).toContain('0 account(s) changed.');

    const rotated = randomBytes(18).toString('base64url');
    const dry = JSON.parse(
      (await run(['broker', 'sync', '--server-account', '--dry-run', '--json'], service(rotated))).stdout,
    );
    expect(dry.serverAccount).toMatchObject({ action: 'updated', changes: ['password'] });
    const changed = await run(['broker', 'sync', '--server-account', '--json'], service(rotated));
    expect(JSON.parse(changed.stdout)).toMatchObject({
      changed: 1,
      serverAccount: { action: 'updated', changes: ['password'] },
    });
    const { client } = await openConnection(
      { url: broker.url, username: 'xms', password: rotated, connectTimeoutMs: 3_000 },
      { clientId: 'xms-check', clean: true },
    );
    await closeConnection(client);
  });

  test("a site account's role changed by hand is put back by the next sync, and reported", async () => {
    const dynsec = await DynamicSecurityAdmin.connect({
      url: broker.url,
      username: 'admin',
      password: adminPassword,
    });
    try {
      await dynsec.run([
        {
          command: 'addRoleACL',
          rolename: `xm-${server}-site-SYN-A`,
          acltype: 'subscribePattern',
          topic: '#',
          allow: true,
        },
      ]);
    } finally {
      await dynsec.close();
    }
    const synced = JSON.parse((await run(['broker', 'sync', '--json'], admin())).stdout);
    expect(synced.sites).toContainEqual({ matricule: 'SYN-A', action: 'updated', changes: ['acls'] });
    expect(JSON.parse((await run(['broker', 'sync', '--json'], admin())).stdout).changed).toBe(0);
  });
});
