/**
 * The exit codes the CLI documents (README and docs/sdc-format.md), written out here rather than
 * imported, so that a change to the CLI's table is a failing test, not a silent change for scripts.
 */
export const EXIT_CODES_FOR_TESTS = {
  usage: 2,
  io: 3,
  malformed: 10,
  'unsupported-algorithm': 12,
  'not-for-me': 13,
  'decrypt-failed': 14,
  'untrusted-signer': 17,
  'revoked-signer': 19,
  'invalid-input': 23,
  'unknown-dictionary': 25,
} as const;
