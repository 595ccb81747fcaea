/**
 * A token bucket in bytes: `rateBitsPerSecond` refills it, `burstBytes` caps it. The clock is
 * passed in so that tests can drive it; the link emulator uses `performance.now()`.
 */
export class TokenBucket {
  readonly #bytesPerMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(options: { rateBitsPerSecond: number; burstBytes: number; now?: () => number }) {
    if (!(options.rateBitsPerSecond > 0) || !(options.burstBytes > 0))
      throw new RangeError('rate and burst must be positive');
    this.#bytesPerMs = options.rateBitsPerSecond / 8 / 1000;
    this.#burst = options.burstBytes;
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = options.burstBytes;
    this.#at = this.#now();
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#bytesPerMs);
    this.#at = now;
  }

  /** Bytes that may leave now (whole bytes). */
  available(): number {
    this.#refill();
    return Math.max(0, Math.floor(this.#tokens));
  }

  /** Spends `bytes` tokens; the bucket may go negative, which delays whatever comes next. */
  take(bytes: number): void {
    this.#refill();
    this.#tokens -= bytes;
  }

  /** Milliseconds until `bytes` (at most the burst) may leave. */
  waitFor(bytes: number): number {
    this.#refill();
    const missing = Math.min(bytes, this.#burst) - this.#tokens;
    return missing <= 0 ? 0 : Math.ceil(missing / this.#bytesPerMs);
  }
}
