import { createHash, randomBytes } from 'node:crypto';
import {
  decideLogin,
  defaultLockoutPolicy,
  hashPassword,
  type LockoutPolicy,
  type LoginDecision,
  lockInForce,
  verifyPassword,
} from '@xmcomm/pki';
import { sql } from 'kysely';
import { writeAudit } from './audit.js';
import { asDate, type ServerDb } from './database.js';
import { XmServerError } from './errors.js';

// Who an operator is, proved by a password, and for how long a session keeps that proof. The CLI
// calls these functions (src/cli-identity.ts); so will the web console: they take the database
// first and know nothing of a terminal, a file or an environment.

/** 1 read-only (lists, statements, monitor), 2 operator (clients, credit), 3 supervisor (users, PKI). */
export type Privilege = 1 | 2 | 3;

export const roleNames: { readonly [P in Privilege]: { readonly en: string; readonly fr: string } } = {
  1: { en: 'read-only', fr: 'lecture seule' },
  2: { en: 'operator', fr: 'opérateur' },
  3: { en: 'supervisor', fr: 'superviseur' },
};

/** The lockout rule is @xmcomm/pki's, shared with the sites' users (ecr); sessions are the server's own. */
export interface AuthPolicy extends LockoutPolicy {
  /** A session's absolute life, however busy. */
  readonly sessionMinutes: number;
  /** A session unused for this long is over. */
  readonly idleMinutes: number;
}

/** 5 wrong passwords lock for 15 minutes, then 30, 60… up to a day; a session lasts a working day, 30 minutes idle. */
export const defaultAuthPolicy: AuthPolicy = {
  ...defaultLockoutPolicy,
  sessionMinutes: 8 * 60,
  idleMinutes: 30,
};

export interface AuthOptions {
  /** The clock (tests inject one); every time this module writes comes from it. */
  readonly now?: (() => Date) | undefined;
  readonly policy?: Partial<AuthPolicy> | undefined;
}

/** An operator whose password or session was checked. */
export interface Operator {
  readonly userId: number;
  readonly login: string;
  readonly displayName: string | null;
  /** 0 (suspended) to 3; `authorise` refuses what it does not allow. */
  readonly privilege: number;
  readonly mustChangePassword: boolean;
  /** Present when the proof is a session rather than a password typed for this command. */
  readonly session?: SessionInfo | undefined;
}

export interface SessionInfo {
  readonly id: number;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly idleTimeoutSeconds: number;
}

export const minimumPasswordLength = 8;

