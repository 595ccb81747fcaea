import type { civilRegistrationTables, criminalRecordTables, issuedDocuments } from '@xmcomm/contract';
import type { DatabaseOf } from './kysely-types.js';
import type { billingTables } from './tables/billing.js';
import type { ecrClientTables, siteKitTables } from './tables/ecr-client.js';
import type { serverSystemTables } from './tables/server-system.js';
import type { siteMessageTables, siteSystemTables, webSessionTables } from './tables/site-system.js';
import type { statusSyncSiteTables } from './tables/status-sync.js';
import type {
  accessRequestTables,
  operatorSessionTables,
  refusalTables,
  xmserverTables,
} from './tables/xmserver.js';

/** The exchanged form data, in schema `xm_data`, identical on the server and at every site. */
export type DataDatabase = DatabaseOf<typeof civilRegistrationTables> &
  DatabaseOf<readonly [typeof issuedDocuments]>;

/**
 * The criminal record's exchanged tables (`xm_data`): at the server that centralises them and at the
 * sites of the criminal-record app, never in another site app's database.
 */
export type CriminalRecordDatabase = DatabaseOf<typeof criminalRecordTables>;

/** The server: exchanged data plus its confidential system tables (`xm_system`). */
export type ServerDatabase = DataDatabase &
  CriminalRecordDatabase &
  DatabaseOf<typeof serverSystemTables> &
  DatabaseOf<typeof billingTables> &
  DatabaseOf<typeof xmserverTables> &
  DatabaseOf<typeof operatorSessionTables> &
  DatabaseOf<typeof refusalTables> &
  DatabaseOf<typeof accessRequestTables>;

/** A site: exchanged data plus its own tables (`xm_site`). */
export type SiteDatabase = DataDatabase &
  DatabaseOf<typeof siteSystemTables> &
  DatabaseOf<typeof siteMessageTables> &
  DatabaseOf<typeof webSessionTables> &
  DatabaseOf<typeof statusSyncSiteTables> &
  DatabaseOf<typeof ecrClientTables> &
  DatabaseOf<typeof siteKitTables>;
