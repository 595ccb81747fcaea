// The rule that locks an account after repeated wrong passwords, the same for the server's
// operators (xmserver) and a site's users (ecr). Pure: the caller keeps the state (in its users
// table), counts a wrong password under the row's lock, and asks here what follows.

export interface LockoutPolicy {
  /** Wrong passwords in a row that lock the account. */
  readonly maxFailures: number;
  /** The first lock, in minutes; each further lock in a row lasts twice the previous one. */
  readonly lockMinutes: number;
  /** The longest lock, in minutes. */
  readonly maxLockMinutes: number;
}

/** 5 wrong passwords lock for 15 minutes, then 30, 60… up to a day. */
export const defaultLockoutPolicy: LockoutPolicy = {
  maxFailures: 5,
  lockMinutes: 15,
  maxLockMinutes: 24 * 60,
};

/** A lock that a wrong password just set. */
export interface Lock {
  /** How long it lasts. */
  readonly minutes: number;
  /** No password is checked before this time. */
  readonly until: Date;
  /** Locks in a row, this one included: the next one lasts twice as long. */
  readonly lockouts: number;
}

/**
 * The lock a wrong password sets, or null when the account stays open. `failures` counts the wrong
 * passwords in a row including this one; `lockouts` the locks in a row before it (both reset by a
 * successful login or an administrator's unlock). A lock also resets the count of failures to 0.
 */
export function lockAfterFailure(
  failures: number,
  lockouts: number,
  at: Date,
  policy: LockoutPolicy = defaultLockoutPolicy,
): Lock | null {
  if (failures < policy.maxFailures) return null;
  const minutes = Math.min(policy.maxLockMinutes, policy.lockMinutes * 2 ** lockouts);
  return { minutes, until: new Date(at.getTime() + minutes * 60_000), lockouts: lockouts + 1 };
}

/** The lock in force at `at` (the stored `lockedUntil` if still ahead), or null. */
export function lockInForce(lockedUntil: Date | null | undefined, at: Date): Date | null {
  return lockedUntil && lockedUntil.getTime() > at.getTime() ? lockedUntil : null;
}
