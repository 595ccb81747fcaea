import { describe, expect, it } from 'vitest';
import { InMemoryInbox, InMemoryOutbox } from './memory.js';

describe('InMemoryOutbox', () => {
  it('offers an item until it is sent, again once its receipt is overdue, never after its receipt', async () => {
    let now = 0;
    const outbox = new InMemoryOutbox({ resendAfterMs: 1_000, now: () => now });
    const a = outbox.add(Uint8Array.of(1));
    const b = outbox.add(Uint8Array.of(2));
    expect((await outbox.nextBatch(10, new Set())).map((item) => item.id)).toEqual([a, b]);
    expect((await outbox.nextBatch(10, new Set([a]))).map((item) => item.id)).toEqual([b]);
    expect(await outbox.nextBatch(1, new Set())).toHaveLength(1);
    await outbox.markSent(a);
    expect((await outbox.nextBatch(10, new Set())).map((item) => item.id)).toEqual([b]);
    now = 1_000;
    expect((await outbox.nextBatch(10, new Set())).map((item) => item.id)).toEqual([a, b]);
    expect(outbox.acknowledge(a)).toBe(true);
    expect((await outbox.nextBatch(10, new Set())).map((item) => item.id)).toEqual([b]);
    expect(outbox.sends(a)).toBe(0);
  });
});

describe('InMemoryInbox', () => {
  it('resolves waiters once enough messages are stored', async () => {
    const inbox = new InMemoryInbox();
    const waited = inbox.waitFor(2);
    await inbox.store('t', Uint8Array.of(1));
    let done = false;
    void waited.then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    await inbox.store('t', Uint8Array.of(2));
    await waited;
    expect(inbox.messages).toHaveLength(2);
  });
});
