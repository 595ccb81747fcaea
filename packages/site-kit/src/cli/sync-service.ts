import type { RecordSync } from '../record-sync.js';
import type { SyncEvent } from '../sync-events.js';

// A site's synchronisation as a service beside its workstation server (`serve --sync-every`): an
// embedded database opens in one process only, so `sync` cannot run next to `serve`; this does its
// rounds in the server's process.

export interface SyncService {
  readonly sync: RecordSync;
  /** Hears the service's events too (a page's "Synchronise now" counts them); returns the way to stop. */
  listen(listener: (event: SyncEvent) => void): () => void;
  stop(): Promise<void>;
}

export interface SyncServiceOptions {
  /** Makes the site's synchronisation; it reports each event to `onEvent`. */
  readonly createSync: (onEvent: (event: SyncEvent) => void) => Promise<RecordSync>;
  /** Between two rounds (sealing validated records and sending them). */
  readonly everyMs: number;
  readonly onEvent: (event: SyncEvent) => void;
  /** A round that failed (the database closing, a bad record): told, and the next round tries again. */
  readonly onError: (error: unknown) => void;
}

export async function startSyncService(options: SyncServiceOptions): Promise<SyncService> {
  const listeners = new Set<(event: SyncEvent) => void>([options.onEvent]);
  const sync = await options.createSync((event) => {
    for (const listener of listeners) listener(event);
  });
  sync.start();
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  const tick = () => {
    round = sync
      .exportValidated()
      .then(() => undefined)
      .catch((error: unknown) => {
        if (!stopped) options.onError(error);
      });
  };
  tick();
  const timer = setInterval(() => {
    void round.then(() => {
      if (!stopped) tick();
    });
  }, options.everyMs);
  return {
    sync,
    listen(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
      await sync.stop();
    },
  };
}

/** Waits `ms` or until `signal` aborts, whichever first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}
