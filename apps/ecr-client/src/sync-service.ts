import type { SiteDatabase } from '@xmcomm/schema';
import {
  type SyncService as KitSyncService,
  startSyncService as kitStartSyncService,
} from '@xmcomm/site-kit/cli';
import type { Kysely } from 'kysely';
import type { CentreSettings } from './centre.js';
import { loadDictionaries } from './dictionaries.js';
import { brokerSettings, openCentreLink } from './link.js';
import { type CentreSync, createCentreSync, type SyncEvent } from './sync.js';

// The centre's synchronisation as a service beside `ecr serve` (`--sync-every`): the site CLI kit's
// service (`startSyncService`) over ECR's synchronisation.

export interface SyncService extends KitSyncService {
  readonly sync: CentreSync;
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
  const broker = await brokerSettings(options.centre, options.env);
  return kitStartSyncService({
    // Sealed by the synchronisation itself, not by a person.
    createSync: async (onEvent) => createCentreSync({ db: options.db, link, broker, user: null, onEvent }),
    everyMs: options.everyMs,
    onEvent: options.onEvent,
    onError: options.onError,
  });
}
