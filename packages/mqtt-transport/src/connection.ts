import * as net from 'node:net';
import * as tls from 'node:tls';
import { DefaultMessageIdProvider, type IConnackPacket, type IPublishPacket, MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { describeReasonCode, TransportError } from './errors.js';

/** How to reach and log in to a broker; shared by the site, the server and the broker test. */
export interface BrokerOptions {
  /** `mqtt://host:port` or `mqtts://host:port` (TLS). */
  url: string;
  username?: string;
  password?: string;
  /**
   * PEM of the CA that signed the broker's certificate. When given, it is the only CA
   * trusted for this connection (pinned); the system store is not consulted.
   */
  ca?: string | Uint8Array;
  /** PEM client certificate and key, for brokers that authenticate sites by certificate. */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  /** 5 (default) or 4 (MQTT 3.1.1, for the embedded broker). */
  protocolVersion?: 4 | 5;
  /** Seconds between keepalive pings when the link is idle (default 120: satellite links bill every byte). */
  keepaliveSeconds?: number;
  /** How long to wait for the broker's CONNACK (default 30,000 ms; satellite round trips are slow). */
  connectTimeoutMs?: number;
  /** Source address of the TCP connection (benchmarks spread many clients over 127.0.0.x). */
  localAddress?: string;
}

export interface SessionOptions {
  clientId: string;
  /** false keeps the broker-side session (subscriptions and queued QoS 1 messages) across connections. */
  clean: boolean;
  /** MQTT 5: how long the broker keeps the session after the link drops. */
  sessionExpirySeconds?: number;
  /** MQTT 5: how many QoS 1 messages the broker may push to us before our acknowledgements. */
  receiveMaximum?: number;
  /**
   * Called for every message received; the PUBACK goes out only after it resolves. If it
   * rejects, no PUBACK is sent and the connection is cut, so the broker delivers the
   * message again on the next connection.
   */
  onMessage?: (topic: string, payload: Uint8Array, packet: IPublishPacket) => Promise<void>;
  /**
   * Called once the CONNECT is on its way, before the CONNACK: the caller may then pipeline one
   * QoS 1 PUBLISH behind it (`EarlyPublish`) instead of waiting a round trip for the CONNACK.
   */
  onConnectSent?: (early: EarlyPublish) => void;
}

/**
 * One QoS 1 PUBLISH written right behind the CONNECT, before the CONNACK. MQTT allows it (3.1.1
 * and 5, section 3.1.4: "Clients are allowed to send further Control Packets immediately after
 * sending a CONNECT packet; Clients need not wait for a CONNACK"; a broker that refuses the
 * CONNECT processes nothing sent after it). MQTT.js does not: it holds every publish until the
 * CONNACK, so this one is encoded by mqtt-packet (MQTT.js's own encoder) and written to the socket
 * with a packet id MQTT.js never hands out; its PUBACK is matched here.
 */
export interface EarlyPublish {
  /**
   * Resolves at the PUBACK with whether the CONNACK said the session was present (a publish
   * pipelined into a new session went before any SUBSCRIBE could); rejects with PUBLISH_FAILED for
   * a refusing PUBACK, NOT_CONNECTED when the connection ends first or the CONNACK refuses, and
   * INVALID_OPTIONS when called twice or after the CONNACK.
   */
  publish(topic: string, payload: Uint8Array): Promise<{ sessionPresent: boolean }>;
}

/** The packet id of the early publish; MQTT.js's ids skip it. */
const earlyPacketId = 65_535;

/** MQTT.js's sequence of packet ids, without the early publish's. */
class IdsBesidesEarly extends DefaultMessageIdProvider {
  override allocate(): number {
    const id = super.allocate();
    return id === earlyPacketId ? super.allocate() : id;
  }
  override register(messageId: number): boolean {
    return messageId !== earlyPacketId && super.register(messageId);
  }
}

function earlyPublisher(client: MqttClient, protocolVersion: 4 | 5): EarlyPublish {
  let used = false;
  let sessionPresent = false;
  client.once('connect', (connack) => {
    sessionPresent = connack.sessionPresent;
  });
  return {
    publish(topic, payload) {
      if (used || client.connected || !client.stream)
        return Promise.reject(new TransportError('INVALID_OPTIONS', 'one early publish, before the CONNACK'));
      used = true;
      return new Promise((resolve, reject) => {
        const settle = () => {
          client.removeListener('packetreceive', onPacket);
          client.removeListener('close', onClose);
        };
        const onPacket = (packet: mqttPacket.Packet) => {
          if (packet.cmd !== 'puback' || packet.messageId !== earlyPacketId) return;
          settle();
          const code = packet.reasonCode ?? 0;
          if (code >= 0x80)
            reject(
              new TransportError('PUBLISH_FAILED', `${code} (${describeReasonCode(code)})`, {
                reasonCode: code,
              }),
            );
          else resolve({ sessionPresent });
        };
        const onClose = () => {
          settle();
          reject(new TransportError('NOT_CONNECTED', `early publish to ${topic}`));
        };
        client.on('packetreceive', onPacket);
        client.once('close', onClose);
        const packet = mqttPacket.generate(
          {
            cmd: 'publish',
            topic,
            payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
            qos: 1,
            messageId: earlyPacketId,
            retain: false,
            dup: false,
          },
          { protocolVersion },
        );
        client.stream.write(packet);
      });
    },
  };
}

export interface Connection {
  client: MqttClient;
  connack: IConnackPacket;
  /** How many of our QoS 1 publishes the broker accepts in flight (its Receive Maximum). */
  brokerReceiveMaximum: number;
}

interface ParsedUrl {
  secure: boolean;
  host: string;
  port: number;
}

function parseBrokerUrl(url: string): ParsedUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TransportError('INVALID_OPTIONS', `broker url ${JSON.stringify(url)}`, { cause });
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const secure = scheme === 'mqtts' || scheme === 'ssl' || scheme === 'tls';
  if (!secure && scheme !== 'mqtt' && scheme !== 'tcp') {
    throw new TransportError('INVALID_OPTIONS', `unsupported scheme ${scheme}`);
  }
  if (parsed.username || parsed.password) {
    // A password inside a URL ends up in logs and process listings.
    throw new TransportError('INVALID_OPTIONS', 'put credentials in username/password, not in the url');
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : secure ? 8883 : 1883;
  return { secure, host, port };
}

function toText(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value);
}

