export type { XmdocErrorCode } from './errors.js';
export { XmdocError, xmdocErrorCodes } from './errors.js';
export { exitCodes, invalidSealExitCode, successExitCode, usageExitCode } from './exit-codes.js';
export { helpFr } from './help-fr.js';
export type { Io } from './program.js';
export { buildProgram, run } from './program.js';
