export { checkMayRequest, type Identity, matchPerson, type PersonMatch } from './bulletin-request.js';
export {
  type Bulletin,
  type BulletinRules,
  type Extract,
  exclusionsOf,
  extractOf,
  frenchBulletinRules,
  type RecordEntry,
  rulesInForce,
} from './bulletins.js';
export { exitCodes, JurisError } from './errors.js';
export { type JurisIo, jurisWords, runCli } from './program.js';
export {
  annotationType,
  entryType,
  jurisMigrations,
  jurisRecordTypes,
  jurisRoleNames,
} from './record-types.js';
export { checkAnnotationRules, checkEntryRules } from './rules.js';