/** The reason a CONNACK or a connection error gives, as one of our codes. */
function connectError(error: unknown): TransportError {
  const code = (error as { code?: unknown } | null)?.code;
  // MQTT.js gives a refusing CONNACK's reason code as a number; socket and TLS errors have string codes.
  if (typeof code === 'number') {
    const detail = `broker answered ${code} (${describeReasonCode(code)})`;
    // MQTT 5 134 bad credentials, 135 not authorized; MQTT 3.1.1 4 and 5.
    const refused = code === 134 || code === 135 || code === 4 || code === 5;
    return new TransportError(refused ? 'NOT_AUTHORIZED' : 'CONNECT_REFUSED', detail, {
      cause: error,
      reasonCode: code,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new TransportError('CONNECT_FAILED', detail, { cause: error });
}

/**
 * One connection attempt, never retried here: reconnects belong to the caller, with
 * backoff and jitter. MQTT.js's own reconnect is off (`reconnectPeriod: 0`) and each
 * attempt gets a fresh client, so nothing MQTT.js queued on a dead link is replayed: the
 * caller's durable outbox is the only queue.
 */
export function openConnection(options: BrokerOptions, session: SessionOptions): Promise<Connection> {
  const { secure, host, port } = parseBrokerUrl(options.url);
  const protocolVersion = options.protocolVersion ?? 5;
  const streamBuilder = () => {
    const socket = net.createConnection({ host, port, localAddress: options.localAddress });
    if (!secure) return socket;
    return tls.connect({
      socket,
      host,
      servername: net.isIP(host) ? undefined : host,
      ca: options.ca === undefined ? undefined : [toText(options.ca)],
      cert: options.cert === undefined ? undefined : toText(options.cert),
      key: options.key === undefined ? undefined : toText(options.key),
      rejectUnauthorized: true,
    });
  };
  const properties: Record<string, number> = {};
  if (protocolVersion === 5) {
    if (session.sessionExpirySeconds !== undefined)
      properties.sessionExpiryInterval = session.sessionExpirySeconds;
    if (session.receiveMaximum !== undefined) properties.receiveMaximum = session.receiveMaximum;
  }
  const client = new MqttClient(streamBuilder, {
    protocolVersion,
    clientId: session.clientId,
    clean: session.clean,
    keepalive: options.keepaliveSeconds ?? 120,
    connectTimeout: options.connectTimeoutMs ?? 30_000,
    reconnectPeriod: 0,
    reconnectOnConnackError: false,
    manualConnect: true,
    resubscribe: false,
    messageIdProvider: new IdsBesidesEarly(),
    autoAssignTopicAlias: protocolVersion === 5,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(protocolVersion === 5 ? { properties } : {}),
  });
  const onConnectSent = session.onConnectSent;
  if (onConnectSent) {
    // 'packetsend' comes just before MQTT.js writes the packet: the early publish goes after it.
    client.once('packetsend', (packet) => {
      if (packet.cmd === 'connect')
        queueMicrotask(() => onConnectSent(earlyPublisher(client, protocolVersion)));
    });
  }
  const onMessage = session.onMessage;
  client.handleMessage = (packet, callback) => {
    if (!onMessage) return callback();
    // MQTT.js holds the PUBACK, and the packets behind it, until this callback runs.
    onMessage(packet.topic.toString(), packet.payload as Buffer, packet).then(
      () => callback(),
      (cause) => {
        client.emit('error', new TransportError('HANDLER_FAILED', undefined, { cause }));
        client.end(true);
        callback(cause instanceof Error ? cause : new Error(String(cause)));
      },
    );
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () => fail(new TransportError('TIMEOUT', `no CONNACK from ${host}:${port}`)),
      (options.connectTimeoutMs ?? 30_000) + 1_000,
    );
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end(true);
      reject(TransportError.isInstance(error) ? error : connectError(error));
    };
    client.once('connect', (connack) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeListener('error', fail);
      client.removeListener('close', onClose);
      client.on('error', () => {
        // Errors after CONNACK end in 'close', which the caller watches.
      });
      resolve({
        client,
        connack,
        brokerReceiveMaximum: connack.properties?.receiveMaximum ?? 65_535,
      });
    });
    const onClose = () => fail(new TransportError('CONNECT_FAILED', `connection to ${host}:${port} closed`));
    client.on('error', fail);
    client.once('close', onClose);
    client.connect();
  });
}

