// The table contract (@xmcomm/contract, no database) is part of this package's API.
export {
  type AnyColumn,
  type AnyTable,
  bigint,
  births,
  boolean,
  bytes,
  type Column,
  type ColumnSpec,
  type ColumnTypeName,
  civilRegistrationTables,
  columnTypes,
  dataColumns,
  date,
  deaths,
  defineExchangedTable,
  defineSystemTable,
  type ExchangedTableName,
  exchangedColumns,
  exchangedTables,
  type FieldError,
  type FieldErrorCode,
  fieldErrorCodes,
  fieldErrorMessage,
  findTable,
  fingerprintOf,
  identity,
  integer,
  isExistingDate,
  json,
  type Language,
  lifecycleColumnNames,
  marriages,
  numeric,
  oneOf,
  prefixed,
  type RowOf,
  references,
  SchemaError,
  type SchemaErrorCode,
  type SchemaName,
  schemaErrorCodes,
  smallint,
  type TableDefinition,
  text,
  time,
  timestamp,
  transportedColumns,
  uuid,
  type ValidateOptions,
  type ValidationResult,
  type ValueOf,
  validateRow,
} from '@xmcomm/contract';
export {
  type DatabaseKind,
  databaseKind,
  type OpenDatabaseOptions,
  openDatabase,
  redact,
} from './connect.js';
export { copyRows, copyText } from './copy.js';
export type { DataDatabase, ServerDatabase, SiteDatabase } from './database.js';
export { addColumnsMigration, columnChecksMigration, createTable, createTablesMigration } from './ddl.js';
export type { DatabaseOf, Generated, KyselyColumnOf, KyselyTableOf } from './kysely-types.js';
export { type Migrations, migrateToLatest, serverMigrations, siteMigrations } from './migrations.js';
export { PGliteDialect } from './pglite-dialect.js';
export {
  billingMigration,
  billingPeriods,
  billingServices,
  billingTables,
  chargedRows,
  ledgerEntries,
  quotas,
  tariffs,
  usageDaily,
} from './tables/billing.js';
export {
  actEventKinds,
  actEvents,
  actSignatures,
  ecrClientTables,
  userKeys,
} from './tables/ecr-client.js';
export {
  accounts,
  certificates,
  clients,
  receivedContainers,
  serverSettings,
  serverSystemTables,
  serverUsers,
  signatories,
} from './tables/server-system.js';
export { inbox, outbox, siteSettings, siteSystemTables, siteUsers } from './tables/site-system.js';
export {
  lifecycleGuardMigration,
  lifecycleMigration,
  lifecycleViolationCode,
  rejections,
  sealedRows,
  siteCounters,
  statusSyncSiteTables,
  uniqueSenderSequenceMigration,
} from './tables/status-sync.js';
export { auditLog, operatorSessions, operatorSessionTables, xmserverTables } from './tables/xmserver.js';
