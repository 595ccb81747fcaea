import {
  civilRegistrationTables,
  criminalRecordTables,
  issuedDocuments,
  SchemaError,
} from '@xmcomm/contract';
import { type Kysely, type Migration, type MigrationResult, Migrator } from 'kysely';
import { addColumnsMigration, columnChecksMigration, createTablesMigration } from './ddl.js';
import { actsValidatedAtIndexMigration, actsValidatedAtIndexMigrationName } from './statistics-indexes.js';
import {
  billingMigration,
  chargedRowsWithoutForeignKeysMigration,
  tariffValidity,
  tariffValidityMigration,
} from './tables/billing.js';
import {
  actEvents,
  anyRecordTableMigration,
  anyRecordTableMigrationName,
  ecrClientTables,
  historyWorkstationMigrationName,
  siteKitTables,
  unfinishedRecordsMigrationName,
} from './tables/ecr-client.js';
import {
  clients,
  clientsCentreCode,
  clientsServices,
  operatorLockoutMigrationName,
  receivedContainers,
  receivedSignedReplies,
  serverSystemTables,
  serverUsers,
} from './tables/server-system.js';
import {
  siteMessagesMigrationName,
  siteMessageTables,
  siteSystemTables,
  siteUserLockoutMigrationName,
  siteUsers,
  webSessionsMigrationName,
  webSessionTables,
} from './tables/site-system.js';
import {
  lifecycleGuardMigration,
  lifecycleMigration,
  receivedContainersOneSequenceIndexMigration,
  statusSyncSiteTables,
  uniqueSenderSequenceMigration,
} from './tables/status-sync.js';
import {
  accessRequestsMigrationName,
  accessRequestTables,
  operatorSessionTables,
  refusalsMigrationName,
  refusalTables,
  xmserverTables,
} from './tables/xmserver.js';

export type Migrations = Readonly<Record<string, Migration>>;

// Names are `YYYYMMDD-NN-what`; Kysely's Migrator runs them in name order. A released migration
// never changes: a table grows through a new migration (addColumnsMigration) instead.

const civilRegistration = createTablesMigration(civilRegistrationTables);

/** The documents a site issues from its records (a copy, an extract), exchanged like the records. */
export const issuedDocumentsMigrationName = '20261207-75-issued-documents';
const issuedDocumentsMigration: Migration = {
  async up(db) {
    await createTablesMigration([issuedDocuments]).up(db);
    await lifecycleMigration([issuedDocuments]).up(db);
  },
};

/**
 * The criminal record's tables (entries and their annotations) at the server, the national criminal
 * register. Not in `siteMigrations`: a site of another app (a civil registration centre) never holds
 * them; the criminal-record app's sites create them as their record types' tables (site-kit).
 */
export const criminalRecordsMigrationName = '20261207-85-criminal-records';
const criminalRecordsMigration: Migration = {
  async up(db) {
    await createTablesMigration(criminalRecordTables).up(db);
    await lifecycleMigration(criminalRecordTables).up(db);
  },
};

/** The central server's database: confidential system data apart from the exchanged data. */
export const serverMigrations: Migrations = {
  '20261122-01-data-civil-registration': civilRegistration,
  '20261122-02-server-system': createTablesMigration(serverSystemTables),
  '20261122-10-billing': billingMigration,
  '20261122-20-lifecycle': lifecycleMigration(civilRegistrationTables),
  '20261122-21-received-sender-sequence': uniqueSenderSequenceMigration,
  '20261122-30-xmserver-audit-log': createTablesMigration(xmserverTables),
  '20261122-31-charged-rows-without-foreign-keys': chargedRowsWithoutForeignKeysMigration,
  '20261122-32-received-containers-one-sequence-index': receivedContainersOneSequenceIndexMigration,
  [operatorLockoutMigrationName]: addColumnsMigration(serverUsers, operatorLockoutMigrationName),
  '20261207-02-operator-sessions': createTablesMigration(operatorSessionTables),
  [clientsCentreCode]: addColumnsMigration(clients, clientsCentreCode),
  [receivedSignedReplies]: addColumnsMigration(receivedContainers, receivedSignedReplies),
  '20261207-12-lifecycle-held-rows': lifecycleGuardMigration,
  [tariffValidity]: tariffValidityMigration,
  [issuedDocumentsMigrationName]: issuedDocumentsMigration,
  [refusalsMigrationName]: createTablesMigration(refusalTables),
  [criminalRecordsMigrationName]: criminalRecordsMigration,
  [actsValidatedAtIndexMigrationName]: actsValidatedAtIndexMigration,
  [clientsServices]: addColumnsMigration(clients, clientsServices),
  [accessRequestsMigrationName]: createTablesMigration(accessRequestTables),
};

