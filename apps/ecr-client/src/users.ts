import type { SiteDatabase } from '@xmcomm/schema';
import {
  type AuthOptions,
  createSiteKit,
  type UserSummary as KitUserSummary,
  insertUser as kitInsertUser,
  checkPasswordStrength as kitPasswordStrength,
  type LockState,
  type NewUser,
  type Privilege,
  type SessionUser,
  userLimits,
} from '@xmcomm/site-kit';
import type { Kysely } from 'kysely';
import { EcrError, fromKit, viaKit } from './errors.js';
import { ecrRecordTypes } from './record-types.js';

// The centre's users are the site kit's (privileges, limits, lockout, scrypt); ECR names the roles
// its own way (the head of the centre is its officer) and keeps its errors.

export const roles = ['suspended', 'agent', 'secretary', 'officer'] as const;
export type Role = (typeof roles)[number];
const rolesFr: Record<Role, string> = {
  suspended: 'suspendu',
  agent: 'agent',
  secretary: 'secrétaire',
  officer: 'officier',
};

export { type AuthOptions, type LockState, type NewUser, type Privilege, type SessionUser, userLimits };

export interface UserSummary extends Omit<KitUserSummary, 'lockedUntil'> {
  readonly role: Role;
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

/** The kit's users on a database: they need no centre identity or rules. */
const usersOf = (db: Kysely<SiteDatabase>) =>
  createSiteKit({ db, recordTypes: ecrRecordTypes, centre: { matricule: '', centreCode: '' } }).users;

const withRole = ({ lockedUntil: _locked, ...user }: KitUserSummary): UserSummary => ({
  ...user,
  role: roleOf(user.privilege),
});

export function checkPasswordStrength(password: string): void {
  try {
    kitPasswordStrength(password);
  } catch (error) {
    throw fromKit(error);
  }
}

/** Inserts a user after checking the login and the centre's limits. No privilege check: see `addUser`. */
export async function insertUser(db: Kysely<SiteDatabase>, user: NewUser): Promise<UserSummary> {
  return withRole(await viaKit(kitInsertUser(db, user)));
}

/** The officer adds a secretary or an agent (or, if the post is vacant, an officer). */
export async function addUser(
  db: Kysely<SiteDatabase>,
  actor: SessionUser,
  user: NewUser,
): Promise<UserSummary> {
  return withRole(await viaKit(usersOf(db).add(actor, user)));
}

/** The officer changes a user's privilege; 0 suspends. The officer cannot suspend or demote themself. */
export async function setPrivilege(
  db: Kysely<SiteDatabase>,
  actor: SessionUser,
  login: string,
  privilege: Privilege,
): Promise<UserSummary> {
  return withRole(await viaKit(usersOf(db).setPrivilege(actor, login, privilege)));
}

export async function listUsers(db: Kysely<SiteDatabase>, actor: SessionUser): Promise<UserSummary[]> {
  return (await viaKit(usersOf(db).list(actor))).map(withRole);
}

/**
 * Checks a login and password; lockout and suspension as the kit settles them. A user whose password
 * the head reset may do nothing but choose their own (`toChangePassword`).
 */
export async function authenticate(
  db: Kysely<SiteDatabase>,
  login: string,
  password: string,
  options: AuthOptions & { readonly toChangePassword?: boolean } = {},
): Promise<SessionUser> {
  const { mustChangePassword, ...user } = await viaKit(usersOf(db).authenticate(login, password, options));
  if (mustChangePassword && !options.toChangePassword) {
    throw new EcrError('password-change-required', { login: user.login });
  }
  return user;
}

/** The officer lifts a user's lock and clears the count of wrong passwords; returns the state before. */
export function unlockUser(
  db: Kysely<SiteDatabase>,
  actor: SessionUser,
  login: string,
  options: Pick<AuthOptions, 'now'> = {},
): Promise<LockState> {
  return viaKit(usersOf(db).unlock(actor, login, options));
}

/** The officer sets a new password for a user who lost theirs; their signing key is retired. */
export function resetPassword(
  db: Kysely<SiteDatabase>,
  actor: SessionUser,
  login: string,
  newPassword: string,
): Promise<void> {
  return viaKit(usersOf(db).resetPassword(actor, login, newPassword));
}

/** A user changes their own password; their signing key follows it. */
export function changeOwnPassword(
  db: Kysely<SiteDatabase>,
  user: SessionUser,
  oldPassword: string,
  newPassword: string,
): Promise<void> {
  return viaKit(usersOf(db).changeOwnPassword(user, oldPassword, newPassword));
}