// An unknown login is checked against this hash, which has the cost of a real one, so that the
// time an answer takes does not tell which logins exist.
const dummyHash = '$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Runs `body` in a transaction, or in the caller's when `db` already is one (a console request's). */
function inTransaction<T>(db: ServerDb, body: (trx: ServerDb) => Promise<T>): Promise<T> {
  return db.isTransaction ? body(db) : db.transaction().execute(body);
}

function settings(options: AuthOptions) {
  return { now: options.now ?? (() => new Date()), policy: { ...defaultAuthPolicy, ...options.policy } };
}

const userColumns = [
  'id',
  'login',
  'display_name',
  'privilege',
  'password_hash',
  'must_change_password',
  'failed_logins',
  'lockouts',
  'locked_until',
] as const;

function failed(): XmServerError {
  return new XmServerError('authentication-failed', 'unknown user or wrong password');
}

/**
 * Checks a login and password. An unknown login and a wrong password give the same error and
 * cost one scrypt each. Wrong passwords are counted; `maxFailures` in a row lock the account for
 * `lockMinutes`, doubled at each further lock in a row; while locked, no password is checked (the
 * answer says locked whatever was typed, so the lock gives no password oracle), and an attempt
 * that finds the lock only once its password is checked (a simultaneous one set it) gets the same
 * answer, counts nothing and clears nothing. Every failure
 * and every lock goes to the audit log. A suspended operator is returned like any other:
 * `authorise` and `openSession` refuse it, and the refusal is audited there.
 */
export async function verifyOperator(
  db: ServerDb,
  login: string,
  password: string,
  options: AuthOptions = {},
): Promise<Operator> {
  const { now, policy } = settings(options);
  const row = await db
    .selectFrom('xm_system.users')
    .select(userColumns)
    .where('login', '=', login)
    .executeTakeFirst();
  const at = now();
  const lockedUntil = lockInForce(row?.locked_until ? asDate(row.locked_until) : null, at);
  if (row && lockedUntil) {
    await verifyPassword(password, dummyHash);
    await writeAudit(db, {
      operator: login,
      action: 'auth.failure',
      target: login,
      details: { reason: 'locked', lockedUntil: lockedUntil.toISOString() },
    });
    throw lockedError(login, lockedUntil);
  }
  const ok = await verifyPassword(password, row?.password_hash ?? dummyHash);
  if (!row) {
    await writeAudit(db, {
      operator: login,
      action: 'auth.failure',
      target: login,
      details: { reason: 'unknown-user' },
    });
    throw failed();
  }
  const decision = await settle(db, row.id, login, ok, at, policy);
  if (!decision) throw failed();
  if (decision.kind === 'locked') throw lockedError(login, decision.until);
  if (decision.kind === 'failed') throw failed();
  return {
    userId: row.id,
    login: row.login,
    displayName: row.display_name,
    privilege: row.privilege,
    mustChangePassword: row.must_change_password,
  };
}

function lockedError(login: string, until: Date): XmServerError {
  return new XmServerError('account-locked', 'account locked', {
    params: { login, until: until.toISOString() },
  });
}

/**
 * Answers a checked password from the account's lock state read under the row's lock, and writes
 * in that same transaction (@xmcomm/pki's `decideLogin`): simultaneous attempts that all passed the
 * first look see the lock one of them set, are refused as locked and count nothing; a right password
 * does not clear a lock set meanwhile. Undefined when the account was removed meanwhile.
 */
async function settle(
  db: ServerDb,
  userId: number,
  login: string,
  passwordOk: boolean,
  at: Date,
  policy: AuthPolicy,
): Promise<LoginDecision | undefined> {
  return inTransaction(db, async (trx) => {
    const state = await trx
      .selectFrom('xm_system.users')
      .select(['failed_logins', 'lockouts', 'locked_until'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    // Removed since it was read: nobody to log in.
    if (!state) return undefined;
    const decision = decideLogin(
      {
        failedLogins: state.failed_logins,
        lockouts: state.lockouts,
        lockedUntil: state.locked_until ? asDate(state.locked_until) : null,
      },
      passwordOk,
      at,
      policy,
    );
    if (decision.kind === 'locked') {
      await writeAudit(trx, {
        operator: login,
        action: 'auth.failure',
        target: login,
        details: { reason: 'locked', lockedUntil: decision.until.toISOString() },
      });
      return decision;
    }
    if (decision.write) {
      await trx
        .updateTable('xm_system.users')
        .set({
          failed_logins: decision.write.failedLogins,
          lockouts: decision.write.lockouts,
          locked_until: decision.write.lockedUntil,
        })
        .where('id', '=', userId)
        .execute();
    }
    if (decision.kind === 'accepted') return decision;
    await writeAudit(trx, {
      operator: login,
      action: 'auth.failure',
      target: login,
      details: { reason: 'wrong-password', failures: decision.failures },
    });
    const { lock } = decision;
    if (lock) {
      await writeAudit(trx, {
        operator: login,
        action: 'auth.lock',
        target: login,
        details: {
          failures: decision.failures,
          lockouts: lock.lockouts,
          minutes: lock.minutes,
          until: lock.until.toISOString(),
        },
      });
    }
    return decision;
  });
}

/**
 * Refuses `operator` the command unless its privilege reaches `required`; a suspended operator
 * (privilege 0) reaches nothing. The refusal is audited with the operator and the command.
 */
export async function authorise(
  db: ServerDb,
  operator: Operator,
  required: Privilege,
  command: string,
): Promise<void> {
  if (operator.privilege >= required && operator.privilege > 0) return;
  await writeAudit(db, {
    operator: operator.login,
    action: 'auth.forbidden',
    target: command,
    details: { privilege: operator.privilege, required },
  });
  throw new XmServerError('forbidden', 'forbidden', {
    params: {
      login: operator.login,
      privilege: operator.privilege,
      required,
      command,
      role: roleNames[required].en,
      roleFr: roleNames[required].fr,
    },
  });
}

/** Refuses a password shorter than the minimum; the web console and the CLI share the rule. */
export function checkNewPassword(password: string): void {
  if ([...password].length < minimumPasswordLength) {
    throw new XmServerError('password-too-short', 'password too short', {
      params: { min: minimumPasswordLength },
    });
  }
}

/**
 * An operator changes their own password, having just proved `currentPassword`: the first login
 * after `init` or after a supervisor's `user passwd --temporary`. The new one must differ. Every
 * session the operator had is closed (one is opened after this, by the caller).
 */
export async function changeOwnPassword(
  db: ServerDb,
  operator: Operator,
  currentPassword: string,
  newPassword: string,
): Promise<Operator> {
  checkNewPassword(newPassword);
  if (newPassword.normalize('NFC') === currentPassword.normalize('NFC')) {
    throw new XmServerError('password-unchanged', 'same password');
  }
  const passwordHash = await hashPassword(newPassword);
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('xm_system.users')
      .set({ password_hash: passwordHash, must_change_password: false, updated_at: new Date() as never })
      .where('id', '=', operator.userId)
      .execute();
    await trx.deleteFrom('xm_system.operator_sessions').where('user_id', '=', operator.userId).execute();
    await writeAudit(trx, {
      operator: operator.login,
      action: 'auth.password-change',
      target: operator.login,
      details: { forced: operator.mustChangePassword },
    });
  });
  return { ...operator, mustChangePassword: false };
}

const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface OpenedSession {
  /** Given to the operator once; only its hash is stored. */
  readonly token: string;
  readonly session: SessionInfo;
}

/**
 * Opens a session for an operator whose password was just verified. Refused to a suspended
 * operator, and to one who must first change the password. Expired sessions of every operator are
 * deleted on the way, so the table holds only live ones.
 */
export async function openSession(
  db: ServerDb,
  operator: Operator,
  options: AuthOptions & { readonly origin: string },
): Promise<OpenedSession> {
  const { now, policy } = settings(options);
  if (operator.privilege < 1) {
    await writeAudit(db, {
      operator: operator.login,
      action: 'auth.forbidden',
      target: 'login',
      details: { privilege: operator.privilege, required: 1 },
    });
    throw new XmServerError('operator-suspended', 'suspended', { params: { login: operator.login } });
  }
  if (operator.mustChangePassword) {
    throw new XmServerError('password-change-required', 'password change required', {
      params: { login: operator.login },
    });
  }
  const at = now();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(at.getTime() + policy.sessionMinutes * 60_000);
  const idleTimeoutSeconds = Math.round(policy.idleMinutes * 60);
  const row = await inTransaction(db, async (trx) => {
    await purgeSessions(trx, { now: () => at });
    const inserted = await trx
      .insertInto('xm_system.operator_sessions')
      .values({
        token_hash: tokenHash(token),
        user_id: operator.userId,
        origin: options.origin.slice(0, 100),
        created_at: at,
        last_used_at: at,
        expires_at: expiresAt,
        idle_timeout_seconds: idleTimeoutSeconds,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(trx, {
      operator: operator.login,
      action: 'auth.login',
      target: operator.login,
      details: {
        session: inserted.id,
        origin: options.origin.slice(0, 100),
        expires: expiresAt.toISOString(),
      },
    });
    return inserted;
  });
  return { token, session: { id: row.id, createdAt: at, expiresAt, idleTimeoutSeconds } };
}

/**
 * The operator a session token stands for, as the database says now (a privilege changed since
 * the login counts at once). An unknown, expired or idle session is `not-logged-in`; an expired
 * one is deleted. Each use pushes the idle deadline back.
 */
export async function resumeSession(
  db: ServerDb,
  token: string,
  options: AuthOptions = {},
): Promise<Operator> {
  const { now } = settings(options);
  const row = await db
    .selectFrom('xm_system.operator_sessions as s')
    .innerJoin('xm_system.users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.created_at',
      's.last_used_at',
      's.expires_at',
      's.idle_timeout_seconds',
      'u.id as user_id',
      'u.login',
      'u.display_name',
      'u.privilege',
      'u.must_change_password',
    ])
    .where('s.token_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (!row) throw new XmServerError('not-logged-in', 'no such session', { params: { reason: 'expired' } });
  const at = now();
  const expiresAt = asDate(row.expires_at);
  const idleEnd = new Date(asDate(row.last_used_at).getTime() + row.idle_timeout_seconds * 1000);
  if (expiresAt <= at || idleEnd <= at) {
    await db.deleteFrom('xm_system.operator_sessions').where('id', '=', row.id).execute();
    throw new XmServerError('not-logged-in', 'session expired', { params: { reason: 'expired' } });
  }
  await db
    .updateTable('xm_system.operator_sessions')
    .set({ last_used_at: at })
    .where('id', '=', row.id)
    .execute();
  return {
    userId: row.user_id,
    login: row.login,
    displayName: row.display_name,
    privilege: row.privilege,
    mustChangePassword: row.must_change_password,
    session: {
      id: row.id,
      createdAt: asDate(row.created_at),
      expiresAt,
      idleTimeoutSeconds: row.idle_timeout_seconds,
    },
  };
}

/** Logs a session out. False when it was already gone (expired, revoked). */
export async function revokeSession(db: ServerDb, token: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const gone = await trx
      .deleteFrom('xm_system.operator_sessions')
      .where('token_hash', '=', tokenHash(token))
      .returning(['id', 'user_id'])
      .executeTakeFirst();
    if (!gone) return false;
    const user = await trx
      .selectFrom('xm_system.users')
      .select('login')
      .where('id', '=', gone.user_id)
      .executeTakeFirstOrThrow();
    await writeAudit(trx, {
      operator: user.login,
      action: 'auth.logout',
      target: user.login,
      details: { session: gone.id },
    });
    return true;
  });
}

/** Closes every session of a user (new password set by a supervisor, suspension); returns how many. */
export async function revokeUserSessions(db: ServerDb, login: string): Promise<number> {
  const rows = await db
    .deleteFrom('xm_system.operator_sessions')
    .where('user_id', 'in', (eb) => eb.selectFrom('xm_system.users').select('id').where('login', '=', login))
    .returning('id')
    .execute();
  return rows.length;
}

/** Deletes the sessions past their end or their idle timeout. */
export async function purgeSessions(db: ServerDb, options: AuthOptions = {}): Promise<number> {
  const at = settings(options).now();
  const rows = await db
    .deleteFrom('xm_system.operator_sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', at),
        eb(
          sql<Date>`${sql.ref('last_used_at')} + ${sql.ref('idle_timeout_seconds')} * interval '1 second'`,
          '<=',
          at,
        ),
      ]),
    )
    .returning('id')
    .execute();
  return rows.length;
}

