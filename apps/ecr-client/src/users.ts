import {
  decideLogin,
  defaultLockoutPolicy,
  hashPassword,
  type LockoutPolicy,
  type LoginDecision,
  lockInForce,
  verifyPassword,
} from '@xmcomm/pki';
import type { SiteDatabase } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import { EcrError } from './errors.js';

export const roles = ['suspended', 'agent', 'secretary', 'officer'] as const;
export type Role = (typeof roles)[number];
const rolesFr: Record<Role, string> = {
  suspended: 'suspendu',
  agent: 'agent',
  secretary: 'secrétaire',
  officer: 'officier',
};

/** How many active users of each privilege a centre may have (20 workstations: 1 + 19 + 19 users). */
export const userLimits: Readonly<Record<1 | 2 | 3, number>> = { 3: 1, 2: 19, 1: 19 };

export type Privilege = 0 | 1 | 2 | 3;

export interface SessionUser {
  readonly id: number;
  readonly login: string;
  readonly privilege: Privilege;
}

export interface UserSummary extends SessionUser {
  readonly role: Role;
  readonly displayName: string | null;
  readonly mustChangePassword: boolean;
}

export function roleOf(privilege: number): Role {
  return roles[privilege] ?? 'suspended';
}

/** A role's name in the user's language (`officer`, `officier`). */
export function roleName(privilege: number, language: 'en' | 'fr'): string {
  const role = roleOf(privilege);
  return language === 'fr' ? rolesFr[role] : role;
}

export function parseRole(text: string): Privilege | undefined {
  const index = (roles as readonly string[]).indexOf(text);
  if (index >= 0) return index as Privilege;
  return /^[0-3]$/.test(text) ? (Number(text) as Privilege) : undefined;
}

/** Refuses, with a message naming what was refused and what would allow it, unless `user` has `needed`. */
export function requirePrivilege(
  user: SessionUser,
  needed: Exclude<Privilege, 0>,
  action: { en: string; fr: string },
): void {
  if (user.privilege >= needed) return;
  throw new EcrError('permission-denied', {
    login: user.login,
    role: roleOf(user.privilege),
    roleFr: rolesFr[roleOf(user.privilege)],
    action: action.en,
    actionFr: action.fr,
    needed: roleOf(needed),
    neededFr: rolesFr[roleOf(needed)],
  });
}

/**
 * Two workstations adding users at once would both see room under the limit: counting and inserting
 * happen under a lock that lets readers (logins) through but serialises writers.
 */
async function lockUsers(db: Kysely<SiteDatabase>): Promise<void> {
  await sql`lock table ${sql.table('xm_site.users')} in share row exclusive mode`.execute(db);
}

const loginPattern = /^[a-z][a-z0-9._-]{1,63}$/;

async function checkLimit(db: Kysely<SiteDatabase>, privilege: Privilege, exceptId?: number): Promise<void> {
  if (privilege === 0) return;
  let query = db
    .selectFrom('xm_site.users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('privilege', '=', privilege);
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  const { count } = await query.executeTakeFirstOrThrow();
  const limit = userLimits[privilege];
  if (Number(count) >= limit) {
    throw new EcrError('user-limit', { limit, role: roleOf(privilege), roleFr: rolesFr[roleOf(privilege)] });
  }
}

export interface NewUser {
  readonly login: string;
  readonly privilege: Privilege;
  readonly password: string;
  readonly displayName?: string;
}

/** Inserts a user after checking the login and the centre's limits. No privilege check: see `addUser`. */
export async function insertUser(db: Kysely<SiteDatabase>, user: NewUser): Promise<UserSummary> {
  if (!loginPattern.test(user.login)) {
    throw new EcrError('usage', {
      detail:
        'A login is 2-64 lower-case letters, digits, dots, dashes or underscores, starting with a letter.',
      detailFr:
        'Un identifiant compte 2 à 64 lettres minuscules, chiffres, points, tirets ou soulignés, et commence par une lettre.',
    });
  }
  checkPasswordStrength(user.password);
  const password_hash = await hashPassword(user.password);
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('xm_site.users')
      .select('id')
      .where('login', '=', user.login)
      .executeTakeFirst();
    if (existing) throw new EcrError('duplicate-user', { login: user.login });
    await lockUsers(trx);
    await checkLimit(trx, user.privilege);
    const row = await trx
      .insertInto('xm_site.users')
      .values({
        login: user.login,
        privilege: user.privilege,
        password_hash,
        display_name: user.displayName ?? null,
        must_change_password: false,
      })
      .returning(['id', 'login', 'privilege', 'display_name', 'must_change_password'])
      .executeTakeFirstOrThrow();
    return summary(row);
  });
}

