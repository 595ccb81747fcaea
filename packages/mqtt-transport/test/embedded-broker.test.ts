import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConnection, openConnection } from '../src/connection.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../src/embedded-broker.js';
import { downTopic, upTopic } from '../src/topics.js';

const passwords: Record<string, string> = { xmserver: 'server-pw', S1: 'one-pw', S2: 'two-pw' };

describe('embedded broker with access rules', () => {
  let broker: EmbeddedBroker;
  const open: MqttClient[] = [];

  const connect = async (username: string, password = passwords[username] ?? '', clientId = username) => {
    const { client } = await openConnection(
      { url: broker.url, username, password, protocolVersion: 4 },
      { clientId, clean: true },
    );
    open.push(client);
    return client;
  };
  const subscribe = (client: MqttClient, topic: string) =>
    new Promise<number>((resolve) =>
      client.subscribe(topic, { qos: 1 }, (_error, _granted, suback) =>
        resolve(suback?.granted[0] as number),
      ),
    );

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      access: {
        server: 'srv',
        serverUsername: 'xmserver',
        verify: (username, password) => passwords[username] === password.toString(),
      },
    });
  });

  afterAll(async () => {
    for (const client of open) await closeConnection(client, true);
    await broker.close();
  });

  it('refuses a wrong password and a client id other than the matricule', async () => {
    await expect(connect('S1', 'bad')).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(connect('S2', passwords.S2, 'S1')).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
  });

  it("keeps a site to its own topics: another's down topic, wildcards and the up wildcard are refused", async () => {
    const s1 = await connect('S1');
    expect(await subscribe(s1, downTopic('srv', 'S1'))).toBe(1);
    expect(await subscribe(s1, downTopic('srv', 'S2'))).toBe(128);
    expect(await subscribe(s1, 'xm/v1/srv/up/+')).toBe(128);
    expect(await subscribe(s1, '#')).toBe(128);
  });

  it('never lets a forged up message reach the server', async () => {
    const server = await connect('xmserver');
    expect(await subscribe(server, 'xm/v1/srv/up/+')).toBe(1);
    const seen: string[] = [];
    server.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    const forger = await connect('S2');
    const dropped = new Promise<void>((resolve) => forger.once('close', () => resolve()));
    forger.publish(upTopic('srv', 'S1'), 'forged', { qos: 1 });
    await dropped; // MQTT 3.1.1 cannot refuse a publish: the broker drops the forger
    const s2 = await connect('S2');
    await new Promise<void>((resolve) =>
      s2.publish(upTopic('srv', 'S2'), 'marker', { qos: 1 }, () => resolve()),
    );
    const deadline = Date.now() + 5_000;
    while (!seen.some((line) => line.endsWith('marker')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(seen).toEqual([`${upTopic('srv', 'S2')} marker`]);
  });
});
