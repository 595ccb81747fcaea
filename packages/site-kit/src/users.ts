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
import { SiteKitError } from './errors.js';
import type { Language, Privilege, Text } from './record-type.js';
import { retireSigningKeys } from './signing.js';
import type { KitDb } from './tables.js';

/** Privilege 3 heads the site, 2 verifies, 1 drafts, 0 suspends. */
export const privilegeNames: Readonly<Record<Privilege, Text>> = {
  0: { en: 'suspended', fr: 'suspendu' },
  1: { en: 'agent', fr: 'agent' },
  2: { en: 'secretary', fr: 'secrétaire' },
  3: { en: 'head of site', fr: 'chef de site' },
};

/** How many active users of each privilege a site may have (20 workstations: 1 + 19 + 19 users). */
export const userLimits: Readonly<Record<1 | 2 | 3, number>> = { 3: 1, 2: 19, 1: 19 };

/** Who acts: the logged-in user, and the workstation history lines name. */
export interface SessionUser {
  readonly id: number;
  readonly login: string;
  readonly privilege: Privilege;
  readonly language?: Language;
  /** A host name (CLI) or a browser's address or workstation name (web UI). */
  readonly workstation?: string | null;
}

export interface UserSummary {
  readonly id: number;
  readonly login: string;
  readonly privilege: Privilege;
  readonly displayName: string | null;
  readonly mustChangePassword: boolean;
  readonly lockedUntil: Date | null;
}

export interface NewUser {
  readonly login: string;
  readonly privilege: Privilege;
  readonly password: string;
  readonly displayName?: string;
}

/** Refuses (`forbidden`), naming what was refused and what would allow it, unless `user` has `needed`. */
export function requirePrivilege(
  user: SessionUser,
  needed: Exclude<Privilege, 0>,
  action: Text & { readonly key?: string },
): void {
  if (user.privilege >= needed) return;
  const role = privilegeNames[user.privilege] ?? privilegeNames[0];
  throw new SiteKitError('forbidden', {
    login: user.login,
    privilege: user.privilege,
    role: role.en,
    roleFr: role.fr,
    action: action.en,
    actionFr: action.fr,
    needed: privilegeNames[needed].en,
    neededFr: privilegeNames[needed].fr,
    neededPrivilege: needed,
    ...(action.key ? { actionKey: action.key } : {}),
  });
}

const manageUsers: Text = { en: 'manage users', fr: 'gérer les utilisateurs' };
const loginPattern = /^[a-z][a-z0-9._-]{1,63}$/;

/**
 * Two workstations adding users at once would both see room under the limit: counting and inserting
 * happen under a lock that lets readers (logins) through but serialises writers.
 */
async function lockUsers(db: KitDb): Promise<void> {
  await sql`lock table ${sql.table('xm_site.users')} in share row exclusive mode`.execute(db);
}

