/** A counting semaphore: at most `limit` holders at once, the rest wait in order. */
export class Semaphore {
  #limit: number;
  #held = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('semaphore limit must be a positive integer');
    this.#limit = limit;
  }

  get held(): number {
    return this.#held;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Changes the limit; holders above a lowered limit finish, new ones wait. */
  setLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('semaphore limit must be a positive integer');
    this.#limit = limit;
    this.#wake();
  }

  acquire(): Promise<void> {
    if (this.#held < this.#limit) {
      this.#held += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.#waiting.push(() => {
        this.#held += 1;
        resolve();
      }),
    );
  }

  release(): void {
    if (this.#held === 0) throw new Error('semaphore released more often than acquired');
    this.#held -= 1;
    this.#wake();
  }

  #wake(): void {
    while (this.#held < this.#limit && this.#waiting.length > 0) this.#waiting.shift()!();
  }
}
