import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { type Backoff, type BackoffOptions, createBackoff } from './backoff.js';
import {
  type BrokerOptions,
  closeConnection,
  type EarlyPublish,
  openConnection,
  publishQos1,
  subscribeQos1,
} from './connection.js';
import { TransportError } from './errors.js';
import type { InboxSink, OutboxSource } from './interfaces.js';
import { downTopic, upTopic, validateName } from './topics.js';

export interface SiteTransportOptions extends BrokerOptions {
  /** The server name in the topics (`xm/v1/{server}/...`). */
  server: string;
  /** This site's matricule: its client id, its username unless one is given, and its topics. */
  matricule: string;
  outbox: OutboxSource;
  inbox: InboxSink;
  /** Most publishes waiting for their PUBACK at once (default 16); the broker's Receive Maximum caps it too. */
  window?: number;
  /** How often the outbox is polled when nobody calls `wake()` (default 30,000 ms). */
  pollIntervalMs?: number;
  /** MQTT 5: how long the broker keeps this site's session and its queued down messages (default 7 days). */
  sessionExpirySeconds?: number;
  /**
   * Reconnect delays (default base 10 s, max 5 min). The first attempt after a broker
   * restart is spread over `baseMs`: with 100,000 sites and 10 s, about 10,000 connects
   * per second; raise it for bigger fleets or smaller brokers.
   */
  reconnect?: BackoffOptions;
  /**
   * Whether an earlier process of this site got the broker's SUBACK for its down topic in the
   * session the broker keeps (the app remembers the `subscribed` event): a session the broker says
   * is present then needs no SUBSCRIBE, one round trip less on every start. By default only this
   * process's own subscription counts.
   */
  sessionSubscribed?: () => boolean | Promise<boolean>;
}

/**
 * A connection that lasted this long, or that carried a container or a down message, counts as
 * good: the next reconnect starts from the base delay.
 */
const STABLE_MS = 30_000;

export type SiteTransportState = 'stopped' | 'connecting' | 'connected' | 'waiting';

export interface SiteTransportEvents {
  state: [state: SiteTransportState];
  sent: [id: string];
  received: [topic: string];
  error: [error: TransportError];
  /** A reconnect is scheduled in `delayMs`. */
  reconnect: [delayMs: number, attempt: number];
  /** The broker granted the down subscription (SUBACK) in this site's persistent session. */
  subscribed: [];
  /** The site has no down subscription it can count on (no session at the broker, or a SUBSCRIBE that failed). */
  unsubscribed: [];
}

/**
 * A site's MQTT link: it drains the outbox over a bounded window of QoS 1 publishes and
 * writes down messages to the inbox before acknowledging them. It keeps a persistent
 * session (clean start off) so the broker holds down messages while the site is away,
 * and it reconnects by itself with exponential backoff and full jitter.
 */
export class SiteTransport extends EventEmitter<SiteTransportEvents> {
  readonly #options: SiteTransportOptions;
  readonly #upTopic: string;
  readonly #downTopic: string;
  readonly #backoff: Backoff;
  readonly #inFlight = new Set<string>();
  #state: SiteTransportState = 'stopped';
  #client: MqttClient | undefined;
  #window: number;
  #generation = 0;
  #pumping = false;
  #pumpAgain = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #connectedAt = 0;
  /** Something went through on this connection (a PUBACK, or a down message stored). */
  #progressed = false;
  #subscribed = false;
  #pollTimer: NodeJS.Timeout | undefined;
  /** The PUBLISH that may still go behind this attempt's CONNECT, before its CONNACK. */
  #early: { generation: number; publisher: EarlyPublish } | undefined;
  #earlyBusy = false;

  constructor(options: SiteTransportOptions) {
    super();
    const matricule = validateName(options.matricule);
    if (!matricule.ok) throw matricule.error;
    this.#options = options;
    this.#upTopic = upTopic(options.server, options.matricule);
    this.#downTopic = downTopic(options.server, options.matricule);
    this.#window = options.window ?? 16;
    if (!Number.isInteger(this.#window) || this.#window < 1) {
      throw new TransportError('INVALID_OPTIONS', 'window must be a positive integer');
    }
    this.#backoff = createBackoff({ baseMs: 10_000, ...options.reconnect });
  }

  get matricule(): string {
    return this.#options.matricule;
  }

  get state(): SiteTransportState {
    return this.#state;
  }

  /** Publishes in flight now (for monitors). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Starts connecting; resolves at once, the link comes up in the background. */
  start(): void {
    if (this.#state !== 'stopped') return;
    this.#connect();
    const poll = this.#options.pollIntervalMs ?? 30_000;
    this.#pollTimer = setInterval(() => this.wake(), poll);
    this.#pollTimer.unref();
  }

  /** Resolves when connected (or rejects with CLOSED if stopped first). */
  waitConnected(): Promise<void> {
    if (this.#state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onState = (state: SiteTransportState) => {
        if (state === 'connected') {
          this.off('state', onState);
          resolve();
        } else if (state === 'stopped') {
          this.off('state', onState);
          reject(new TransportError('CLOSED'));
        }
      };
      this.on('state', onState);
    });
  }

