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
  type AnyTable,
  defineExchangedTable,
  defineSystemTable,
  exchangedColumns,
  lifecycleColumnNames,
  prefixed,
  type RowOf,
  type SchemaName,
  type SexDeclaration,
  type TableDefinition,
} from './define-table.js';
export {
  codecDictionaries,
  type DeploymentDictionaries,
  type DeploymentDictionariesValue,
  type DictionaryTextRefusal,
  defaultDeploymentDictionaries,
  deploymentDictionariesKey,
  deploymentDictionariesValue,
  describeDictionaries,
  parseDeploymentDictionaries,
  parseDictionaryText,
} from './deployment-dictionaries.js';
export { cameroonDictionary } from './dictionaries/cameroon.js';
export {
  type Dictionary,
  type DictionaryFile,
  defineDictionary,
  dictionaryFingerprint,
  dictionaryToJson,
  maxDictionaryWordLength,
  maxDictionaryWords,
  parseDictionary,
} from './dictionary.js';
export {
  SchemaError,
  type SchemaErrorCode,
  schemaErrorCodes,
} from './errors.js';
export {
  type ExchangedTableName,
  exchangedTables,
  findTable,
} from './exchanged.js';
export { fingerprintOf } from './fingerprint.js';
export {
  type FieldErrorCode,
  fieldErrorCodes,
  fieldErrorMessage,
  type Language,
} from './messages.js';
export {
  births,
  civilRegistrationTables,
  deaths,
  marriages,
  workflowColumns,
} from './tables/civil-registration.js';
export {
  annotationKinds,
  criminalRecordAnnotations,
  criminalRecordEntries,
  criminalRecordTables,
  mainPenalties,
  offenceClasses,
  suspensions,
} from './tables/criminal-records.js';
export { issuedDocumentKinds, issuedDocuments } from './tables/issued-documents.js';
export {
  dataColumns,
  type FieldError,
  isExistingDate,
  transportedColumns,
  type ValidateOptions,
  type ValidationResult,
  validateRow,
} from './validate.js';
