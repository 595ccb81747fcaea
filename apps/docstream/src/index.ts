export { documentKeyFiles, documentKeyPassphraseVariable, loadDocumentSigner } from './document-signer.js';
export { formPrintHooks } from './print-hooks.js';
export {
  buildProgram,
  DocstreamError,
  type DocstreamIo,
  docstreamMigrations,
  docstreamRoleNames,
  exitCodes,
  runCli,
} from './program.js';