export interface LockState {
  readonly login: string;
  readonly failedLogins: number;
  readonly lockouts: number;
  readonly lockedUntil: Date | null;
}

/** The lockout state of a user, for `user show` and the console. */
export async function lockState(db: ServerDb, login: string, options: AuthOptions = {}): Promise<LockState> {
  const at = settings(options).now();
  const row = await db
    .selectFrom('xm_system.users')
    .select(['login', 'failed_logins', 'lockouts', 'locked_until'])
    .where('login', '=', login)
    .executeTakeFirst();
  if (!row) throw new XmServerError('unknown-user', `unknown user ${login}`, { params: { login } });
  return {
    login: row.login,
    failedLogins: row.failed_logins,
    lockouts: row.lockouts,
    lockedUntil: lockInForce(row.locked_until ? asDate(row.locked_until) : null, at),
  };
}

/** A supervisor lifts a lock and clears the count of wrong passwords; returns the state before. */
export async function unlockOperator(
  db: ServerDb,
  login: string,
  options: AuthOptions = {},
): Promise<LockState> {
  const before = await lockState(db, login, options);
  await db
    .updateTable('xm_system.users')
    .set({ failed_logins: 0, lockouts: 0, locked_until: null })
    .where('login', '=', login)
    .execute();
  return before;
}
