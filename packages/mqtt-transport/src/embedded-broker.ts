import { createServer, type Server } from 'node:net';
import type { AuthenticateError } from 'aedes';
import { TransportError } from './errors.js';
import { downTopic, parseUpTopic, upTopic, upWildcard, validateName } from './topics.js';

export interface EmbeddedBrokerAccess {
  server: string;
  /** The username of the server's processes; every other username is a site matricule. */
  serverUsername: string;
  verify(username: string, password: Buffer): boolean | Promise<boolean>;
}

export interface EmbeddedBrokerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * When given, the same rules as the Mosquitto setup: a site logs in with its matricule
   * as username and client id, publishes only to its up topic and subscribes only to its
   * down topic; the server's account reads every up topic and writes every down topic.
   */
  access?: EmbeddedBrokerAccess;
}

export interface EmbeddedBroker {
  /** `mqtt://host:port`; connect with `protocolVersion: 4`. */
  url: string;
  port: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function refused(): AuthenticateError {
  return Object.assign(new Error('bad username or password'), { returnCode: 4 }) as AuthenticateError;
}

/**
 * An MQTT 3.1.1 broker in this process (aedes), for the demo and one-process installs.
 * No shared subscriptions and no MQTT 5, so one server process only; a national
 * deployment uses Mosquitto or EMQX (docs/broker-setup.md).
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const access = options.access;
  if (access && !validateName(access.server).ok) throw new TransportError('INVALID_NAME', access.server);
  // Loaded here: every importer of this package would otherwise load the broker at start.
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker(
    access
      ? {
          authenticate: (client, username, password, done) => {
            if (username === undefined || password === undefined) return done(refused(), false);
            // The client id is bound to the username, so one site cannot take over another's session.
            if (username !== access.serverUsername && client.id !== username) return done(refused(), false);
            Promise.resolve(access.verify(username, password)).then(
              (ok) => done(ok ? null : refused(), ok),
              () => done(refused(), false),
            );
          },
          authorizePublish: (client, packet, callback) => {
            const username = (client as { username?: string } | null)?.username;
            if (!client) return callback(null);
            const allowed =
              username === access.serverUsername
                ? packet.topic.startsWith(`xm/v1/${access.server}/down/`)
                : username !== undefined &&
                  validateName(username).ok &&
                  packet.topic === upTopic(access.server, username);
            // MQTT 3.1.1 has no way to refuse a publish: aedes drops the client instead.
            callback(allowed ? null : new Error('publish not allowed'));
          },
          authorizeSubscribe: (client, subscription, callback) => {
            const username = (client as { username?: string }).username;
            const allowed =
              username === access.serverUsername
                ? subscription.topic === upWildcard(access.server)
                : username !== undefined &&
                  validateName(username).ok &&
                  subscription.topic === downTopic(access.server, username);
            // A null subscription is refused in the SUBACK (0x80); an error would drop the link.
            callback(null, allowed ? subscription : null);
          },
          authorizeForward: (client, packet) => {
            const username = (client as { username?: string }).username;
            if (username === access.serverUsername)
              return parseUpTopic(access.server, packet.topic).ok ? packet : null;
            return username !== undefined && packet.topic === `xm/v1/${access.server}/down/${username}`
              ? packet
              : null;
          },
        }
      : {},
  );
  // aedes keeps the authenticated username on the client only through this event's arguments.
  if (access) {
    const original = broker.authenticate;
    broker.authenticate = (client, username, password, done) =>
      original.call(broker, client, username, password, (error, ok) => {
        if (ok) (client as { username?: string }).username = username;
        done(error, ok);
      });
  }
  const server: Server = createServer(broker.handle);
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (cause) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw new TransportError('BROKER_START_FAILED', undefined, { cause });
  }
  // Once listening, an error is a refused accept (EMFILE): the server keeps listening and the
  // client tries again. Without a listener it would end the process.
  server.on('error', () => {});
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `mqtt://${host}:${port}`, port, close, [Symbol.asyncDispose]: close };
}
