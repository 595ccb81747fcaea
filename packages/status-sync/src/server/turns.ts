/** CPU time before other work may run (see shareTime). */
const timeSliceMs = 2;

/** How one server process shares the event loop and the database between its batches. */
export interface Turns {
  /**
   * Lets the event loop run once a few milliseconds of work have gone by. Opening a batch of
   * containers, checking and sealing them is CPU work that only awaits promises already settled:
   * without a pause, the transaction of the batch before it would wait for every reply from the
   * database until the whole batch is done, and the database would sit idle meanwhile.
   */
  shareTime(): Promise<void>;
  /**
   * Runs a batch transaction after the ones queued before it. The next batch is decrypted and
   * checked meanwhile. Two at once would mostly wait on each other's client locks (they share
   * sites), and a transaction waiting holds its other locks: with two server processes, batches
   * queued behind each other across both.
   */
  inDatabaseTurn<T>(work: () => Promise<T>): Promise<T>;
}

/** One per server (createServerSync): the turns are this process's, whatever the batch. */
export function createTurns(): Turns {
  let databaseTurn: Promise<unknown> = Promise.resolve();
  let sliceStart = performance.now();
  async function shareTime(): Promise<void> {
    if (performance.now() - sliceStart < timeSliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  }
  function inDatabaseTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = databaseTurn.then(work);
    databaseTurn = result.catch(() => undefined);
    return result;
  }
  return { shareTime, inDatabaseTurn };
}
