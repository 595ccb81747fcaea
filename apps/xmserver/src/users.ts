import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { asDate, nowForUpdate, sqlStateOf, sqlStates } from './database.js';
import { XmServerError } from './errors.js';

export interface ServerUser {
  readonly id: number;
  readonly login: string;
  readonly displayName: string | null;
  readonly privilege: number;
  readonly mustChangePassword: boolean;
  /** Wrong passwords in a row, and the end of a lock in force (null when none): see operator-auth.ts. */
  readonly failedLogins: number;
  readonly lockedUntil: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

type Db = Kysely<ServerDatabase>;

const loginPattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Parses a login from the command line. */
export function parseLogin(raw: string): string {
  if (!loginPattern.test(raw)) {
    throw new XmServerError('invalid-argument', `invalid login ${raw}`, {
      params: {
        name: 'login',
        value: raw,
        hint: 'Use 1-64 letters, digits, dots, dashes, @ or underscores.',
        hintFr: 'Utilisez 1 à 64 lettres, chiffres, points, tirets, @ ou soulignés.',
      },
    });
  }
  return raw;
}

/** Parses a privilege for a working user: 1 read-only, 2 operator, 3 supervisor (0 is what `suspend` sets). */
export function parsePrivilege(raw: string): 1 | 2 | 3 {
  if (!/^[123]$/.test(raw.trim()))
    throw new XmServerError('invalid-privilege', `invalid privilege ${raw}`, { params: { value: raw } });
  return Number(raw.trim()) as 1 | 2 | 3;
}

function toUser(row: {
  id: number;
  login: string;
  display_name: string | null;
  privilege: number;
  must_change_password: boolean;
  failed_logins: number;
  locked_until: unknown;
  created_at: unknown;
  updated_at: unknown;
}): ServerUser {
  const lockedUntil = row.locked_until ? asDate(row.locked_until) : null;
  return {
    id: row.id,
    login: row.login,
    displayName: row.display_name,
    privilege: row.privilege,
    mustChangePassword: row.must_change_password,
    failedLogins: row.failed_logins,
    lockedUntil: lockedUntil && lockedUntil > new Date() ? lockedUntil : null,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

const columns = [
  'id',
  'login',
  'display_name',
  'privilege',
  'must_change_password',
  'failed_logins',
  'locked_until',
  'created_at',
  'updated_at',
] as const;

export async function addUser(
  db: Db,
  user: {
    login: string;
    displayName?: string | undefined;
    privilege: number;
    passwordHash: string;
    mustChangePassword: boolean;
  },
): Promise<ServerUser> {
  const existing = await db
    .selectFrom('xm_system.users')
    .select('id')
    .where('login', '=', user.login)
    .executeTakeFirst();
  if (existing)
    throw new XmServerError('duplicate-user', `duplicate user ${user.login}`, {
      params: { login: user.login },
    });
  try {
    const row = await db
      .insertInto('xm_system.users')
      .values({
        login: user.login,
        display_name: user.displayName ?? null,
        privilege: user.privilege,
        password_hash: user.passwordHash,
        must_change_password: user.mustChangePassword,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    return toUser(row);
  } catch (cause) {
    // Two operators adding the same login at once: the unique index decides, the loser is told.
    if (sqlStateOf(cause) === sqlStates.uniqueViolation) {
      throw new XmServerError('duplicate-user', `duplicate user ${user.login}`, {
        cause,
        params: { login: user.login },
      });
    }
    throw cause;
  }
}

export async function listUsers(db: Db): Promise<ServerUser[]> {
  const rows = await db.selectFrom('xm_system.users').select(columns).orderBy('login').execute();
  return rows.map(toUser);
}

export async function getUser(db: Db, login: string): Promise<ServerUser> {
  const row = await db
    .selectFrom('xm_system.users')
    .select(columns)
    .where('login', '=', login)
    .executeTakeFirst();
  if (!row) throw new XmServerError('unknown-user', `unknown user ${login}`, { params: { login } });
  return toUser(row);
}

/**
 * Refuses to take the supervisor privilege from the last working supervisor: nobody could then add
 * users, manage the PKI or lift a lock. The supervisors' rows are locked, so two supervisors
 * demoting each other at once cannot both succeed.
 */
async function keepOneSupervisor(db: Db, login: string, privilege: number): Promise<void> {
  if (privilege >= 3) return;
  const supervisors = await db
    .selectFrom('xm_system.users')
    .select('login')
    .where('privilege', '>=', 3)
    .forUpdate()
    .execute();
  if (supervisors.length === 1 && supervisors[0]?.login === login)
    throw new XmServerError('last-supervisor', `${login} is the last supervisor`, { params: { login } });
}

export async function updateUser(
  db: Db,
  login: string,
  change: { privilege?: number; passwordHash?: string; mustChangePassword?: boolean },
): Promise<ServerUser> {
  if (change.privilege !== undefined) await keepOneSupervisor(db, login, change.privilege);
  const row = await db
    .updateTable('xm_system.users')
    .set({
      ...(change.privilege === undefined ? {} : { privilege: change.privilege }),
      ...(change.passwordHash === undefined ? {} : { password_hash: change.passwordHash }),
      ...(change.mustChangePassword === undefined ? {} : { must_change_password: change.mustChangePassword }),
      updated_at: nowForUpdate(),
    })
    .where('login', '=', login)
    .returning(columns)
    .executeTakeFirst();
  if (!row) throw new XmServerError('unknown-user', `unknown user ${login}`, { params: { login } });
  return toUser(row);
}
