// The rule that locks an account after repeated wrong passwords, the same for the server's
// operators (xmserver) and a site's users (ecr). Pure: the caller keeps the state (in its users
// table), reads it under the row's lock once the password is checked, and asks `decideLogin` what
// to answer and write.

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

/** An account's lockout columns, as read under the row's lock. */
export interface LockoutState {
  /** Wrong passwords in a row since the last lock or success. */
  readonly failedLogins: number;
  /** Locks in a row. */
  readonly lockouts: number;
  /** The end of the last lock, in force or past. */
  readonly lockedUntil: Date | null;
}

/**
 * What a login attempt answers and writes, once its password was checked. `locked`: refuse as
 * locked and write nothing (a failure during a lock neither counts nor lengthens it, a right password
 * does not lift it). `failed`: write `write` (`failures` counts this one; `lock` is the lock it set).
 * `accepted`: write `write` when there is something to clear.
 */
export type LoginDecision =
  | { readonly kind: 'locked'; readonly until: Date }
  | {
      readonly kind: 'failed';
      readonly failures: number;
      readonly lock: Lock | null;
      readonly write: LockoutState;
    }
  | { readonly kind: 'accepted'; readonly write: LockoutState | null };

/**
 * Decides a login from the row's state and the password's result. The caller reads `state` with the
 * row locked (SELECT … FOR UPDATE) after checking the password, and writes in that same transaction:
 * otherwise attempts that read the row before a lock was set would all be checked, and a right
 * password would clear a lock that a simultaneous attempt has just set.
 */
export function decideLogin(
  state: LockoutState,
  passwordOk: boolean,
  at: Date,
  policy: LockoutPolicy = defaultLockoutPolicy,
): LoginDecision {
  const until = lockInForce(state.lockedUntil, at);
  if (until) return { kind: 'locked', until };
  if (passwordOk) {
    const clear = state.failedLogins > 0 || state.lockouts > 0 || state.lockedUntil !== null;
    return { kind: 'accepted', write: clear ? { failedLogins: 0, lockouts: 0, lockedUntil: null } : null };
  }
  const failures = state.failedLogins + 1;
  const lock = lockAfterFailure(failures, state.lockouts, at, policy);
  const write = lock
    ? { failedLogins: 0, lockouts: lock.lockouts, lockedUntil: lock.until }
    : { failedLogins: failures, lockouts: state.lockouts, lockedUntil: state.lockedUntil };
  return { kind: 'failed', failures, lock, write };
}
