import { issuedDocuments, type SiteDatabase } from '@xmcomm/schema';
import {
  type BrokerSettings,
  createRecordSync,
  type ImportResponsePage,
  type RecordSync,
  type SiteLink,
  type SyncEvent,
} from '@xmcomm/site-kit/sync';
import type { Kysely } from 'kysely';
import { settleChange } from './centre-password.js';
import { ecrRecordTypes } from './record-types.js';

// The centre's synchronisation: the site kit's (`@xmcomm/site-kit/sync`: outbox, receipts, imports,
// each step in each act's history, the report) for ECR's record types, plus what is ECR's own: the
// documents it printed go too (the server charges them), and the server's answer to the centre's
// password change settles it.

export { isLoginRefusal } from '@xmcomm/site-kit/sync';
export type { ImportResponsePage, SyncEvent };

export interface CentreSyncOptions {
  readonly db: Kysely<SiteDatabase>;
  readonly link: SiteLink;
  /**
   * The broker that carries the outbox; absent at a centre without one (a USB stick carried by
   * `t2d export` and `t2d import`): requests are then only queued in the outbox.
   */
  readonly broker?: BrokerSettings;
  /** Who seals the acts, for their history (null: the synchronisation itself). */
  readonly user: string | null;
  /** At most this many acts per container: a ceiling (default 10,000, what the server accepts); below it the kit sizes containers for the link. */
  readonly maxRows?: number;
  /** Seconds of the link one container may take at most, at the rate measured on the last ones (default 15). */
  readonly containerSeconds?: number;
  /** Re-send a container that got no receipt after this long at least (default 30 s; longer for a large container on a slow link), doubling. */
  readonly resendAfterMs?: number;
  /** How often the outbox is looked at when nothing wakes the link (default 5 s). */
  readonly pollMs?: number;
  readonly onEvent: (event: SyncEvent) => void;
  /** Each page of the server's answer to an import request, as sent (`ecr verify --online` compares with it). */
  readonly onImportResponse?: (page: ImportResponsePage) => void;
}

export type CentreSync = RecordSync;

export function createCentreSync(options: CentreSyncOptions): CentreSync {
  return createRecordSync({
    ...options,
    recordTypes: ecrRecordTypes,
    alsoExport: [issuedDocuments],
    onAnswered: async (db, answer) => {
      if (answer.kind === 'control') await settleChange(db, answer.containerId, answer);
    },
  });
}
