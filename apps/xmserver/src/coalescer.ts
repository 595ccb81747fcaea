import { XmServerError } from './errors.js';

export interface CoalescerOptions<I, O> {
  /** Applies a batch: one result per item, in the items' order, or a rejection for the whole batch. */
  readonly apply: (items: readonly I[]) => Promise<readonly O[]>;
  /** Most items handed to one `apply` call. */
  readonly maxBatch: number;
  /** Batches applied at once (default 1); beyond the first, only full ones. */
  readonly maxInFlight?: number;
}

interface Waiting<I, O> {
  readonly item: I;
  readonly resolve: (result: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers items submitted concurrently into batches: whenever an applier is free it takes
 * everything queued (up to `maxBatch`) and applies it in one call, so the cost of a commit is
 * paid once per batch instead of once per item. Each `submit` settles only after its batch
 * settled: with status-sync's `applyBatch`, a container's promise resolves once its outcome is
 * committed, which is what lets the caller acknowledge it to the broker.
 *
 * A batch that fails is applied again one item at a time, so one container the database
 * cannot take (a poison container) fails alone instead of taking every container that
 * happened to arrive with it down again and again as they are redelivered. Applying again is
 * safe because applying is idempotent (a container applied before is answered as a duplicate,
 * with the same receipt). Items that still fail reject their `submit`, so they are never
 * acknowledged and come back: from the broker, or from the site, which resends until it gets
 * a receipt.
 */
export class Coalescer<I, O> {
  readonly #apply: (items: readonly I[]) => Promise<readonly O[]>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #queue: Waiting<I, O>[] = [];
  #inFlight = 0;
  #closed = false;
  readonly #idle: (() => void)[] = [];

  constructor(options: CoalescerOptions<I, O>) {
    const maxInFlight = options.maxInFlight ?? 1;
    for (const [name, value] of [
      ['maxBatch', options.maxBatch],
      ['maxInFlight', maxInFlight],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new XmServerError('invalid-argument', `${name} must be a positive integer`, {
          params: {
            name,
            value: String(value),
            hint: 'Expected a positive whole number.',
            hintFr: 'Nombre entier positif attendu.',
          },
        });
    }
    this.#apply = options.apply;
    this.#maxBatch = options.maxBatch;
    this.#maxInFlight = maxInFlight;
  }

  /** Items waiting for an applier. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Batches being applied. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Settles with the item's result once its batch settled; rejects with `stopping` after close(). */
  submit(item: I): Promise<O> {
    if (this.#closed) {
      return Promise.reject(new XmServerError('stopping', 'the service is stopping'));
    }
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#pump();
    });
  }

  /** Takes nothing more; resolves when everything already taken has settled. */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
      // Another batch starts beside a running one only when full: it is then decrypted and checked
      // while the running one is in the database. Started with whatever had just arrived, it would
      // be a batch of one or two, paying a transaction each.
      if (this.#inFlight > 0 && this.#queue.length < this.#maxBatch) break;
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#inFlight += 1;
      void this.#run(batch).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
        if (this.#inFlight === 0 && this.#queue.length === 0)
          for (const resolve of this.#idle.splice(0)) resolve();
      });
    }
  }

  async #run(batch: readonly Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.#applyChecked(batch);
      for (const [index, waiting] of batch.entries()) waiting.resolve(results[index] as O);
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
    }
    for (const waiting of batch) {
      try {
        const [result] = await this.#applyChecked([waiting]);
        waiting.resolve(result as O);
      } catch (error) {
        waiting.reject(error);
      }
    }
  }

  async #applyChecked(batch: readonly Waiting<I, O>[]): Promise<readonly O[]> {
    const results = await this.#apply(batch.map((waiting) => waiting.item));
    if (results.length !== batch.length)
      throw new XmServerError('internal', 'batch results do not match the batch', {
        params: { detail: `${results.length} results for ${batch.length} items` },
      });
    return results;
  }
}
