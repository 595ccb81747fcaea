import { expect, test } from 'vitest';
import { createTurns } from './turns.js';

/** A promise and the function that settles it. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

test('database turns run one after another, and a failed one does not stop the next', async () => {
  const turns = createTurns();
  const order: string[] = [];
  const { opened, open } = gate();
  const first = turns.inDatabaseTurn(async () => {
    order.push('first started');
    await opened;
    order.push('first done');
    throw new Error('first failed');
  });
  const second = turns.inDatabaseTurn(async () => {
    order.push('second started');
    return 2;
  });
  open();
  await expect(first).rejects.toThrow('first failed');
  await expect(second).resolves.toBe(2);
  expect(order).toEqual(['first started', 'first done', 'second started']);
});

test('two servers do not share turns', async () => {
  const one = createTurns();
  const other = createTurns();
  const { opened, open } = gate();
  const held = one.inDatabaseTurn(() => opened);
  await expect(other.inDatabaseTurn(async () => 'ran')).resolves.toBe('ran');
  open();
  await held;
});