function summary(row: {
  id: number;
  login: string;
  privilege: number;
  display_name: string | null;
  must_change_password: boolean;
}): UserSummary {
  return {
    id: row.id,
    login: row.login,
    privilege: row.privilege as Privilege,
    role: roleOf(row.privilege),
    displayName: row.display_name,
    mustChangePassword: row.must_change_password,
  };
}

export function checkPasswordStrength(password: string): void {
  if ([...password].length < 8) {
    throw new EcrError('usage', {
      detail: 'A password has at least 8 characters.',
      detailFr: 'Un mot de passe compte au moins 8 caractères.',
    });
  }
}

const manageUsers = { en: 'manage users', fr: 'gérer les utilisateurs' };

/** The officer adds a secretary or an agent (or, if the post is vacant, an officer). */
export async function addUser(
  db: Kysely<SiteDatabase>,
  actor: SessionUser,
  user: NewUser,
): Promise<UserSummary> {
  requirePrivilege(actor, 3, manageUsers);
  return insertUser(db, user);
}

/** The officer changes a user's privilege; 0 suspends. The officer cannot suspend or demote themself. */
export async function setPrivilege(
  db: Kysely<SiteDatabase>,
  actor: SessionUser,
  login: string,
  privilege: Privilege,
): Promise<UserSummary> {
  requirePrivilege(actor, 3, manageUsers);
  if (login === actor.login && privilege !== 3) {
    throw new EcrError('invalid-state', {
      detail: 'The officer cannot lower their own privilege: the centre would have nobody to manage users.',
      detailFr:
        "L'officier ne peut pas baisser son propre privilège : plus personne ne gérerait les utilisateurs.",
    });
  }
  return db.transaction().execute(async (trx) => {
    const target = await trx
      .selectFrom('xm_site.users')
      .select(['id'])
      .where('login', '=', login)
      .executeTakeFirst();
    if (!target) throw new EcrError('not-found', { what: 'user', whatFr: 'utilisateur', id: login });
    await lockUsers(trx);
    await checkLimit(trx, privilege, target.id);
    const row = await trx
      .updateTable('xm_site.users')
      .set({ privilege, updated_at: sql`now()` })
      .where('id', '=', target.id)
      .returning(['id', 'login', 'privilege', 'display_name', 'must_change_password'])
      .executeTakeFirstOrThrow();
    return summary(row);
  });
}

export async function listUsers(db: Kysely<SiteDatabase>, actor: SessionUser): Promise<UserSummary[]> {
  requirePrivilege(actor, 3, manageUsers);
  const rows = await db
    .selectFrom('xm_site.users')
    .select(['id', 'login', 'privilege', 'display_name', 'must_change_password'])
    .orderBy('privilege', 'desc')
    .orderBy('login')
    .execute();
  return rows.map(summary);
}

export interface AuthOptions {
  /** The clock (tests inject one); the lock's times come from it. */
  readonly now?: (() => Date) | undefined;
  /** The lockout rule, @xmcomm/pki's (the server's operators have the same) unless changed here. */
  readonly policy?: Partial<LockoutPolicy> | undefined;
}

