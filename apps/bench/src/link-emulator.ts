import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { TokenBucket } from './token-bucket.js';

/** A satellite terminal as the benchmark emulates it. Rates are the terminal's, in bits per second. */
export interface LinkProfile {
  readonly name: string;
  readonly upBitsPerSecond: number;
  readonly downBitsPerSecond: number;
  /** Round trip of the link alone; each direction gets half. */
  readonly rttMs: number;
}

export interface LinkOptions {
  readonly profile: LinkProfile;
  /** Where the site's connections go (the broker). Only loopback addresses are used by the benchmarks. */
  readonly target: { readonly host: string; readonly port: number };
  /**
   * Probability that a segment is lost. TCP hides a loss as a stall of the whole direction for a
   * retransmission timeout, then sends the segment again (its bytes count twice).
   */
  readonly loss?: number;
  /** The retransmission timeout of a loss (default max(1 s, 2 x RTT), Linux's RTO floor is 200 ms + RTT). */
  readonly stallMs?: number;
  /** IPv4 + TCP header bytes charged per segment (default 52: 20 + 20 + 12 of timestamps). */
  readonly headerBytes?: number;
  /** Largest segment payload (default 1,400). */
  readonly segmentBytes?: number;
  /** What the terminal buffers per direction before it stops reading (default 32 KiB). */
  readonly bufferBytes?: number;
  readonly random?: () => number;
}

export interface DirectionCounters {
  /** TCP payload bytes carried (MQTT, or TLS records). */
  payloadBytes: number;
  segments: number;
  /** Segments sent twice after an emulated loss. */
  retransmissions: number;
}

export interface LinkCounters {
  readonly up: DirectionCounters;
  readonly down: DirectionCounters;
  readonly connections: number;
  readonly drops: number;
}

interface Pending {
  readonly data: Buffer;
}

interface InFlight {
  readonly data: Buffer;
  /** performance.now() at which the far end receives it. */
  readonly at: number;
}

/** One direction of one connection: bucket, buffer with back-pressure, constant one-way delay. */
class Direction {
  readonly #queue: Pending[] = [];
  #queued = 0;
  #pumping = false;
  #notBefore = 0;
  #closed = false;
  // Delivery goes through one FIFO so that timer jitter can never reorder the byte stream (TCP does not).
  readonly #inFlight: InFlight[] = [];
  #lastArrival = 0;
  #deliveryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly bucket: TokenBucket,
    private readonly counters: DirectionCounters,
    private readonly options: Required<Omit<LinkOptions, 'profile' | 'target'>> & { oneWayMs: number },
  ) {
    from.on('data', (chunk: Buffer) => {
      for (let offset = 0; offset < chunk.length; offset += options.segmentBytes) {
        const data = chunk.subarray(offset, offset + options.segmentBytes);
        this.#queue.push({ data });
        this.#queued += data.length;
      }
      if (this.#queued > options.bufferBytes) from.pause();
      this.#pump();
    });
  }

  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#inFlight.length = 0;
    clearTimeout(this.#deliveryTimer);
  }

  #pump(): void {
    if (this.#pumping || this.#closed) return;
    const next = this.#queue[0];
    if (!next) return;
    const cost = next.data.length + this.options.headerBytes;
    const wait = Math.max(this.bucket.waitFor(cost), this.#notBefore - performance.now());
    if (wait > 0) {
      this.#pumping = true;
      setTimeout(() => {
        this.#pumping = false;
        this.#pump();
      }, wait);
      return;
    }
    this.#queue.shift();
    this.#queued -= next.data.length;
    if (this.#queued <= this.options.bufferBytes / 2 && this.from.isPaused()) this.from.resume();
    let delay = this.options.oneWayMs;
    if (this.options.loss > 0 && this.options.random() < this.options.loss) {
      // The segment goes twice and everything behind it waits for the retransmission (head-of-line).
      this.bucket.take(cost);
      this.counters.retransmissions += 1;
      this.#notBefore = performance.now() + this.options.stallMs;
      delay += this.options.stallMs;
    }
    this.bucket.take(cost);
    this.counters.payloadBytes += next.data.length;
    this.counters.segments += 1;
    this.#lastArrival = Math.max(performance.now() + delay, this.#lastArrival);
    this.#inFlight.push({ data: next.data, at: this.#lastArrival });
    this.#scheduleDelivery();
    this.#pump();
  }

  #scheduleDelivery(): void {
    if (this.#deliveryTimer || this.#closed) return;
    const first = this.#inFlight[0];
    if (!first) return;
    this.#deliveryTimer = setTimeout(
      () => {
        this.#deliveryTimer = undefined;
        this.#deliver();
      },
      Math.max(0, first.at - performance.now()),
    );
  }

  #deliver(): void {
    // Timers fire up to a millisecond early or late; anything due within that is handed over now.
    const now = performance.now() + 1;
    while (!this.#closed && (this.#inFlight[0]?.at ?? Number.POSITIVE_INFINITY) <= now) {
      const due = this.#inFlight.shift() as InFlight;
      if (!this.to.destroyed) this.to.write(due.data);
    }
    this.#scheduleDelivery();
  }
}

