import type { T2dErrorCode } from './errors.js';

/**
 * The one table from outcomes to process exit codes. Failures follow BSD sysexits(3), as xmserver
 * does; below 64 are outcomes that are not failures: 1 the work was done but something on the medium
 * was skipped (the summary says what), 2 there was nothing to do (sysexits has no code for it).
 */
export const exitCodes: { readonly [C in T2dErrorCode]: number } = {
  'invalid-argument': 64,
  'invalid-matricule': 64,
  'medium-unavailable': 66,
  'medium-unwritable': 73,
  'medium-full': 73,
  'database-unavailable': 75,
  'key-unreadable': 77,
  'config-invalid': 78,
  'secret-in-config': 78,
  internal: 70,
};

export const successExitCode = 0;
/** Done, but some files or containers were skipped: run again after fixing what the summary lists. */
export const partialExitCode = 1;
/**
 * Nothing to do: `export` found no outbox item waiting for the server and wrote nothing on the
 * medium. Not a failure, but not 0 either: a script must not send an empty stick on its way.
 */
export const nothingToDoExitCode = 2;
/** A commander usage error (unknown option, missing argument). */
export const usageExitCode = 64;
