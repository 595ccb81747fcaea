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
export {
  annotationType,
  entryType,
  jurisMigrations,
  jurisRecordTypes,
  jurisRoleNames,
} from './record-types.js';
export { checkAnnotationRules, checkEntryRules, fullYears, majorityYears } from './rules.js';