  /** The outbox has new items: send them now rather than at the next poll. */
  wake(): void {
    if (this.#state === 'connected') void this.#pump();
    else if (this.#state === 'connecting') void this.#publishEarly();
  }

  /** Stops the link; items in flight stay in the outbox and go again next time. */
  async stop(): Promise<void> {
    this.#generation += 1;
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#pollTimer);
    const client = this.#client;
    this.#client = undefined;
    this.#inFlight.clear();
    this.#setState('stopped');
    if (client) await closeConnection(client);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #setState(state: SiteTransportState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }

  /**
   * Reports an error of the client of `generation`. A client that stop() (or a newer attempt) has
   * ended is no news: whatever it does on its way out, a reset socket or a SUBSCRIBE left without
   * its SUBACK, is the end asked for, not a failure of the link.
   */
  #fail(
    generation: number,
    error: unknown,
    code: 'CONNECT_FAILED' | 'PUBLISH_FAILED' | 'HANDLER_FAILED' = 'CONNECT_FAILED',
  ): void {
    if (generation !== this.#generation) return;
    const wrapped = TransportError.isInstance(error)
      ? error
      : new TransportError(code, undefined, { cause: error });
    if (this.listenerCount('error') > 0) this.emit('error', wrapped);
  }

  #connect(): void {
    const generation = ++this.#generation;
    this.#setState('connecting');
    const username = this.#options.username ?? this.#options.matricule;
    openConnection(
      { ...this.#options, username },
      {
        clientId: this.#options.matricule,
        clean: false,
        sessionExpirySeconds: this.#options.sessionExpirySeconds ?? 7 * 24 * 3600,
        receiveMaximum: 8,
        onConnectSent: (publisher) => {
          if (generation !== this.#generation) return;
          this.#early = { generation, publisher };
          void this.#publishEarly();
        },
        onMessage: async (topic, payload) => {
          if (topic !== this.#downTopic) return; // not ours: acknowledge and drop
          await this.#options.inbox.store(topic, payload);
          this.#progressed = true;
          this.emit('received', topic);
        },
      },
    ).then(
      async ({ client, connack, brokerReceiveMaximum }) => {
        if (generation !== this.#generation) {
          await closeConnection(client, true);
          return;
        }
        this.#client = client;
        this.#early = undefined;
        this.#window = Math.min(this.#options.window ?? 16, brokerReceiveMaximum);
        client.on('error', (error) => this.#fail(generation, error));
        client.once('close', () => this.#lost(generation));
        // A resumed session keeps its subscription: no SUBSCRIBE when the broker says the session
        // is present and this process, or an earlier one of the site (`sessionSubscribed`), got its
        // SUBACK. Otherwise the SUBSCRIBE goes first and the publishes follow without waiting for
        // the SUBACK (one round trip less): the broker handles a connection's packets in order, so
        // the subscription exists before the server can answer; a refusal ends the connection, and
        // what was answered meanwhile is answered again when the container goes again.
        // A session the broker does not have any more has no subscription, whatever was granted
        // before: forgotten here and by the site ('unsubscribed') until a new SUBACK, so that a
        // SUBSCRIBE cut short by the link is sent again on the next connection.
        if (!connack.sessionPresent) {
          this.#subscribed = false;
          this.emit('unsubscribed');
        }
        const remembered = async () => {
          try {
            return (await this.#options.sessionSubscribed?.()) === true;
          } catch {
            return false; // the site could not say: subscribe again, which is always safe
          }
        };
        const resumed = connack.sessionPresent && (this.#subscribed || (await remembered()));
        if (generation !== this.#generation) return;
        if (!resumed) {
          subscribeQos1(client, this.#downTopic).then(
            () => {
              if (generation !== this.#generation) return;
              this.#subscribed = true;
              this.emit('subscribed');
            },
            (error: unknown) => {
              if (generation !== this.#generation) return;
              this.#subscribed = false;
              this.emit('unsubscribed');
              this.#fail(generation, error); // SUBSCRIBE_REFUSED with the broker's reason code, or the link lost
              client.end(true); // 'close' schedules the next attempt, with backoff
            },
          );
        }
        if (generation !== this.#generation) return;
        this.#connectedAt = Date.now();
        this.#setState('connected');
        void this.#pump();
      },
      (error) => {
        if (generation !== this.#generation) return;
        this.#early = undefined;
        this.#fail(generation, error);
        this.#scheduleReconnect();
      },
    );
  }

  /**
   * The first container goes right behind the CONNECT (one round trip less on every start), when
   * the site counts on a session at the broker that holds its down subscription: otherwise its
   * receipt could come before the SUBSCRIBE that follows the CONNACK. A CONNACK saying the session
   * is gone makes it go again after the SUBSCRIBE (the server acknowledges a duplicate again).
   */
  async #publishEarly(): Promise<void> {
    const early = this.#early;
    if (!early || this.#earlyBusy) return;
    this.#earlyBusy = true;
    try {
      const { generation, publisher } = early;
      let subscribed = this.#subscribed;
      if (!subscribed) {
        try {
          subscribed = (await this.#options.sessionSubscribed?.()) === true;
        } catch {
          subscribed = false;
        }
      }
      if (!subscribed) {
        this.#early = undefined;
        return;
      }
      const [item] = await this.#options.outbox.nextBatch(1, this.#inFlight);
      // Nothing sealed yet (a wake() brings it), or the CONNACK came meanwhile: the usual path.
      if (!item || this.#early !== early || generation !== this.#generation) return;
      this.#early = undefined;
      this.#inFlight.add(item.id);
      publisher.publish(this.#upTopic, item.payload).then(
        async ({ sessionPresent }) => {
          if (generation !== this.#generation) return;
          if (!sessionPresent) {
            this.#inFlight.delete(item.id);
            void this.#pump();
            return;
          }
          try {
            await this.#options.outbox.markSent(item.id);
            this.#progressed = true;
            this.emit('sent', item.id);
          } catch (error) {
            this.#fail(generation, error, 'PUBLISH_FAILED');
          } finally {
            this.#inFlight.delete(item.id);
            void this.#pump();
          }
        },
        (error: unknown) => {
          if (generation !== this.#generation) return;
          this.#inFlight.delete(item.id);
          // Refused before the CONNACK: the connection's own failure says so. After it: a refusing PUBACK.
          if (this.#state === 'connected') this.#fail(generation, error, 'PUBLISH_FAILED');
          void this.#pump();
        },
      );
    } catch (error) {
      this.#fail(early.generation, error, 'PUBLISH_FAILED');
    } finally {
      this.#earlyBusy = false;
    }
  }

  #lost(generation: number): void {
    if (generation !== this.#generation) return;
    this.#client = undefined;
    // Only a connection that held or did useful work resets the delay, so a broker that
    // accepts and drops at once does not get every site back in the first window again and
    // again; but a satellite link cut every few seconds, across which containers still get
    // through, must not push the site to the five-minute ceiling.
    const held = this.#connectedAt > 0 && Date.now() - this.#connectedAt >= STABLE_MS;
    if (held || this.#progressed) this.#backoff.reset();
    this.#connectedAt = 0;
    this.#progressed = false;
    // Items in flight were not marked sent, so the outbox offers them again after reconnecting.
    this.#inFlight.clear();
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const delay = this.#backoff.next();
    this.#setState('waiting');
    this.emit('reconnect', delay, this.#backoff.attempt);
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        await this.#fill();
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  async #fill(): Promise<void> {
    const generation = this.#generation;
    while (this.#state === 'connected' && generation === this.#generation) {
      const room = this.#window - this.#inFlight.size;
      if (room <= 0) return;
      let batch: readonly { id: string; payload: Uint8Array }[];
      try {
        batch = await this.#options.outbox.nextBatch(room, this.#inFlight);
      } catch (error) {
        this.#fail(generation, error, 'PUBLISH_FAILED');
        return;
      }
      const client = this.#client;
      if (batch.length === 0 || !client || generation !== this.#generation) return;
      for (const item of batch.slice(0, room)) {
        if (this.#inFlight.has(item.id)) continue;
        this.#inFlight.add(item.id);
        publishQos1(client, this.#upTopic, item.payload).then(
          async () => {
            if (generation !== this.#generation) return;
            try {
              await this.#options.outbox.markSent(item.id);
              this.#progressed = true;
              this.emit('sent', item.id);
            } catch (error) {
              this.#fail(generation, error, 'PUBLISH_FAILED');
            } finally {
              this.#inFlight.delete(item.id);
              void this.#pump();
            }
          },
          (error) => {
            if (generation !== this.#generation) return;
            this.#inFlight.delete(item.id);
            this.#fail(generation, error, 'PUBLISH_FAILED');
          },
        );
      }
    }
  }
}
