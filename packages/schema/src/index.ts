export {
  type AnyColumn,
  bigint,
  boolean,
  bytes,
  type Column,
  type ColumnSpec,
  type ColumnTypeName,
  columnTypes,
  date,
  identity,
  integer,
  json,
  type KyselyColumnOf,
  numeric,
  oneOf,
  references,
  smallint,
  text,
  time,
  timestamp,
  uuid,
  type ValueOf,
} from './columns.js';
export {
  type DatabaseKind,
  databaseKind,
  type OpenDatabaseOptions,
  openDatabase,
  redact,
} from './connect.js';
export { copyRows, copyText } from './copy.js';
export {
  type DataDatabase,
  type ExchangedTableName,
  exchangedTables,
  findTable,
  type ServerDatabase,
  type SiteDatabase,
} from './database.js';
export { addColumnsMigration, columnChecksMigration, createTable, createTablesMigration } from './ddl.js';
export {
  type AnyTable,
  type DatabaseOf,
  defineExchangedTable,
  defineSystemTable,
  exchangedColumns,
  type KyselyTableOf,
  lifecycleColumnNames,
  prefixed,
  type RowOf,
  type SchemaName,
  type TableDefinition,
} from './define-table.js';
export { SchemaError, type SchemaErrorCode, schemaErrorCodes } from './errors.js';
export { fingerprintOf } from './fingerprint.js';
export { fieldErrorMessage, type Language } from './messages.js';
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
export { births, civilRegistrationTables, deaths, marriages } from './tables/civil-registration.js';
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
export {
  dataColumns,
  type FieldError,
  type FieldErrorCode,
  fieldErrorCodes,
  isExistingDate,
  transportedColumns,
  type ValidateOptions,
  type ValidationResult,
  validateRow,
} from './validate.js';
