import { describe, expect, test } from 'vitest';
import { Coalescer } from './coalescer.js';
import { XmServerError } from './errors.js';

/** An applier whose batches settle only when the test says so. */
function controlledApplier() {
  const calls: { items: number[]; resolve: (results: string[]) => void; reject: (error: Error) => void }[] =
    [];
  const apply = (items: readonly number[]) =>
    new Promise<readonly string[]>((resolve, reject) => calls.push({ items: [...items], resolve, reject }));
  return { calls, apply };
}

const settle = async () => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

type Settled = { ok: true; value: string } | { ok: false; error: unknown };

function track(promise: Promise<string>): Settled[] {
  const state: Settled[] = [];
  promise.then(
    (value) => state.push({ ok: true, value }),
    (error: unknown) => state.push({ ok: false, error }),
  );
  return state;
}

describe('Coalescer', () => {
  test('items arriving while a batch is applied go together into the next one, results in order', async () => {
    const { calls, apply } = controlledApplier();
    const coalescer = new Coalescer<number, string>({ apply, maxBatch: 3 });
    const first = coalescer.submit(1);
    const rest = [2, 3, 4, 5, 6].map((n) => coalescer.submit(n));
    await settle();
    expect(calls.map((call) => call.items)).toEqual([[1]]);
    expect(coalescer.queued).toBe(5);

    calls[0]?.resolve(['r1']);
    expect(await first).toBe('r1');
    await settle();
    // The applier was free again: it took what was queued, up to maxBatch.
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]?.resolve(['r2', 'r3', 'r4']);
    await settle();
    expect(calls[2]?.items).toEqual([5, 6]);
    calls[2]?.resolve(['r5', 'r6']);
    expect(await Promise.all(rest)).toEqual(['r2', 'r3', 'r4', 'r5', 'r6']);
    expect(coalescer.inFlight).toBe(0);
  });

  test('no item settles before its batch did', async () => {
    const { calls, apply } = controlledApplier();
    const coalescer = new Coalescer<number, string>({ apply, maxBatch: 10 });
    const first = track(coalescer.submit(1));
    const second = track(coalescer.submit(2));
    await settle();
    expect(first).toEqual([]);
    calls[0]?.resolve(['a']);
    await settle();
    expect(first).toEqual([{ ok: true, value: 'a' }]);
    expect(second).toEqual([]);
    calls[1]?.resolve(['b']);
    await settle();
    expect(second).toEqual([{ ok: true, value: 'b' }]);
  });

  test('maxInFlight batches are applied at once, never more, and beside a running one only full ones', async () => {
    const { calls, apply } = controlledApplier();
    const coalescer = new Coalescer<number, string>({ apply, maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => coalescer.submit(n));
    await settle();
    // The first applier starts at once, with whatever is queued; the second waits for a full batch.
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3]]);
    expect(coalescer.inFlight).toBe(2);
    expect(coalescer.queued).toBe(2);
    calls[1]?.resolve(['r2', 'r3']);
    await settle();
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3], [4, 5]]);
    calls[2]?.resolve(['r4', 'r5']);
    const sixth = coalescer.submit(6);
    await settle();
    // One batch running, one item queued: it waits for a full batch or for the running one to end.
    expect(calls).toHaveLength(3);
    expect(coalescer.queued).toBe(1);
    calls[0]?.resolve(['r1']);
    await settle();
    expect(calls[3]?.items).toEqual([6]);
    calls[3]?.resolve(['r6']);
    expect(await Promise.all([...all, sixth])).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  test('a failed batch is applied again item by item: only the item that fails alone is rejected', async () => {
    const applied: number[][] = [];
    const poison = new Error('poison');
    const coalescer = new Coalescer<number, string>({
      maxBatch: 10,
      apply: async (items) => {
        applied.push([...items]);
        if (items.includes(3)) throw poison;
        return items.map((n) => `r${n}`);
      },
    });
    const results = [1, 2, 3, 4].map((n) => track(coalescer.submit(n)));
    await coalescer.close();
    expect(applied).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    expect(results.map((r) => r[0])).toEqual([
      { ok: true, value: 'r1' },
      { ok: true, value: 'r2' },
      { ok: false, error: poison },
      { ok: true, value: 'r4' },
    ]);
  });

  test('when the database is down every item of the batch is rejected, none resolved', async () => {
    const down = new Error('connection refused');
    const coalescer = new Coalescer<number, string>({
      maxBatch: 10,
      apply: async () => {
        throw down;
      },
    });
    const results = [1, 2, 3].map((n) => track(coalescer.submit(n)));
    await coalescer.close();
    expect(results.flat()).toEqual([
      { ok: false, error: down },
      { ok: false, error: down },
      { ok: false, error: down },
    ]);
  });

  test('a batch answered with the wrong number of results resolves nobody', async () => {
    const coalescer = new Coalescer<number, string>({
      maxBatch: 10,
      apply: async (items) => items.slice(1).map(String),
    });
    const results = [1, 2, 3].map((n) => track(coalescer.submit(n)));
    await coalescer.close();
    for (const [result] of results) {
      expect(result?.ok).toBe(false);
      expect(result?.ok === false && XmServerError.isInstance(result.error)).toBe(true);
    }
  });

  test('close() waits for the batch in flight and everything queued, then refuses new items', async () => {
    const { calls, apply } = controlledApplier();
    const coalescer = new Coalescer<number, string>({ apply, maxBatch: 10 });
    const taken = [1, 2, 3].map((n) => track(coalescer.submit(n)));
    await settle();
    let closed = false;
    const closing = coalescer.close().then(() => {
      closed = true;
    });
    const late = coalescer.submit(4);
    await expect(late).rejects.toMatchObject({ code: 'stopping' });
    calls[0]?.resolve(['r1']);
    await settle();
    expect(closed).toBe(false);
    expect(calls[1]?.items).toEqual([2, 3]);
    calls[1]?.resolve(['r2', 'r3']);
    await closing;
    expect(taken.flat()).toEqual([
      { ok: true, value: 'r1' },
      { ok: true, value: 'r2' },
      { ok: true, value: 'r3' },
    ]);
    expect(calls).toHaveLength(2);
  });

  test('close() with nothing in hand resolves at once', async () => {
    const coalescer = new Coalescer<number, string>({
      maxBatch: 1,
      apply: async (items) => items.map(String),
    });
    await coalescer.close();
    await expect(coalescer.submit(1)).rejects.toMatchObject({ code: 'stopping' });
  });

  test('refuses a batch size or an in-flight limit below 1', () => {
    const apply = async (items: readonly number[]) => items.map(String);
    expect(() => new Coalescer({ apply, maxBatch: 0 })).toThrow(XmServerError);
    expect(() => new Coalescer({ apply, maxBatch: 4, maxInFlight: 1.5 })).toThrow(XmServerError);
  });
});
