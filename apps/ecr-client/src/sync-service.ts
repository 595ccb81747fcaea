import type { SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import type { CentreSettings } from './centre.js';
import { loadDictionaries } from './dictionaries.js';
import { brokerSettings, openCentreLink } from './link.js';
import { type CentreSync, createCentreSync, type SyncEvent } from './sync.js';

// The centre's synchronisation as a service beside `ecr serve` (`--sync-every`): an embedded
// database opens in one process only, so `ecr sync` cannot run next to it; this does its rounds.

export interface SyncService {
  readonly sync: CentreSync;
  /** Hears the service's events too (the page's "Synchronise now" counts them); returns the way to stop. */
  listen(listener: (event: SyncEvent) => void): () => void;
  stop(): Promise<void>;
}

export interface SyncServiceOptions {
  readonly db: Kysely<SiteDatabase>;
  readonly centre: CentreSettings;
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly passphrase: string;
  /** Between two rounds (sealing validated acts and sending them). */
  readonly everyMs: number;
  readonly onEvent: (event: SyncEvent) => void;
  /** A round that failed (the database closing, a bad record): told, and the next round tries again. */
  readonly onError: (error: unknown) => void;
}

export async function startSyncService(options: SyncServiceOptions): Promise<SyncService> {
  const link = await openCentreLink(
    options.dataDir,
    options.centre,
    options.passphrase,
    await loadDictionaries(options.db),
  );
  const listeners = new Set<(event: SyncEvent) => void>([options.onEvent]);
  const sync = createCentreSync({
    db: options.db,
    link,
    broker: await brokerSettings(options.centre, options.env),
    // Sealed by the synchronisation itself, not by a person.
    user: null,
    onEvent: (event) => {
      for (const listener of listeners) listener(event);
    },
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
