import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConnection, openConnection } from '../src/connection.js';
import { createDynamicSecurityConfig, DynamicSecurityAdmin } from '../src/dynamic-security.js';
import { TransportError } from '../src/errors.js';
import { ServerTransport } from '../src/server-transport.js';
import { downTopic, upTopic } from '../src/topics.js';
import { mosquittoAvailable, type RunningMosquitto, startMosquitto } from './helpers/mosquitto.js';

const SERVER = 'srv';
const secret = () => randomBytes(18).toString('base64url');
const passwords = { admin: secret(), server: secret(), S001: secret(), S002: secret() };

describe.skipIf(!mosquittoAvailable())('broker security with the dynamic security plugin', () => {
  let broker: RunningMosquitto;
  let admin: DynamicSecurityAdmin;
  let server: ServerTransport;
  const received: { matricule: string; text: string }[] = [];
  const clients: MqttClient[] = [];

  async function site(matricule: string, password: string, clientId = matricule): Promise<MqttClient> {
    const { client } = await openConnection(
      { url: broker.url, username: matricule, password },
      { clientId, clean: true },
    );
    clients.push(client);
    return client;
  }

  /** The SUBACK's code: the granted QoS, or 128 and up for a refusal (135: not authorized). */
  function subscribe(client: MqttClient, topic: string): Promise<number> {
    return new Promise((resolve, reject) =>
      client.subscribe(topic, { qos: 1 }, (error, _granted, suback) =>
        suback?.granted[0] === undefined ? reject(error) : resolve(suback.granted[0] as number),
      ),
    );
  }

  function publish(client: MqttClient, topic: string, text: string): Promise<void> {
    return new Promise((resolve) => client.publish(topic, text, { qos: 1 }, () => resolve()));
  }

  async function until(condition: () => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  beforeAll(async () => {
    broker = await startMosquitto({
      dynamicSecurity: createDynamicSecurityConfig({
        adminUsername: 'admin',
        adminPassword: passwords.admin,
      }),
    });
    admin = await DynamicSecurityAdmin.connect({
      url: broker.url,
      username: 'admin',
      password: passwords.admin,
    });
    await admin.provisionServer(SERVER, 'xmserver', passwords.server);
    await admin.provisionSite(SERVER, 'S001', passwords.S001);
    await admin.provisionSite(SERVER, 'S002', passwords.S002);
    server = new ServerTransport({
      url: broker.url,
      username: 'xmserver',
      password: passwords.server,
      server: SERVER,
      clientIdPrefix: 'xmserver-test',
      handler: {
        async onContainer(matricule, payload) {
          received.push({ matricule, text: Buffer.from(payload).toString() });
        },
      },
    });
    await server.start();
  });

  afterAll(async () => {
    for (const client of clients) await closeConnection(client, true);
    await server?.stop();
    await admin?.close();
    await broker?.stop();
  });

  it('lets a site publish to its own up topic, and the server receives it through the shared group', async () => {
    const s1 = await site('S001', passwords.S001);
    await publish(s1, upTopic(SERVER, 'S001'), 'hello');
    await until(() => received.some((r) => r.matricule === 'S001' && r.text === 'hello'));
  });

  it('refuses to start a server process whose account the broker rejects, instead of retrying forever', async () => {
    const wrong = new ServerTransport({
      url: broker.url,
      username: 'xmserver',
      password: 'not-the-password',
      server: SERVER,
      clientIdPrefix: 'xmserver-wrong',
      handler: { async onContainer() {} },
    });
    await expect(wrong.start()).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    expect(wrong.connected).toBe(0);
  });

  it('refuses to start a server process whose subscription the broker refuses, and says so', async () => {
    await admin.run([{ command: 'createClient', username: 'no-rights', password: passwords.server }]);
    const refused = new ServerTransport({
      url: broker.url,
      username: 'no-rights',
      password: passwords.server,
      server: SERVER,
      clientIdPrefix: 'xmserver-no-rights',
      handler: { async onContainer() {} },
    });
    await expect(refused.start()).rejects.toMatchObject({ code: 'SUBSCRIBE_REFUSED', reasonCode: 135 });
    expect(refused.connected).toBe(0);
  });

  it('refuses a wrong password and a client id that is not the username', async () => {
    await expect(site('S001', 'wrong-password')).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(site('S002', passwords.S002, 'S001')).rejects.toSatisfy(TransportError.isInstance);
  });

  it("does not let a site subscribe to another site's down topic, or to any wildcard", async () => {
    const s2 = await site('S002', passwords.S002);
    expect(await subscribe(s2, downTopic(SERVER, 'S001'))).toBe(135);
    expect(await subscribe(s2, `xm/v1/${SERVER}/down/+`)).toBe(135);
    expect(await subscribe(s2, '#')).toBe(135);
    expect(await subscribe(s2, downTopic(SERVER, 'S002'))).toBe(1);
  });

  it("never delivers one site's down messages to another", async () => {
    const s1 = await site('S001', passwords.S001);
    const s2 = await site('S002', passwords.S002);
    const got1: string[] = [];
    const got2: string[] = [];
    s1.on('message', (_topic, payload) => got1.push(payload.toString()));
    s2.on('message', (_topic, payload) => got2.push(payload.toString()));
    expect(await subscribe(s1, downTopic(SERVER, 'S001'))).toBe(1);
    expect(await subscribe(s2, downTopic(SERVER, 'S002'))).toBe(1);
    await subscribe(s2, downTopic(SERVER, 'S001')); // refused, as above
    await server.send('S001', Buffer.from('for S001'));
    await server.send('S002', Buffer.from('for S002'));
    await until(() => got1.length === 1 && got2.length === 1);
    expect(got1).toEqual(['for S001']);
    expect(got2).toEqual(['for S002']);
  });

  it('does not let a site publish as another: its publish to the other up topic never reaches the server', async () => {
    const s2 = await site('S002', passwords.S002);
    await publish(s2, upTopic(SERVER, 'S001'), 'forged');
    await publish(s2, upTopic(SERVER, 'S002'), 'marker');
    await until(() => received.some((r) => r.text === 'marker'));
    expect(received.filter((r) => r.text === 'forged')).toEqual([]);
    expect(received.find((r) => r.text === 'marker')?.matricule).toBe('S002');
  });

  it("does not let a site join the server's shared group and take a share of the uplink", async () => {
    const s2 = await site('S002', passwords.S002);
    const stolen: string[] = [];
    s2.on('message', (_topic, payload) => stolen.push(payload.toString()));
    expect(await subscribe(s2, `$share/xmserver/xm/v1/${SERVER}/up/+`)).toBe(135);
    expect(await subscribe(s2, `$share/other/xm/v1/${SERVER}/up/+`)).toBe(135);
    const s1 = await site('S001', passwords.S001);
    for (let index = 0; index < 20; index += 1) await publish(s1, upTopic(SERVER, 'S001'), `share-${index}`);
    await until(() => received.filter((r) => r.text.startsWith('share-')).length === 20);
    expect(stolen).toEqual([]);
  });

  it('cuts a disabled site off at once, refuses it until enabled, and a deleted site for good', async () => {
    const s1 = await site('S001', passwords.S001);
    const closed = new Promise<void>((resolve) => s1.once('close', () => resolve()));
    await admin.disableSite('S001');
    await closed;
    await expect(site('S001', passwords.S001)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await admin.enableSite('S001');
    await site('S001', passwords.S001);
    await admin.provisionSite(SERVER, 'S003', passwords.S001);
    await site('S003', passwords.S001);
    await admin.deleteSite(SERVER, 'S003');
    await expect(site('S003', passwords.S001)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
  });
});
