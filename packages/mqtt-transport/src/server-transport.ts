import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { MqttClient } from 'mqtt';
import { type Backoff, type BackoffOptions, createBackoff } from './backoff.js';
import {
  type BrokerOptions,
  closeConnection,
  openConnection,
  publishQos1,
  subscribeQos1,
} from './connection.js';
import { TransportError } from './errors.js';
import type { ContainerHandler } from './interfaces.js';
import { Semaphore } from './semaphore.js';
import { downTopic, parseUpTopic, sharedUpSubscription, upWildcard, validateName } from './topics.js';

export interface ServerTransportOptions extends BrokerOptions {
  server: string;
  handler: ContainerHandler;
  /**
   * Connections this process opens, all members of the shared subscription (default 1).
   * MQTT.js hands a connection's messages to the handler one at a time, acknowledging
   * each after the handler resolves, so this is also how many containers this process
   * handles at once.
   */
  connections?: number;
  /**
   * Subscribe through `$share/{group}/...` (MQTT 5, default). Off for brokers without
   * shared subscriptions (the embedded aedes broker); then only one connection, in one
   * process, may subscribe, or each container would be handled once per subscriber.
   */
  shared?: boolean;
  group?: string;
  /** Most down messages waiting for their PUBACK at once, over all connections (default 64). */
  window?: number;
  /** How many messages the broker may push ahead of our acknowledgements, per connection (default 16). */
  receiveMaximum?: number;
  /** Client ids are `{clientIdPrefix}-{n}`; keep them stable so persistent sessions are found again. */
  clientIdPrefix?: string;
  /**
   * MQTT 5: how long the broker keeps a connection's session, with the containers queued for it
   * (default 1 hour). 0: no session at all (clean start), for processes whose client ids are not
   * reused, where a kept session would only hold containers back from the other processes.
   */
  sessionExpirySeconds?: number;
  /** Reconnect delays (default base 1 s, max 1 min: a few server processes, not a fleet). */
  reconnect?: BackoffOptions;
}

export interface ServerTransportEvents {
  container: [matricule: string];
  rejected: [topic: string, error: TransportError];
  error: [error: TransportError];
  connected: [index: number];
  disconnected: [index: number];
}

interface Link {
  index: number;
  /** Receiving links subscribe; the one sending link only publishes. */
  role: 'receive' | 'send';
  clientId: string;
  client: MqttClient | undefined;
  backoff: Backoff;
  generation: number;
  timer: NodeJS.Timeout | undefined;
  connectedAt: number;
  /** This process has seen the subscription granted once (a resumed session keeps it). */
  subscribed: boolean;
}

/**
 * The server's MQTT side: receives every site's containers through a shared subscription
 * (any number of processes share the load, in no order per site) and sends down messages
 * to one site at a time, with a cap on its own publishes in flight because MQTT.js does
 * not honour the broker's Receive Maximum.
 */
export class ServerTransport extends EventEmitter<ServerTransportEvents> {
  readonly #options: ServerTransportOptions;
  readonly #links: Link[] = [];
  readonly #sender: Link;
  readonly #window: Semaphore;
  #running = false;

  constructor(options: ServerTransportOptions) {
    super();
    const server = validateName(options.server);
    if (!server.ok) throw server.error;
    const shared = options.shared ?? true;
    const connections = options.connections ?? 1;
    if (!Number.isInteger(connections) || connections < 1) {
      throw new TransportError('INVALID_OPTIONS', 'connections must be a positive integer');
    }
    if (!shared && connections > 1) {
      throw new TransportError('INVALID_OPTIONS', 'several connections need a shared subscription');
    }
    if (shared && options.protocolVersion === 4) {
      throw new TransportError('INVALID_OPTIONS', 'shared subscriptions need MQTT 5');
    }
    this.#options = { ...options, shared, connections };
    this.#window = new Semaphore(options.window ?? 64);
    const prefix = options.clientIdPrefix ?? `xmserver-${options.server}-${hostname()}`.slice(0, 60);
    const link = (index: number, role: Link['role'], clientId: string): Link => ({
      index,
      role,
      clientId,
      client: undefined,
      backoff: createBackoff({ baseMs: 1_000, maxMs: 60_000, ...options.reconnect }),
      generation: 0,
      timer: undefined,
      connectedAt: 0,
      subscribed: false,
    });
    for (let index = 0; index < connections; index += 1)
      this.#links.push(link(index, 'receive', `${prefix}-${index}`));
    // Down messages go out on a connection of their own: MQTT.js holds a connection's
    // incoming packets, PUBACKs included, while a handler runs, so a handler that awaited
    // send() on its own connection would wait for itself forever.
    this.#sender = link(connections, 'send', `${prefix}-send`);
    this.#links.push(this.#sender);
  }

  /** Receiving connections up now. */
  get connected(): number {
    return this.#links.filter((link) => link.role === 'receive' && link.client?.connected).length;
  }

