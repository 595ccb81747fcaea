import type { T2dErrorCode } from './errors.js';

/**
 * The one table from outcomes to process exit codes. Failures follow BSD sysexits(3), as xmserver
 * does; 1 means the work was done but something on the medium was skipped (the summary says what).
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
/** A commander usage error (unknown option, missing argument). */
export const usageExitCode = 64;
