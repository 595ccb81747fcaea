import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  serverAcls,
  serverRoleName,
  siteAcls,
  siteRoleName,
  testAccountName,
  testAcls,
} from '../src/broker-accounts.js';
import { closeConnection, openConnection, publishQos1 } from '../src/connection.js';
import { createDynamicSecurityConfig, DynamicSecurityAdmin } from '../src/dynamic-security.js';
import { mosquittoAvailable, type RunningMosquitto, startMosquitto } from './helpers/mosquitto.js';

const SERVER = 'idem';
const secret = () => randomBytes(18).toString('base64url');
const adminPassword = secret();

const sorted = <T extends { acltype: string; topic: string }>(acls: readonly T[]) =>
  [...acls]
    .map(({ acltype, topic, ...rest }) => ({ acltype, topic, allow: (rest as { allow?: boolean }).allow }))
    .sort((a, b) => `${a.acltype} ${a.topic}`.localeCompare(`${b.acltype} ${b.topic}`));

describe.skipIf(!mosquittoAvailable())('provisioning is idempotent and says what changed', () => {
  let broker: RunningMosquitto;
  let admin: DynamicSecurityAdmin;
  const open: MqttClient[] = [];

  async function login(username: string, password: string, clientId: string): Promise<MqttClient> {
    const { client } = await openConnection(
      { url: broker.url, username, password, connectTimeoutMs: 3_000 },
      { clientId, clean: true },
    );
    open.push(client);
    return client;
  }

  beforeAll(async () => {
    broker = await startMosquitto({
      dynamicSecurity: createDynamicSecurityConfig({ adminUsername: 'admin', adminPassword }),
    });
    admin = await DynamicSecurityAdmin.connect({
      url: broker.url,
      username: 'admin',
      password: adminPassword,
    });
  });

  afterAll(async () => {
    for (const client of open) await closeConnection(client, true);
    await admin?.close();
    await broker?.stop();
  });

  it("runs the server account's provisioning again without an error, without a change, without dropping its connections", async () => {
    const password = secret();
    expect(await admin.provisionServer(SERVER, 'xmserver', password)).toEqual({
      username: 'xmserver',
      action: 'created',
      changes: [],
    });
    const running = await login('xmserver', password, 'xms-process-1');
    // The plugin answers a second addClientRole with "Internal error": the second run must not send it.
    expect(await admin.provisionServer(SERVER, 'xmserver', password)).toEqual({
      username: 'xmserver',
      action: 'unchanged',
      changes: [],
    });
    expect(await admin.provisionServer(SERVER, 'xmserver', password, 'xmserver', { dryRun: true })).toEqual({
      username: 'xmserver',
      action: 'unchanged',
      changes: [],
    });
    // Setting a password drops the account's connections (the plugin closes them before it
    // answers): a publish acknowledged after the answers shows that nothing was dropped.
    const stillUp = new Promise<boolean>((resolve) => {
      running.once('close', () => resolve(false));
      publishQos1(running, `xm/v1/${SERVER}/down/S-0`, new Uint8Array([1])).then(
        () => resolve(true),
        () => resolve(false),
      );
    });
    expect(await stillUp).toBe(true);
  });

  it('reports a changed password as updated, and the broker takes the new one only', async () => {
    const oldPassword = secret();
    await admin.provisionServer('other', 'xmserver-other', oldPassword);
    const newPassword = secret();
    expect(
      await admin.provisionServer('other', 'xmserver-other', newPassword, 'xmserver', { dryRun: true }),
    ).toEqual({ username: 'xmserver-other', action: 'updated', changes: ['password'] });
    await login('xmserver-other', oldPassword, 'still-old'); // the dry run changed nothing
    expect(await admin.provisionServer('other', 'xmserver-other', newPassword)).toEqual({
      username: 'xmserver-other',
      action: 'updated',
      changes: ['password'],
    });
    await expect(login('xmserver-other', oldPassword, 'old')).rejects.toMatchObject({
      code: 'NOT_AUTHORIZED',
    });
    await login('xmserver-other', newPassword, 'new');
    expect((await admin.provisionServer('other', 'xmserver-other', newPassword)).action).toBe('unchanged');
  });

  it('puts back what someone changed by hand: ACLs, role, client id, status; and only that', async () => {
    const password = secret();
    await admin.provisionServer(SERVER, 'xmserver', password);
    const role = serverRoleName(SERVER);
    await admin.run([
      {
        command: 'removeRoleACL',
        rolename: role,
        acltype: 'publishClientSend',
        topic: `xm/v1/${SERVER}/down/+`,
      },
      { command: 'addRoleACL', rolename: role, acltype: 'subscribePattern', topic: '#', allow: true },
      { command: 'removeClientRole', username: 'xmserver', rolename: role },
      { command: 'setClientId', username: 'xmserver', clientid: 'pinned' },
      { command: 'disableClient', username: 'xmserver' },
    ]);
    const outcome = await admin.provisionServer(SERVER, 'xmserver', password);
    expect(outcome.action).toBe('updated');
    // A disabled account cannot prove its password by logging in: it is set again.
    expect([...outcome.changes].sort()).toEqual(['acls', 'client-id', 'enabled', 'password', 'role-granted']);
    expect(sorted((await admin.getRole(role))?.acls ?? [])).toEqual(sorted(serverAcls(SERVER)));
    expect(await admin.getClient('xmserver')).toEqual({
      username: 'xmserver',
      disabled: false,
      roles: [role],
    });
    expect((await admin.provisionServer(SERVER, 'xmserver', password)).action).toBe('unchanged');
  });

  it('a site: created, then unchanged; disabled, enabled and deleted once each, then nothing more to do', async () => {
    const password = secret();
    expect((await admin.provisionSite(SERVER, 'S-1', password)).action).toBe('created');
    expect(await admin.provisionSite(SERVER, 'S-1', password, { existingPassword: 'keep' })).toEqual({
      username: 'S-1',
      action: 'unchanged',
      changes: [],
    });
    // By default the given password is set again: said so, since the plugin cannot tell.
    expect((await admin.provisionSite(SERVER, 'S-1', password)).changes).toEqual(['password']);
    await login('S-1', password, 'S-1');

    expect(await admin.disableSite('S-1')).toEqual({
      username: 'S-1',
      action: 'updated',
      changes: ['disabled'],
    });
    expect((await admin.disableSite('S-1')).action).toBe('unchanged');
    expect(await admin.enableSite('S-1')).toEqual({
      username: 'S-1',
      action: 'updated',
      changes: ['enabled'],
    });
    expect((await admin.enableSite('S-1')).action).toBe('unchanged');

    // An ACL allowed by hand where the site should be refused: put back to exactly its own.
    await admin.run([
      {
        command: 'removeRoleACL',
        rolename: siteRoleName(SERVER, 'S-1'),
        acltype: 'publishClientSend',
        topic: `xm/v1/${SERVER}/up/S-1`,
      },
      {
        command: 'addRoleACL',
        rolename: siteRoleName(SERVER, 'S-1'),
        acltype: 'publishClientSend',
        topic: `xm/v1/${SERVER}/up/S-1`,
        allow: false,
      },
    ]);
    expect(
      await admin.provisionSite(SERVER, 'S-1', password, { existingPassword: 'keep', enabled: true }),
    ).toEqual({ username: 'S-1', action: 'updated', changes: ['acls'] });
    expect(sorted((await admin.getRole(siteRoleName(SERVER, 'S-1')))?.acls ?? [])).toEqual(
      sorted(siteAcls(SERVER, 'S-1')),
    );

    expect((await admin.deleteSite(SERVER, 'S-1')).action).toBe('deleted');
    expect(await admin.deleteSite(SERVER, 'S-1')).toEqual({ username: 'S-1', action: 'absent', changes: [] });
    expect(await admin.getRole(siteRoleName(SERVER, 'S-1'))).toBeUndefined();
    expect(await admin.disableSite('S-1')).toEqual({ username: 'S-1', action: 'absent', changes: [] });
  });

  it('finishes an account left half made (a role without its client) instead of failing on it', async () => {
    await admin.run([{ command: 'createRole', rolename: siteRoleName(SERVER, 'S-2') }]);
    const outcome = await admin.provisionSite(SERVER, 'S-2', secret());
    expect(outcome.action).toBe('created');
    expect(sorted((await admin.getRole(siteRoleName(SERVER, 'S-2')))?.acls ?? [])).toEqual(
      sorted(siteAcls(SERVER, 'S-2')),
    );
  });

  it("creates broker test's account limited to its topics; run again it only sets the new password", async () => {
    expect((await admin.provisionTestAccount(SERVER, secret())).action).toBe('created');
    expect(sorted((await admin.getRole(testAccountName(SERVER)))?.acls ?? [])).toEqual(
      sorted(testAcls(SERVER)),
    );
    expect((await admin.disableTestAccount(SERVER)).changes).toEqual(['disabled']);
    expect(await admin.provisionTestAccount(SERVER, secret())).toEqual({
      username: testAccountName(SERVER),
      action: 'updated',
      changes: ['password', 'enabled'],
    });
  });

  it('lists every account and role with their state', async () => {
    const clients = await admin.listClients();
    expect(clients.map((c) => c.username)).toEqual(expect.arrayContaining(['admin', 'xmserver', 'S-2']));
    const roles = await admin.listRoles();
    expect(roles.find((r) => r.rolename === siteRoleName(SERVER, 'S-2'))?.acls).toHaveLength(3);
  });
});
