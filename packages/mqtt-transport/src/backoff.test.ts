import { describe, expect, it } from 'vitest';
import { createBackoff, seededRandom } from './backoff.js';

describe('backoff with full jitter', () => {
  it('doubles the ceiling on each attempt up to the maximum, and starts over after reset', () => {
    // random() = 0.999... shows the ceiling itself.
    const backoff = createBackoff({ baseMs: 1_000, maxMs: 10_000, random: () => 0.9999999 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([999, 1_999, 3_999, 7_999, 9_999, 9_999]);
    backoff.reset();
    expect(backoff.next()).toBe(999);
  });

  it('spreads 10,000 sites that lost the broker at the same instant over the whole window', () => {
    const random = seededRandom(20260101);
    const sites = Array.from({ length: 10_000 }, () =>
      createBackoff({ baseMs: 2_000, maxMs: 300_000, random }),
    );
    // Third attempt after a broker restart: ceiling 8 s.
    for (const site of sites) {
      site.next();
      site.next();
    }
    const delays = sites.map((site) => site.next());
    const buckets = new Array(8).fill(0) as number[];
    for (const delay of delays) buckets[Math.floor(delay / 1_000)]! += 1;
    // Uniform over [0, 8 s): each 1 s bucket near 1,250; lockstep would pile them in one.
    for (const count of buckets) {
      expect(count).toBeGreaterThan(1_100);
      expect(count).toBeLessThan(1_400);
    }
    expect(Math.max(...delays)).toBeLessThan(8_000);
    expect(new Set(delays).size).toBeGreaterThan(3_000);
  });

  it('replays the same delays from the same seed', () => {
    const run = () => {
      const backoff = createBackoff({ random: seededRandom(7) });
      return [backoff.next(), backoff.next(), backoff.next()];
    };
    expect(run()).toEqual(run());
    expect(createBackoff({ random: seededRandom(8) }).next()).not.toBe(run()[0]);
  });

  it('refuses a base above the maximum', () => {
    expect(() => createBackoff({ baseMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});