/** A site's local database: the same exchanged tables, plus the site's own. */
export const siteMigrations: Migrations = {
  '20261122-01-data-civil-registration': civilRegistration,
  '20261122-03-site-system': createTablesMigration(siteSystemTables),
  '20261122-20-lifecycle': lifecycleMigration(civilRegistrationTables),
  '20261122-22-status-sync-site': createTablesMigration(statusSyncSiteTables),
  '20261122-40-ecr-client': createTablesMigration(ecrClientTables),
  '20261207-12-lifecycle-held-rows': lifecycleGuardMigration,
  '20261207-13-act-events-held': columnChecksMigration(actEvents, 'kind'),
  [siteMessagesMigrationName]: createTablesMigration(siteMessageTables),
  [siteUserLockoutMigrationName]: addColumnsMigration(siteUsers, siteUserLockoutMigrationName),
  [historyWorkstationMigrationName]: addColumnsMigration(actEvents, historyWorkstationMigrationName),
  [anyRecordTableMigrationName]: anyRecordTableMigration,
  [unfinishedRecordsMigrationName]: createTablesMigration(siteKitTables),
  [webSessionsMigrationName]: createTablesMigration(webSessionTables),
  [issuedDocumentsMigrationName]: issuedDocumentsMigration,
  '20261207-92-act-events-printed': columnChecksMigration(actEvents, 'kind'),
};

/**
 * Runs every pending migration. Returns what ran; throws a SchemaError (code `migration-failed`,
 * with Kysely's error as cause) when one fails, after Kysely rolled that migration back.
 */
export async function migrateToLatest(
  // biome-ignore lint/suspicious/noExplicitAny: any database type can be migrated
  db: Kysely<any>,
  migrations: Migrations,
): Promise<readonly MigrationResult[]> {
  // Read before the Migrator takes its lock: the provider is asked inside it, on the one PGlite connection.
  const known = { ...(await ranElsewhere(db, migrations)), ...migrations };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => known },
    migrationTableSchema: 'public',
    // A site's database is shared by programs that each know part of its migrations (`ecr` adds the
    // site kit's for its record types, `t2d` knows schema's): one may find a name another ran later.
    allowUnorderedMigrations: true,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new SchemaError('migration-failed', `Migration ${failed} failed: ${describe(error)}`, {
      cause: error,
    });
  }
  return results;
}

const keptAsItIs: Migration = {
  async up() {
    throw new SchemaError('migration-failed', 'a migration run by another program cannot run again');
  },
};

/**
 * Migrations this database has run that `migrations` does not know, kept as they are: another program
 * of the same site ran them (Kysely would otherwise refuse the database as corrupted).
 */
async function ranElsewhere(
  // biome-ignore lint/suspicious/noExplicitAny: the migration table is Kysely's own
  db: Kysely<any>,
  migrations: Migrations,
): Promise<Migrations> {
  const ran = await db
    .selectFrom('public.kysely_migration')
    .select('name')
    .execute()
    .catch(() => [] as { name: string }[]);
  return Object.fromEntries(
    ran.filter(({ name }) => !(name in migrations)).map(({ name }) => [name, keptAsItIs]),
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
