import type { XmServerErrorCode } from './errors.js';

/**
 * The one table from error codes to process exit codes. The numbers follow BSD sysexits(3), which
 * supervisors and shell scripts already know: 64 usage, 65 bad data, 67 unknown user, 68 unknown
 * host (a client site here), 69 service unavailable, 70 internal, 73 cannot create (duplicate),
 * 75 try again later, 77 permission denied, 78 configuration. Two numbers past sysexits tell a
 * script why no operator could act: 80 nobody is logged in (no session, no XM_USER and
 * XM_PASSWORD, no terminal to ask), 81 the login was refused (wrong password, account locked,
 * a new password needed first).
 */
export const exitCodes: { readonly [C in XmServerErrorCode]: number } = {
  'invalid-argument': 64,
  'invalid-status': 64,
  'invalid-privilege': 64,
  'invalid-amount': 64,
  'invalid-matricule': 64,
  'password-required': 64,
  'password-too-short': 65,
  'passwords-differ': 65,
  'password-unchanged': 65,
  'unknown-user': 67,
  'unknown-client': 68,
  'unknown-certificate': 65,
  'unknown-tariff': 65,
  'invalid-certificate': 65,
  'key-unavailable': 78,
  'billing-refused': 65,
  'duplicate-user': 73,
  'duplicate-client': 73,
  'duplicate-centre-code': 73,
  'client-in-use': 65,
  'last-supervisor': 65,
  'key-already-certified': 65,
  'unavailable-feature': 69,
  'form-refused': 65,
  'database-unavailable': 75,
  'broker-unreachable': 75,
  'broker-login-refused': 77,
  'broker-subscribe-refused': 77,
  'broker-publish-refused': 77,
  'broker-not-delivered': 69,
  'broker-connection-lost': 75,
  'broker-timeout': 75,
  'broker-control-refused': 69,
  'port-unavailable': 78,
  stopping: 75,
  'operator-suspended': 77,
  forbidden: 77,
  'not-logged-in': 80,
  'authentication-failed': 81,
  'account-locked': 81,
  'password-change-required': 81,
  'not-initialised': 78,
  'database-mismatch': 78,
  'config-invalid': 78,
  'secret-in-config': 78,
  internal: 70,
};

/** Exit code of a commander usage error (unknown option, missing argument). */
export const usageExitCode = 64;

export function exitCodeOf(code: XmServerErrorCode): number {
  return exitCodes[code];
}