async function checkLimit(db: KitDb, privilege: Privilege, exceptId?: number): Promise<void> {
  if (privilege === 0) return;
  let query = db
    .selectFrom('xm_site.users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('privilege', '=', privilege);
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  const { count } = await query.executeTakeFirstOrThrow();
  const limit = userLimits[privilege];
  if (Number(count) >= limit) {
    const role = privilegeNames[privilege];
    throw new SiteKitError('user-limit', { limit, privilege, role: role.en, roleFr: role.fr });
  }
}

export function checkPasswordStrength(password: string): void {
  if ([...password].length < 8) {
    throw new SiteKitError('weak-password', {
      detail: 'A password has at least 8 characters.',
      detailFr: 'Un mot de passe compte au moins 8 caractères.',
    });
  }
}

const asDate = (value: Date | string | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

const summaryColumns = [
  'id',
  'login',
  'privilege',
  'display_name',
  'must_change_password',
  'locked_until',
] as const;

function summary(row: {
  id: number;
  login: string;
  privilege: number;
  display_name: string | null;
  must_change_password: boolean;
  locked_until: Date | string | null;
}): UserSummary {
  return {
    id: row.id,
    login: row.login,
    privilege: row.privilege as Privilege,
    displayName: row.display_name,
    mustChangePassword: row.must_change_password,
    lockedUntil: lockInForce(asDate(row.locked_until), new Date()),
  };
}

/** Inserts a user after checking the login and the site's limits. No privilege check: the first head is made so. */
export async function insertUser(db: KitDb, user: NewUser): Promise<UserSummary> {
  if (!loginPattern.test(user.login)) {
    throw new SiteKitError('invalid-login', {
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
    if (existing) throw new SiteKitError('duplicate-login', { login: user.login });
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
      .returning(summaryColumns)
      .executeTakeFirstOrThrow();
    return summary(row);
  });
}

/** The head adds a secretary or an agent (or, if the post is vacant, a head). */
export async function addUser(db: KitDb, actor: SessionUser, user: NewUser): Promise<UserSummary> {
  requirePrivilege(actor, 3, manageUsers);
  return insertUser(db, user);
}

async function findUser(db: KitDb, login: string): Promise<{ id: number }> {
  const row = await db.selectFrom('xm_site.users').select('id').where('login', '=', login).executeTakeFirst();
  if (!row) throw new SiteKitError('not-found', { what: 'user', whatFr: 'utilisateur', id: login });
  return row;
}

/** The head changes a user's privilege; 0 suspends. The head cannot suspend or demote themself. */
export async function setPrivilege(
  db: KitDb,
  actor: SessionUser,
  login: string,
  privilege: Privilege,
): Promise<UserSummary> {
  requirePrivilege(actor, 3, manageUsers);
  if (login === actor.login && privilege !== 3) {
    throw new SiteKitError('last-head', {
      detail: 'The head of the site cannot lower their own privilege: nobody would be left to manage users.',
      detailFr:
        'Le chef du site ne peut pas baisser son propre privilège : plus personne ne gérerait les utilisateurs.',
    });
  }
  return db.transaction().execute(async (trx) => {
    const target = await findUser(trx, login);
    await lockUsers(trx);
    await checkLimit(trx, privilege, target.id);
    const row = await trx
      .updateTable('xm_site.users')
      .set({ privilege, updated_at: sql`now()` })
      .where('id', '=', target.id)
      .returning(summaryColumns)
      .executeTakeFirstOrThrow();
    return summary(row);
  });
}

/** Suspends a user (privilege 0): they can no longer log in; their history stays. */
export function suspendUser(db: KitDb, actor: SessionUser, login: string): Promise<UserSummary> {
  return setPrivilege(db, actor, login, 0);
}

export async function listUsers(db: KitDb, actor: SessionUser): Promise<UserSummary[]> {
  requirePrivilege(actor, 3, manageUsers);
  const rows = await db
    .selectFrom('xm_site.users')
    .select(summaryColumns)
    .orderBy('privilege', 'desc')
    .orderBy('login')
    .execute();
  return rows.map(summary);
}

/**
 * The head gives a user a new password, which the user must change at the next login. The user's
 * signing keys are retired: they were locked by the old password, which nobody may use any more.
 */
export async function resetPassword(
  db: KitDb,
  actor: SessionUser,
  login: string,
  newPassword: string,
): Promise<void> {
  requirePrivilege(actor, 3, manageUsers);
  checkPasswordStrength(newPassword);
  const password_hash = await hashPassword(newPassword);
  await db.transaction().execute(async (trx) => {
    const target = await findUser(trx, login);
    await trx
      .updateTable('xm_site.users')
      .set({
        password_hash,
        must_change_password: login !== actor.login,
        failed_logins: 0,
        lockouts: 0,
        locked_until: null,
        updated_at: sql`now()`,
      })
      .where('id', '=', target.id)
      .execute();
    await retireSigningKeys(trx, target.id);
  });
}

export interface AuthOptions {
  /** The clock (tests inject one); the lock's times come from it. */
  readonly now?: (() => Date) | undefined;
  /** The lockout rule, @xmcomm/pki's (the server's operators have the same) unless changed here. */
  readonly policy?: Partial<LockoutPolicy> | undefined;
  /** Carried on the session user, so history lines name it. */
  readonly workstation?: string | null | undefined;
}

const dummyHash = '$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * Checks a login and password. The same error, and the same cost (one scrypt), for an unknown user
 * and a wrong password, so the answer does not tell which logins exist; a suspended user is told so
 * only after the right password. Wrong passwords in a row are counted and lock the account as on the
 * central server (@xmcomm/pki's `lockAfterFailure`); while locked no password is checked, so the lock
 * gives no password oracle, and a login that finds the lock only once its password is checked (a
 * simultaneous one set it) gets the same answer, counts nothing and clears nothing.
 */
export async function authenticate(
  db: KitDb,
  login: string,
  password: string,
  options: AuthOptions = {},
): Promise<SessionUser & { readonly mustChangePassword: boolean }> {
  const at = (options.now ?? (() => new Date()))();
  const policy = { ...defaultLockoutPolicy, ...options.policy };
  const row = await db
    .selectFrom('xm_site.users')
    .select(['id', 'login', 'privilege', 'password_hash', 'locked_until', 'must_change_password'])
    .where('login', '=', login)
    .executeTakeFirst();
  const lockedUntil = lockInForce(asDate(row?.locked_until ?? null), at);
  if (row && lockedUntil) {
    await verifyPassword(password, dummyHash);
    throw new SiteKitError('account-locked', { login, until: lockedUntil.toISOString() });
  }
  // Hash even for an unknown login, so the time taken does not reveal it either.
  const ok = await verifyPassword(password, row?.password_hash ?? dummyHash);
  if (!row) throw new SiteKitError('bad-login');
  const decision = await settle(db, row.id, ok, at, policy);
  if (!decision || decision.kind === 'failed') throw new SiteKitError('bad-login');
  if (decision.kind === 'locked') {
    throw new SiteKitError('account-locked', { login, until: decision.until.toISOString() });
  }
  if (row.privilege === 0) throw new SiteKitError('suspended', { login });
  return {
    id: row.id,
    login: row.login,
    privilege: row.privilege as Privilege,
    workstation: options.workstation ?? null,
    mustChangePassword: row.must_change_password,
  };
}

/**
 * Answers a checked password from the user's lock state read under the row's lock, and writes in
 * that same transaction (@xmcomm/pki's `decideLogin`): simultaneous logins from several workstations
 * see the lock one of them set, are refused as locked and count nothing. Undefined when the user was
 * removed meanwhile.
 */
async function settle(
  db: KitDb,
  userId: number,
  passwordOk: boolean,
  at: Date,
  policy: LockoutPolicy,
): Promise<LoginDecision | undefined> {
  const body = async (trx: KitDb) => {
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

/** The head lifts a user's lock and clears the count of wrong passwords; returns the state before. */
export async function unlockUser(
  db: KitDb,
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
  if (!row) throw new SiteKitError('not-found', { what: 'user', whatFr: 'utilisateur', id: login });
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

/** Stores a user's new password (they proved who they are: see `changeOwnPassword`). */
export async function storePassword(db: KitDb, userId: number, newPassword: string): Promise<void> {
  checkPasswordStrength(newPassword);
  const password_hash = await hashPassword(newPassword);
  await db
    .updateTable('xm_site.users')
    .set({ password_hash, must_change_password: false, updated_at: sql`now()` })
    .where('id', '=', userId)
    .execute();
}
