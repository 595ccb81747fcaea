export {
  formatNiu,
  mod97CheckDigits,
  mod97Valid,
  type NiuCheck,
  type NiuParts,
  parseNiu,
  type StatsDimension,
  type StatsRow,
  statsDimensions,
  statsToCsv,
} from '@xmcomm/site-kit';
export {
  type ActEvent,
  type ActRef,
  type ActSearch,
  type ActSummary,
  type ActView,
  actHistory,
  type CentreContext,
  cancelAct,
  centreKit,
  checkAct,
  draftAct,
  editAct,
  formatActRef,
  getAct,
  parseActRef,
  resolveAct,
  searchActs,
  statusNames,
  type Validation,
  validateAct,
  verifyAct,
} from './acts.js';
export {
  type CentreSettings,
  checkCentreSettings,
  openCentreDatabase,
  readCentre,
  readRules,
  saveCentre,
  saveRules,
  type WorkstationConfig,
} from './centre.js';
export type { CliIo } from './cli-io.js';
export { EcrError, type EcrErrorCode, ecrErrorCodes, exitCodeOf, exitCodes } from './errors.js';
export { type BrokerSettings, brokerSettings, type CentreLink, openCentreLink } from './link.js';
export {
  listMessages,
  markAllRead,
  readMessage,
  type ServerMessage,
  unreadAnnouncement,
  unreadCount,
} from './messages.js';
export { runCli } from './program.js';
export { birthType, deathType, ecrMigrations, ecrRecordTypes, marriageType } from './record-types.js';
export {
  type ActFieldError,
  type ActKind,
  actKinds,
  type CivilRules,
  checkCivilRules,
  defaultRules,
  type RuleCode,
  ruleCodes,
} from './rules.js';
export { actStatistics } from './statistics.js';
export { type CentreSync, type CentreSyncOptions, createCentreSync, type SyncEvent } from './sync.js';
export {
  type AuthOptions,
  addUser,
  authenticate,
  insertUser,
  type LockState,
  listUsers,
  type Privilege,
  type Role,
  roles,
  type SessionUser,
  setPrivilege,
  type UserSummary,
  unlockUser,
  userLimits,
} from './users.js';
