import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.js';

describe('Semaphore', () => {
  it('lets at most `limit` holders in and wakes waiters in order', async () => {
    const semaphore = new Semaphore(2);
    const order: number[] = [];
    await semaphore.acquire();
    await semaphore.acquire();
    const third = semaphore.acquire().then(() => order.push(3));
    const fourth = semaphore.acquire().then(() => order.push(4));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(semaphore.held).toBe(2);
    semaphore.release();
    await third;
    expect(order).toEqual([3]);
    semaphore.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(semaphore.held).toBe(2);
  });

  it('refuses an unbalanced release and a limit below one', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
    expect(() => new Semaphore(1).release()).toThrow();
  });
});