  /**
   * Opens every connection and resolves when all are up. Rejects, and stops, when the
   * broker refuses the account (NOT_AUTHORIZED) or the subscription (SUBSCRIBE_REFUSED):
   * retrying would not help. Other failures are retried with backoff while this waits.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    let refuse: (error: TransportError) => void = () => {};
    const refused = new Promise<never>((_, reject) => {
      refuse = reject;
    });
    const onError = (error: TransportError) => {
      if (error.code === 'NOT_AUTHORIZED' || error.code === 'SUBSCRIBE_REFUSED') refuse(error);
    };
    this.on('error', onError);
    // One listener for all links: one per link would trip EventEmitter's leak warning from 11 on.
    const waiting = new Set(this.#links.map((link) => link.index));
    let allUp: () => void = () => {};
    const up = new Promise<void>((resolve) => {
      allUp = resolve;
    });
    const onConnected = (index: number) => {
      waiting.delete(index);
      if (waiting.size === 0) allUp();
    };
    this.on('connected', onConnected);
    try {
      for (const link of this.#links) this.#connect(link);
      await Promise.race([refused, up]);
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      this.off('error', onError);
      this.off('connected', onConnected);
    }
  }

  /**
   * Publishes one down message to a site with QoS 1; resolves at the broker's PUBACK.
   * Rejects with NOT_CONNECTED when no connection is up: the caller's outbox keeps it.
   */
  async send(matricule: string, payload: Uint8Array): Promise<void> {
    const topic = downTopic(this.#options.server, matricule);
    if (!this.#running) throw new TransportError('CLOSED');
    await this.#window.acquire();
    try {
      const client = this.#sender.client;
      if (!client?.connected) throw new TransportError('NOT_CONNECTED');
      await publishQos1(client, topic, payload);
    } finally {
      this.#window.release();
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(
      this.#links.map(async (link) => {
        link.generation += 1;
        clearTimeout(link.timer);
        const client = link.client;
        link.client = undefined;
        if (client) await closeConnection(client);
      }),
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Reports an error of the link's client of `generation`; one that stop() has ended is no news. */
  #report(link: Link, generation: number, error: unknown): void {
    if (generation !== link.generation) return;
    const wrapped = TransportError.isInstance(error)
      ? error
      : new TransportError('CONNECT_FAILED', undefined, { cause: error });
    if (this.listenerCount('error') > 0) this.emit('error', wrapped);
  }

  #connect(link: Link): void {
    const generation = ++link.generation;
    const options = this.#options;
    const receiving = link.role === 'receive';
    openConnection(options, {
      clientId: link.clientId,
      // The sending link keeps nothing at the broker: the caller's outbox is the queue. A
      // receiving link with no session expiry keeps nothing either, and says so with a clean
      // start, so that MQTT 3.1.1 brokers (which know no expiry) do not keep it forever.
      clean: !receiving || options.sessionExpirySeconds === 0,
      ...(receiving
        ? {
            sessionExpirySeconds: options.sessionExpirySeconds ?? 3600,
            receiveMaximum: options.receiveMaximum ?? 16,
          }
        : {}),
      onMessage: async (topic, payload) => {
        const matricule = parseUpTopic(options.server, topic);
        if (!matricule.ok) {
          // Nothing a handler could do with it: acknowledge so it is not delivered again.
          this.emit('rejected', topic, matricule.error);
          return;
        }
        await options.handler.onContainer(matricule.value, payload);
        this.emit('container', matricule.value);
      },
    }).then(
      async ({ client, connack }) => {
        if (generation !== link.generation) {
          await closeConnection(client, true);
          return;
        }
        link.client = client;
        client.on('error', (error) => this.#report(link, generation, error));
        client.once('close', () => {
          if (generation !== link.generation) return;
          link.client = undefined;
          // Only a connection that held resets the delay (see SiteTransport).
          if (link.connectedAt > 0 && Date.now() - link.connectedAt >= 30_000) link.backoff.reset();
          link.connectedAt = 0;
          this.emit('disconnected', link.index);
          this.#retry(link);
        });
        if (receiving && (!connack.sessionPresent || !link.subscribed)) {
          const filter = options.shared
            ? sharedUpSubscription(options.server, options.group)
            : upWildcard(options.server);
          // A refusal (SUBSCRIBE_REFUSED, with the broker's reason code) makes start() give up; a
          // connection lost before the SUBACK is retried like any other.
          const failure = await subscribeQos1(client, filter).then(
            () => undefined,
            (error: unknown) => error,
          );
          if (failure !== undefined) {
            this.#report(link, generation, failure);
            client.end(true);
            return;
          }
          link.subscribed = true;
        }
        link.connectedAt = Date.now();
        this.emit('connected', link.index);
      },
      (error) => {
        if (generation !== link.generation) return;
        this.#report(link, generation, error);
        this.#retry(link);
      },
    );
  }

  #retry(link: Link): void {
    if (!this.#running) return;
    link.timer = setTimeout(() => this.#connect(link), link.backoff.next());
  }
}