const asDate = (value: Date | string | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

/**
 * Checks a login and password. The same error, and the same cost (one scrypt), for an unknown user
 * and a wrong password, so the answer does not tell which logins exist; a suspended user is told so
 * only after the right password. Wrong passwords in a row are counted, and lock the account as on the
 * central server (@xmcomm/pki's `lockAfterFailure`: 5 lock 15 minutes, each further lock in a row
 * twice as long); while locked no password is checked, so the lock gives no password oracle, and a
 * login that finds the lock only once its password is checked (a simultaneous one set it) gets the
 * same answer, counts nothing and clears nothing. A success clears the count; the officer lifts a
 * lock with `unlockUser`.
 */
export async function authenticate(
  db: Kysely<SiteDatabase>,
  login: string,
  password: string,
  options: AuthOptions = {},
): Promise<SessionUser> {
  const at = (options.now ?? (() => new Date()))();
  const policy = { ...defaultLockoutPolicy, ...options.policy };
  const row = await db
    .selectFrom('xm_site.users')
    .select(['id', 'login', 'privilege', 'password_hash', 'failed_logins', 'lockouts', 'locked_until'])
    .where('login', '=', login)
    .executeTakeFirst();
  const lockedUntil = lockInForce(asDate(row?.locked_until ?? null), at);
  if (row && lockedUntil) {
    await verifyPassword(password, dummyHash);
    throw new EcrError('account-locked', { login, until: lockedUntil.toISOString() });
  }
  // Hash even for an unknown login, so the time taken does not reveal it either.
  const ok = await verifyPassword(password, row?.password_hash ?? dummyHash);
  if (!row) throw new EcrError('authentication-failed');
  const decision = await settle(db, row.id, ok, at, policy);
  if (!decision || decision.kind === 'failed') throw new EcrError('authentication-failed');
  if (decision.kind === 'locked') {
    throw new EcrError('account-locked', { login, until: decision.until.toISOString() });
  }
  if (row.privilege === 0) throw new EcrError('user-suspended', { login });
  return { id: row.id, login: row.login, privilege: row.privilege as Privilege };
}

/**
 * Answers a checked password from the user's lock state read under the row's lock, and writes in
 * that same transaction (@xmcomm/pki's `decideLogin`): simultaneous logins from several workstations
 * that all passed the first look see the lock one of them set, are refused as locked and count
 * nothing; a right password does not clear a lock set meanwhile. Undefined when the user was removed
 * meanwhile.
 */
async function settle(
  db: Kysely<SiteDatabase>,
  userId: number,
  passwordOk: boolean,
  at: Date,
  policy: LockoutPolicy,
): Promise<LoginDecision | undefined> {
  const body = async (trx: Kysely<SiteDatabase>) => {
    const state = await trx
      .selectFrom('xm_site.users')
      .select(['failed_logins', 'lockouts', 'locked_until'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (!state) return undefined;
    const decision = decideLogin(
      {
        failedLogins: state.failed_logins,
        lockouts: state.lockouts,
        lockedUntil: asDate(state.locked_until),
      },
      passwordOk,
      at,
      policy,
    );
    if (decision.kind !== 'locked' && decision.write) {
      await trx
        .updateTable('xm_site.users')
        .set({
          failed_logins: decision.write.failedLogins,
          lockouts: decision.write.lockouts,
          locked_until: decision.write.lockedUntil as never,
        })
        .where('id', '=', userId)
        .execute();
    }
    return decision;
  };
  return db.isTransaction ? body(db) : db.transaction().execute(body);
}

export interface LockState {
  readonly login: string;
  readonly failedLogins: number;
  /** The lock in force, if any. */
  readonly lockedUntil: Date | null;
}

/** The officer lifts a user's lock and clears the count of wrong passwords; returns the state before. */
export async function unlockUser(
  db: Kysely<SiteDatabase>,
  actor: SessionUser,
  login: string,
  options: Pick<AuthOptions, 'now'> = {},
): Promise<LockState> {
  requirePrivilege(actor, 3, manageUsers);
  const at = (options.now ?? (() => new Date()))();
  const row = await db
    .selectFrom('xm_site.users')
    .select(['id', 'login', 'failed_logins', 'locked_until'])
    .where('login', '=', login)
    .executeTakeFirst();
  if (!row) throw new EcrError('not-found', { what: 'user', whatFr: 'utilisateur', id: login });
  await db
    .updateTable('xm_site.users')
    .set({ failed_logins: 0, lockouts: 0, locked_until: null })
    .where('id', '=', row.id)
    .execute();
  return {
    login: row.login,
    failedLogins: row.failed_logins,
    lockedUntil: lockInForce(asDate(row.locked_until), at),
  };
}

const dummyHash = '$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** A user changes their own password (they proved the old one by logging in). */
export async function changeOwnPassword(
  db: Kysely<SiteDatabase>,
  user: SessionUser,
  newPassword: string,
): Promise<void> {
  checkPasswordStrength(newPassword);
  const password_hash = await hashPassword(newPassword);
  await db
    .updateTable('xm_site.users')
    .set({ password_hash, must_change_password: false, updated_at: sql`now()` })
    .where('id', '=', user.id)
    .execute();
}
