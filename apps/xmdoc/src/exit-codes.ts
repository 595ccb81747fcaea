import type { XmdocErrorCode } from './errors.js';

/**
 * The one table from outcomes to exit codes. 0 a VALID seal (or work done), 1 an INVALID seal: the
 * check ran and the document is not to be trusted; failures follow BSD sysexits(3), as xmserver.
 */
export const exitCodes: { readonly [C in XmdocErrorCode]: number } = {
  'invalid-argument': 64,
  'input-missing': 66,
  'no-seal-found': 65,
  'unreadable-file': 65,
  'pdftoppm-missing': 69,
  'no-trust-list': 66,
  'invalid-trust-list': 65,
  'trust-list-older': 65,
  'trust-list-other-ca': 77,
  'invalid-template': 65,
  'missing-field': 65,
  'render-failed': 70,
  'key-unreadable': 77,
  'cannot-write': 73,
  internal: 70,
};

export const successExitCode = 0;
/** The seal was read and checked, and it is not valid: the reason says why. */
export const invalidSealExitCode = 1;
/** A commander usage error (unknown option, missing argument). */
export const usageExitCode = 64;
