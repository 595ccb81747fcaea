// `@xmcomm/site-kit/cli`: the command-line plumbing every site app shares to talk to the central
// server: its key and certificate files, the passphrase prompt, the link and the broker, the
// `cert import` and `sync` commands, and the synchronisation service beside `serve`. Apart from the
// main entry so that the kit's core loads neither commander nor MQTT.

export {
  createSiteKey,
  registerSiteCommands,
  type SiteCliIo,
  type SiteCommandDeps,
  type SiteConnector,
  type SiteSession,
  secondsOption,
} from './cli/commands.js';
export { describeSiteError, siteExitCodes } from './cli/describe-error.js';
export { describeSyncEvent } from './cli/describe-event.js';
export {
  createDocumentKey,
  type DocumentSigner,
  documentKeyFiles,
  importDocumentCertificate,
  loadDocumentSigner,
} from './cli/document-key.js';
export {
  type DocumentKeyDeps,
  type DocumentKeyWords,
  registerDocumentKeyCommands,
} from './cli/document-key-commands.js';
export {
  configurationError,
  SiteCliError,
  type SiteCliErrorCode,
  type SiteCliParams,
  siteCliErrorCodes,
  usageError,
} from './cli/errors.js';
export {
  type FileAction,
  fileError,
  fileProblem,
  makePrivateFolder,
  readTextFile,
  systemCodeOf,
  writeTextFile,
} from './cli/files.js';
export { collect, embeddedDatabaseFolder, integerOption, table } from './cli/helpers.js';
export {
  createKeyFiles,
  importCertificateFor,
  type KeyFileNames,
  type KeyFilePaths,
  minimumPassphraseLength,
  siteKeyFiles,
} from './cli/key-files.js';
export {
  brokerSettingsFrom,
  hasBroker,
  type LinkSettings,
  type OpenLinkOptions,
  openLinkFromFiles,
  type SiteWords,
} from './cli/link-files.js';
export { readSecret, type Terminal } from './cli/secret.js';
export {
  type Bilingual,
  type SiteAccess,
  type SiteAccessConfig,
  type SiteAccessIo,
  type SiteAccessOptions,
  siteAccess,
} from './cli/site-access.js';
export {
  InitRefusal,
  registerInitCommand,
  registerUserCommands,
  type SiteFrenchWords,
  type SiteProgramDeps,
  type SiteProgramWords,
  siteHelpFr,
  startSiteSync,
} from './cli/site-program.js';
export { type SyncService, type SyncServiceOptions, sleep, startSyncService } from './cli/sync-service.js';
