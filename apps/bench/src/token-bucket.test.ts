import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  const clock = () => {
    let now = 0;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('starts full and refills at the rate, never above the burst', () => {
    const time = clock();
    const bucket = new TokenBucket({ rateBitsPerSecond: 8000, burstBytes: 500, now: time.now });
    expect(bucket.available()).toBe(500);
    bucket.take(500);
    expect(bucket.available()).toBe(0);
    time.advance(100); // 8,000 bit/s = 1 byte per ms
    expect(bucket.available()).toBe(100);
    time.advance(10_000);
    expect(bucket.available()).toBe(500);
  });

  it('goes into debt and says how long to wait', () => {
    const time = clock();
    const bucket = new TokenBucket({ rateBitsPerSecond: 22_000, burstBytes: 1000, now: time.now });
    bucket.take(1000 + 2750); // one second of debt at 2,750 bytes/s
    expect(bucket.available()).toBe(0);
    expect(bucket.waitFor(275)).toBe(1100);
    time.advance(1100);
    expect(bucket.waitFor(275)).toBe(0);
  });

  it('refuses a rate or burst that is not positive', () => {
    expect(() => new TokenBucket({ rateBitsPerSecond: 0, burstBytes: 10 })).toThrow(RangeError);
    expect(() => new TokenBucket({ rateBitsPerSecond: 10, burstBytes: -1 })).toThrow(RangeError);
  });
});
