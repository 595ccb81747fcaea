import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkEmulator } from './link-emulator.js';

const fast = { name: 'test', upBitsPerSecond: 50_000_000, downBitsPerSecond: 80_000_000, rttMs: 4 };

async function echoServer(): Promise<Server> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  return server;
}

function readExactly(socket: Socket, length: number): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    socket.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      total += chunk.length;
      if (total >= length) resolvePromise(Buffer.concat(parts));
    });
    socket.on('error', reject);
  });
}

describe('LinkEmulator', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('carries bytes intact both ways, in order, and counts them', async () => {
    const echo = await echoServer();
    cleanups.push(() => new Promise<void>((r) => echo.close(() => r())));
    const link = await LinkEmulator.start({
      profile: fast,
      target: { host: '127.0.0.1', port: (echo.address() as AddressInfo).port },
    });
    cleanups.push(() => link.close());
    const socket = connect(link.port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    const sent = randomBytes(200_000); // more than the buffer: exercises back-pressure
    const received = readExactly(socket, sent.length);
    socket.write(sent);
    expect(Buffer.compare(await received, sent)).toBe(0);
    const counters = link.counters();
    expect(counters.up.payloadBytes).toBe(sent.length);
    expect(counters.down.payloadBytes).toBe(sent.length);
    expect(counters.up.segments).toBeGreaterThanOrEqual(Math.ceil(sent.length / 1400));
    expect(counters.connections).toBe(1);
  });

  it('still delivers everything when segments are lost, and counts the retransmissions', async () => {
    const echo = await echoServer();
    cleanups.push(() => new Promise<void>((r) => echo.close(() => r())));
    let draws = 0;
    const link = await LinkEmulator.start({
      profile: fast,
      target: { host: '127.0.0.1', port: (echo.address() as AddressInfo).port },
      loss: 0.5,
      stallMs: 5,
      random: () => (draws++ % 4 === 0 ? 0 : 0.9), // one segment in four is lost
    });
    cleanups.push(() => link.close());
    const socket = connect(link.port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    const sent = randomBytes(14_000);
    const received = readExactly(socket, sent.length);
    socket.write(sent);
    expect(Buffer.compare(await received, sent)).toBe(0);
    const { up, down } = link.counters();
    expect(up.retransmissions + down.retransmissions).toBeGreaterThan(0);
    expect(up.retransmissions + down.retransmissions).toBe(Math.ceil((up.segments + down.segments) / 4));
  });

  it('drop cuts the connections through it; a new connection works again', async () => {
    const echo = await echoServer();
    cleanups.push(() => new Promise<void>((r) => echo.close(() => r())));
    const link = await LinkEmulator.start({
      profile: fast,
      target: { host: '127.0.0.1', port: (echo.address() as AddressInfo).port },
    });
    cleanups.push(() => link.close());
    const first = connect(link.port, '127.0.0.1');
    await new Promise((r) => first.once('connect', r));
    const closed = new Promise((r) => first.once('close', r));
    await new Promise((r) => setTimeout(r, 20));
    link.drop();
    await closed;
    const second = connect(link.port, '127.0.0.1');
    cleanups.push(() => void second.destroy());
    const echoed = readExactly(second, 3);
    second.write('abc');
    expect((await echoed).toString()).toBe('abc');
    expect(link.counters()).toMatchObject({ connections: 2, drops: 1 });
  });
});