/**
 * A throttling TCP proxy that stands for a satellite terminal between a site and the broker: a
 * token bucket per direction at the terminal's rates, half the round trip as a constant delay each
 * way, optional loss (as TCP's head-of-line stall) and link drops on demand. It counts the bytes it
 * carries. Used where `tc netem` is not available (it is not in this machine's kernel).
 */
export class LinkEmulator {
  readonly #server: Server;
  readonly #options: LinkOptions;
  readonly #sockets = new Set<Socket>();
  readonly #up: DirectionCounters = { payloadBytes: 0, segments: 0, retransmissions: 0 };
  readonly #down: DirectionCounters = { payloadBytes: 0, segments: 0, retransmissions: 0 };
  // The terminal's rate is shared by every connection through it, as on the real link.
  readonly #upBucket: TokenBucket;
  readonly #downBucket: TokenBucket;
  #connections = 0;
  #drops = 0;

  private constructor(server: Server, options: LinkOptions) {
    this.#server = server;
    this.#options = options;
    const burst = (options.segmentBytes ?? 1400) + (options.headerBytes ?? 52);
    this.#upBucket = new TokenBucket({
      rateBitsPerSecond: options.profile.upBitsPerSecond,
      burstBytes: burst,
    });
    this.#downBucket = new TokenBucket({
      rateBitsPerSecond: options.profile.downBitsPerSecond,
      burstBytes: burst,
    });
    server.on('connection', (site) => this.#accept(site));
  }

  static async start(options: LinkOptions): Promise<LinkEmulator> {
    const server = createServer();
    const link = new LinkEmulator(server, options);
    await new Promise<void>((resolvePromise, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolvePromise());
    });
    return link;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** `mqtt://127.0.0.1:{port}`: where the site connects instead of the broker. */
  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  counters(): LinkCounters {
    return {
      up: { ...this.#up },
      down: { ...this.#down },
      connections: this.#connections,
      drops: this.#drops,
    };
  }

  /** Cuts every connection through the link at once, as a lost satellite lock does. */
  drop(): void {
    this.#drops += 1;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolvePromise) => this.#server.close(() => resolvePromise()));
  }

  #accept(site: Socket): void {
    this.#connections += 1;
    const broker = connect(this.#options.target.port, this.#options.target.host);
    site.setNoDelay(true);
    broker.setNoDelay(true);
    const options = {
      loss: this.#options.loss ?? 0,
      stallMs: this.#options.stallMs ?? Math.max(1000, 2 * this.#options.profile.rttMs),
      headerBytes: this.#options.headerBytes ?? 52,
      segmentBytes: this.#options.segmentBytes ?? 1400,
      bufferBytes: this.#options.bufferBytes ?? 32 * 1024,
      random: this.#options.random ?? Math.random,
      oneWayMs: this.#options.profile.rttMs / 2,
    };
    const up = new Direction(site, broker, this.#upBucket, this.#up, options);
    const down = new Direction(broker, site, this.#downBucket, this.#down, options);
    const end = () => {
      up.close();
      down.close();
      site.destroy();
      broker.destroy();
      this.#sockets.delete(site);
      this.#sockets.delete(broker);
    };
    for (const socket of [site, broker]) {
      this.#sockets.add(socket);
      socket.on('error', end);
      socket.on('close', end);
    }
  }
}
