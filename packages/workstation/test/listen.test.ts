import { hostname } from 'node:os';
import { expect, test } from 'vitest';
import { listenWorkstation, untilAborted } from '../src/index.js';

/** A server that listens nowhere and reports the port a real one would have bound. */
const server = (port: number) => {
  const asked: { host: string; port: number }[] = [];
  return {
    asked,
    listen: async (options: { host: string; port: number }) => {
      asked.push(options);
    },
    server: { address: () => ({ address: '', family: 'IPv4', port }) },
  };
};

test('on the loopback it says where to browse, and that only this computer can reach it', async () => {
  const fastify = server(41_001);
  const listening = await listenWorkstation(fastify, '127.0.0.1', 0);
  expect(fastify.asked).toEqual([{ host: '127.0.0.1', port: 0 }]);
  expect(listening.url).toBe('http://127.0.0.1:41001');
  expect(listening.address).toEqual({
    en: 'Workstation UI at http://127.0.0.1:41001/',
    fr: "Interface des postes à l'adresse http://127.0.0.1:41001/",
  });
  expect(listening.note?.fr).toContain('seul cet ordinateur');
  expect(listening.warning).toBeUndefined();
});

test('on every address it names this server, and warns that passwords cross the LAN in plain http', async () => {
  const listening = await listenWorkstation(server(8080), '0.0.0.0', 8080);
  expect(listening.url).toBe(`http://${hostname()}:8080`);
  expect(listening.note).toBeUndefined();
  expect(listening.warning?.en).toContain('plain http on 0.0.0.0');
  expect(listening.warning?.fr).toContain('en clair');
  expect((await listenWorkstation(server(80), 'fe80::1', 80)).url).toBe('http://[fe80::1]:80');
});

test('serves until aborted', async () => {
  const stop = new AbortController();
  let done = false;
  const waiting = untilAborted(stop.signal).then(() => {
    done = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(done).toBe(false);
  stop.abort();
  await waiting;
  expect(done).toBe(true);
  await untilAborted(stop.signal);
});
