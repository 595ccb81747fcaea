export {
  addMonths,
  type Bulletin,
  type BulletinParameters,
  type BulletinRule,
  type BulletinRules,
  bulletins,
  type Extract,
  exclusionsOf,
  extractOf,
  frenchBulletinRules,
  type RecordEntry,
  rulesInForce,
  unsuspendedMonths,
} from './bulletins.js';
export { helpFr } from './help-fr.js';
export {
  buildProgram,
  exitCodes,
  JurisError,
  type JurisErrorCode,
  type JurisIo,
  jurisErrorCodes,
  runCli,
} from './program.js';
export {
  annotationType,
  entryType,
  jurisMigrations,
  jurisRecordTypes,
  jurisRoleNames,
} from './record-types.js';
export { checkAnnotationRules, checkEntryRules, fullYears, majorityYears } from './rules.js';
