/** A source of numbers in [0, 1); `Math.random` by default, seeded in tests. */
export type RandomSource = () => number;

export interface BackoffOptions {
  /** First ceiling of the delay, in ms (default 2,000). */
  baseMs?: number;
  /** Largest ceiling, in ms (default 300,000: five minutes). */
  maxMs?: number;
  random?: RandomSource;
}

export interface Backoff {
  /** The delay before the next attempt; each call doubles the ceiling up to `maxMs`. */
  next(): number;
  /** After a good connection: the next delay starts from `baseMs` again. */
  reset(): void;
  readonly attempt: number;
}

/**
 * Exponential backoff with full jitter: the delay is drawn uniformly in
 * [0, min(max, base * 2^attempt)). After a broker restart, thousands of sites that lost
 * the link at the same instant spread their reconnects over the whole window instead of
 * coming back in waves (AWS Architecture Blog, "Exponential Backoff And Jitter").
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const baseMs = options.baseMs ?? 2_000;
  const maxMs = options.maxMs ?? 300_000;
  const random = options.random ?? Math.random;
  if (!(baseMs > 0) || !(maxMs >= baseMs)) throw new RangeError('backoff needs 0 < baseMs <= maxMs');
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
      attempt += 1;
      return Math.floor(random() * ceiling);
    },
    reset() {
      attempt = 0;
    },
    get attempt() {
      return attempt;
    },
  };
}

/** A small seeded generator (mulberry32), so a test can replay the same jitter. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
