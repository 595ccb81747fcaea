import type { InboxSink, OutboxItem, OutboxSource } from './interfaces.js';

/**
 * An outbox held in memory, for tests and the demo only: it is lost when the process
 * stops. The real one is the outbox table of status-sync.
 */
export class InMemoryOutbox implements OutboxSource {
  readonly #payloads = new Map<string, Uint8Array>();
  readonly #sends = new Map<string, number>();
  // Not yet taken by the broker, oldest first.
  readonly #unsent = new Set<string>();
  // Taken by the broker, waiting for a receipt: id -> when, oldest first (re-marking moves it last).
  readonly #sent = new Map<string, number>();
  readonly #resendAfterMs: number;
  readonly #now: () => number;
  #next = 1;

  /** `resendAfterMs`: how long a sent item waits for its receipt before it is due again. */
  constructor(options: { resendAfterMs?: number; now?: () => number } = {}) {
    this.#resendAfterMs = options.resendAfterMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  add(payload: Uint8Array, id = String(this.#next++)): string {
    this.#payloads.set(id, payload);
    this.#unsent.add(id);
    return id;
  }

  async nextBatch(limit: number, exclude: ReadonlySet<string>): Promise<readonly OutboxItem[]> {
    const now = this.#now();
    const due: OutboxItem[] = [];
    const take = (id: string) => {
      if (due.length < limit && !exclude.has(id)) due.push({ id, payload: this.#payloads.get(id)! });
    };
    for (const [id, sentAt] of this.#sent) {
      if (due.length >= limit || now - sentAt < this.#resendAfterMs) break;
      take(id);
    }
    for (const id of this.#unsent) {
      if (due.length >= limit) break;
      take(id);
    }
    return due;
  }

  async markSent(id: string): Promise<void> {
    if (!this.#payloads.has(id)) return;
    this.#unsent.delete(id);
    this.#sent.delete(id);
    this.#sent.set(id, this.#now());
    this.#sends.set(id, (this.#sends.get(id) ?? 0) + 1);
  }

  /** The server's receipt arrived: the item is done and leaves the outbox. */
  acknowledge(id: string): boolean {
    this.#unsent.delete(id);
    this.#sent.delete(id);
    this.#sends.delete(id);
    return this.#payloads.delete(id);
  }

  /** How many times the broker took this item (more than 1 means it was re-sent). */
  sends(id: string): number {
    return this.#sends.get(id) ?? 0;
  }

  get size(): number {
    return this.#payloads.size;
  }

  /** Items the broker has not taken yet. */
  get unsent(): number {
    return this.#unsent.size;
  }
}

/** An inbox held in memory, for tests and the demo only. */
export class InMemoryInbox implements InboxSink {
  readonly messages: { topic: string; payload: Uint8Array }[] = [];
  readonly #waiters: { count: number; resolve: () => void }[] = [];

  async store(topic: string, payload: Uint8Array): Promise<void> {
    this.messages.push({ topic, payload });
    for (const waiter of [...this.#waiters]) {
      if (this.messages.length >= waiter.count) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves once `count` messages are stored. */
  waitFor(count: number): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}