/** Publishes with QoS 1 and resolves at the broker's PUBACK. */
export function publishQos1(client: MqttClient, topic: string, payload: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    client.publish(
      topic,
      Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
      { qos: 1 },
      (error) => {
        if (error) {
          // A PUBACK's refusal comes with its reason code (MQTT 5 only).
          const code = (error as { code?: unknown }).code;
          reject(
            new TransportError('PUBLISH_FAILED', error.message, {
              cause: error,
              ...(typeof code === 'number' ? { reasonCode: code } : {}),
            }),
          );
        } else resolve();
      },
    );
  });
}

/**
 * Subscribes with QoS 1 and resolves at a SUBACK that grants it; a refusal (a SUBACK code of
 * 128 and up) rejects with SUBSCRIBE_REFUSED and the broker's reason code.
 */
export function subscribeQos1(client: MqttClient, topic: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.subscribe(topic, { qos: 1 }, (error, _granted, suback) => {
      const code = suback?.granted[0];
      if (typeof code === 'number' && code < 128) resolve();
      else if (typeof code === 'number') {
        reject(
          new TransportError('SUBSCRIBE_REFUSED', `${topic}: ${code} (${describeReasonCode(code)})`, {
            cause: error ?? undefined,
            reasonCode: code,
          }),
        );
      } else {
        // No SUBACK: the connection closed or the request never left.
        reject(new TransportError('NOT_CONNECTED', `subscribe ${topic}`, { cause: error ?? undefined }));
      }
    });
  });
}

/**
 * Closes a connection, politely (DISCONNECT, so the broker drops no will and keeps the
 * session) when it can, and resolves when the socket is gone. A broker that does not let
 * the polite close finish within `graceMs` gets the socket closed under it.
 */
export function closeConnection(client: MqttClient, force = false, graceMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = force ? undefined : setTimeout(() => client.end(true, {}, () => resolve()), graceMs);
    client.end(force, {}, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
