import { expect, test } from 'vitest';
import { outboxSource } from './outbox-source.js';
import type { OutboxItem } from './site.js';

const item = (id: number): OutboxItem => ({
  id,
  containerId: `c${id}`,
  kind: 'rows',
  tableName: 'births',
  rowCount: 1,
  attempts: 0,
  payload: new Uint8Array([id]),
});

test('hands the transport due items with string ids, skipping those in flight, and marks by id', async () => {
  const marked: number[] = [];
  const asked: number[] = [];
  const source = outboxSource({
    nextItems: async (limit = 10) => {
      asked.push(limit);
      return [1, 2, 3, 4].map(item).slice(0, limit);
    },
    markSent: async (id) => {
      marked.push(id);
    },
  });
  const batch = await source.nextBatch(2, new Set(['1']));
  expect(asked).toEqual([3]);
  expect(batch).toEqual([
    { id: '2', payload: new Uint8Array([2]) },
    { id: '3', payload: new Uint8Array([3]) },
  ]);
  await source.markSent('3');
  expect(marked).toEqual([3]);
});
