import { describe, expect, test } from 'vitest';
import { createSessionManager, type SessionStore, type StoredSession } from './session.js';

/** A store in memory that counts its writes. */
function memoryStore() {
  const rows = new Map<string, StoredSession>();
  let nextId = 1;
  const store: SessionStore & { touches: number } = {
    touches: 0,
    async insert({ tokenHash, ...session }) {
      rows.set(tokenHash, { ...session, id: nextId++ });
    },
    async find(tokenHash) {
      return rows.get(tokenHash);
    },
    async touch(id, at) {
      store.touches++;
      for (const [hash, row] of rows) if (row.id === id) rows.set(hash, { ...row, lastUsedAt: at });
    },
    async delete(tokenHash) {
      rows.delete(tokenHash);
    },
    async purge() {},
  };
  return store;
}

describe('sessions', () => {
  test('a busy session is written at most every 30 s, and still ends after the idle time', async () => {
    let clock = Date.parse('2026-12-07T10:00:00Z');
    const store = memoryStore();
    const sessions = createSessionManager(store, { idleSeconds: 900, now: () => new Date(clock) });
    const token = await sessions.open(1, '127.0.0.1');
    for (let i = 0; i < 20; i++) {
      clock += 1000;
      expect(await sessions.resume(token)).toBeDefined();
    }
    expect(store.touches).toBe(0);
    clock += 11_000;
    expect(await sessions.resume(token)).toBeDefined();
    expect(store.touches).toBe(1);
    clock += 899_000;
    expect(await sessions.resume(token)).toBeDefined();
    clock += 900_000;
    expect(await sessions.resume(token)).toBeUndefined();
  });
});
