import * as net from 'node:net';

/** A loopback TCP proxy that counts the bytes each way and can cut every link it carries. */
export interface CountingProxy {
  url: string;
  port: number;
  /** Bytes from clients to the broker, and back, since start or the last reset. */
  readonly up: number;
  readonly down: number;
  reset(): void;
  /** MQTT packet types that went up, in order, on every connection (1 CONNECT, 3 PUBLISH, 8 SUBSCRIBE...). */
  readonly upPackets: readonly number[];
  /** Holding: nothing goes down to the clients until `release()` (a CONNACK still on its way). */
  release(): void;
  /** Destroys every connection, as a dropped satellite link would. */
  sever(): void;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Reads MQTT fixed headers from a byte stream: each packet's type, as whole packets arrive. */
function packetTypes(onType: (type: number) => void): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      let length = 0;
      let multiplier = 1;
      let offset = 1;
      for (;;) {
        const byte = buffered[offset];
        if (byte === undefined) return;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        offset += 1;
        if ((byte & 0x80) === 0) break;
      }
      if (buffered.length < offset + length) return;
      onType((buffered[0] ?? 0) >> 4);
      buffered = buffered.subarray(offset + length);
    }
  };
}

export async function startCountingProxy(
  target: { host: string; port: number },
  options: { holdDown?: boolean } = {},
): Promise<CountingProxy> {
  const sockets = new Set<net.Socket>();
  let up = 0;
  let down = 0;
  const upPackets: number[] = [];
  let holding = options.holdDown === true;
  const held: { client: net.Socket; chunk: Buffer }[] = [];
  const server = net.createServer((client) => {
    const broker = net.connect(target);
    sockets.add(client);
    sockets.add(broker);
    const readTypes = packetTypes((type) => upPackets.push(type));
    client.on('data', (chunk) => {
      up += chunk.length;
      readTypes(chunk);
      broker.write(chunk);
    });
    broker.on('data', (chunk) => {
      down += chunk.length;
      if (holding) held.push({ client, chunk });
      else client.write(chunk);
    });
    const end = () => {
      client.destroy();
      broker.destroy();
      sockets.delete(client);
      sockets.delete(broker);
    };
    client.on('close', end);
    broker.on('close', end);
    client.on('error', end);
    broker.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const sever = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const close = async () => {
    sever();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    get up() {
      return up;
    },
    get down() {
      return down;
    },
    upPackets,
    release() {
      holding = false;
      for (const { client, chunk } of held.splice(0)) if (!client.destroyed) client.write(chunk);
    },
    reset() {
      up = 0;
      down = 0;
    },
    sever,
    close,
    [Symbol.asyncDispose]: close,
  };
}
