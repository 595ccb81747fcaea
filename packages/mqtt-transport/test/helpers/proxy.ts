import * as net from 'node:net';

/** A loopback TCP proxy that counts the bytes each way and can cut every link it carries. */
export interface CountingProxy {
  url: string;
  port: number;
  /** Bytes from clients to the broker, and back, since start or the last reset. */
  readonly up: number;
  readonly down: number;
  reset(): void;
  /** Destroys every connection, as a dropped satellite link would. */
  sever(): void;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startCountingProxy(target: { host: string; port: number }): Promise<CountingProxy> {
  const sockets = new Set<net.Socket>();
  let up = 0;
  let down = 0;
  const server = net.createServer((client) => {
    const broker = net.connect(target);
    sockets.add(client);
    sockets.add(broker);
    client.on('data', (chunk) => {
      up += chunk.length;
    });
    broker.on('data', (chunk) => {
      down += chunk.length;
    });
    client.pipe(broker);
    broker.pipe(client);
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
    reset() {
      up = 0;
      down = 0;
    },
    sever,
    close,
    [Symbol.asyncDispose]: close,
  };
}
