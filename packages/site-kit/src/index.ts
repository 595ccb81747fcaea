export type {
  DraftItem,
  DraftManyOptions,
  DraftManyResult,
  RefusedItem,
} from './bulk-draft.js';
export { type SiteCentre, statusName, statusNames } from './context.js';
export {
  SiteKitError,
  type SiteKitErrorCode,
  type SiteKitErrorParams,
  siteKitErrorCodes,
} from './errors.js';
export { createSiteKit, localToday, type SiteKit, type SiteKitOptions } from './kit.js';
export {
  countIndexesMigration,
  countIndexesMigrationName,
  searchIndexesMigration,
  searchIndexesMigrationName,
  siteKitMigrations,
} from './migrations.js';
export {
  formatNiu,
  maxNiuSequence,
  mod97CheckDigits,
  mod97Valid,
  type NiuCheck,
  type NiuParts,
  niuPattern,
  parseNiu,
} from './niu.js';
export type { RecordCounts, RefusedRecord, WaitingFor } from './overview.js';
export type { RecordEvent, RecordSearch, RecordSummary, RecordView, SearchResult } from './reading.js';
export { searchCountLimit } from './reading.js';
export { defaultRecordNoun, type RecordNoun } from './record-noun.js';
export {
  defaultPrivileges,
  defineRecordType,
  type FieldError,
  type FieldLabels,
  fieldLabel,
  fieldLabelsFrom,
  type Language,
  type Privilege,
  type RecordAction,
  type RecordRef,
  type RecordType,
  type RecordTypeDeclaration,
  type Row,
  type RuleContext,
  recordActions,
  type Text,
  type TextPair,
  workflowColumnNames,
} from './record-type.js';
export {
  actionVerbs,
  allows,
  checkFields as checkRecord,
  recordEvent,
  recordEvents,
  requireAction,
  type Validation,
} from './records.js';
export { canonicalRecord, digestOf, verifyBytes } from './signing.js';
export {
  checkSiteIdentity,
  matriculePattern,
  openSiteDatabase,
  readSetting,
  readSiteIdentity,
  type SiteIdentity,
  saveSiteIdentity,
  siteIdentityKey,
  writeSetting,
} from './site-settings.js';
export {
  type StatsDimension,
  type StatsOptions,
  type StatsRow,
  statsDimensions,
  statsToCsv,
} from './statistics.js';
export type { UnfinishedRecord } from './unfinished.js';
export {
  type AuthOptions,
  checkPasswordStrength,
  insertUser,
  type LockState,
  type NewUser,
  privilegeNames,
  requirePrivilege,
  type SessionUser,
  type UserSummary,
  userLimits,
} from './users.js';
