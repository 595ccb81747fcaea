import * as pki from '@xmcomm/pki';
import { type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { XmServerError } from './errors.js';
import {
  authorise,
  changeOwnPassword,
  openSession,
  purgeSessions,
  resumeSession,
  revokeSession,
  unlockOperator,
  verifyOperator,
} from './operator-auth.js';
import { addUser } from './users.js';

// Counts the scrypt verifications, to show an unknown login costs what a wrong password does.
vi.mock('@xmcomm/pki', async (original) => {
  const actual = await original<typeof import('@xmcomm/pki')>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});

let database: TestDatabase<ServerDatabase>;
const db = () => database.db;

/** A clock the tests move by hand: no sleeping. */
function clock(start = '2026-12-07T08:00:00Z') {
  let at = new Date(start).getTime();
  return {
    now: () => new Date(at),
    advance: (minutes: number) => {
      at += minutes * 60_000;
    },
  };
}

let counter = 0;
async function user(privilege: number, options: { mustChange?: boolean } = {}) {
  const login = `op${++counter}`;
  await addUser(db(), {
    login,
    privilege,
    passwordHash: await pki.hashPassword(`right password ${login}`),
    mustChangePassword: options.mustChange === true,
  });
  return { login, password: `right password ${login}` };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return XmServerError.isInstance(error) ? error.code : String(error);
  }
}

const audit = (target: string) =>
  db()
    .selectFrom('xm_system.audit_log')
    .select(['operator', 'action', 'target', 'details'])
    .where('target', '=', target)
    .orderBy('id')
    .execute();

beforeAll(async () => {
  database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
});
afterAll(() => database?.close());

describe('verifying a login and password', () => {
  test('the right password gives the operator; a wrong one and an unknown login the same answer, at the same cost', async () => {
    const { login, password } = await user(2);
    const operator = await verifyOperator(db(), login, password);
    expect(operator).toMatchObject({ login, privilege: 2, mustChangePassword: false });

    const verify = vi.mocked(pki.verifyPassword);
    verify.mockClear();
    const wrong = verifyOperator(db(), login, 'not the password').catch((e: unknown) => e);
    const unknown = verifyOperator(db(), 'nobody-here', 'not the password').catch((e: unknown) => e);
    const [a, b] = (await Promise.all([wrong, unknown])) as XmServerError[];
    expect(a?.code).toBe('authentication-failed');
    expect(b?.code).toBe('authentication-failed');
    expect(a?.message).toBe(b?.message);
    expect(a?.params).toEqual(b?.params);
    // One scrypt each: the unknown login is checked against a hash of the same cost.
    expect(verify).toHaveBeenCalledTimes(2);
    expect(verify.mock.calls.map(([, hash]) => hash.split('$').slice(0, 3).join('$'))).toEqual([
      '$scrypt$ln=15,r=8,p=1',
      '$scrypt$ln=15,r=8,p=1',
    ]);

    expect(await audit(login)).toEqual([
      {
        operator: login,
        action: 'auth.failure',
        target: login,
        details: { reason: 'wrong-password', failures: 1 },
      },
    ]);
    expect((await audit('nobody-here'))[0]).toMatchObject({
      action: 'auth.failure',
      details: { reason: 'unknown-user' },
    });
  });
});

describe('lockout', () => {
  test('5 wrong passwords lock for 15 minutes, even the right password is refused; time lifts it', async () => {
    const { login, password } = await user(2);
    const time = clock();
    for (let n = 0; n < 5; n++) {
      expect(await codeOf(verifyOperator(db(), login, `wrong ${n}`, time))).toBe('authentication-failed');
    }
    const locked = await verifyOperator(db(), login, password, time).catch(
      (e: unknown) => e as XmServerError,
    );
    expect(locked).toMatchObject({
      code: 'account-locked',
      params: { login, until: '2026-12-07T08:15:00.000Z' },
    });
    const entries = await audit(login);
    expect(entries.map((e) => e.action)).toEqual([
      ...Array(5).fill('auth.failure'),
      'auth.lock',
      'auth.failure',
    ]);
    expect(entries[5]?.details).toMatchObject({ failures: 5, lockouts: 1, minutes: 15 });
    expect(entries[6]?.details).toMatchObject({ reason: 'locked' });

    time.advance(14);
    expect(await codeOf(verifyOperator(db(), login, password, time))).toBe('account-locked');
    time.advance(1);
    expect(await verifyOperator(db(), login, password, time)).toMatchObject({ login });
    const row = await db()
      .selectFrom('xm_system.users')
      .select(['failed_logins', 'lockouts', 'locked_until'])
      .where('login', '=', login)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_logins: 0, lockouts: 0, locked_until: null });
  });

  test('a lock that goes on lasts longer each time; a success starts again from 15 minutes', async () => {
    const { login, password } = await user(1);
    const time = clock();
    const fail5 = async () => {
      for (let n = 0; n < 5; n++) await codeOf(verifyOperator(db(), login, 'wrong', time));
    };
    const until = async () =>
      ((await verifyOperator(db(), login, password, time).catch((e: unknown) => e)) as XmServerError).params
        .until;
    await fail5();
    expect(await until()).toBe('2026-12-07T08:15:00.000Z');
    time.advance(15);
    await fail5();
    expect(await until()).toBe('2026-12-07T08:45:00.000Z');
    time.advance(30);
    await fail5();
    expect(await until()).toBe('2026-12-07T09:45:00.000Z');
    time.advance(60);
    expect(await verifyOperator(db(), login, password, time)).toMatchObject({ login });
    await fail5();
    expect(await until()).toBe('2026-12-07T10:00:00.000Z');
  });

  test('four wrong passwords and a right one: the count starts again', async () => {
    const { login, password } = await user(1);
    for (let n = 0; n < 4; n++) await codeOf(verifyOperator(db(), login, 'wrong'));
    await verifyOperator(db(), login, password);
    for (let n = 0; n < 4; n++) await codeOf(verifyOperator(db(), login, 'wrong'));
    expect(await verifyOperator(db(), login, password)).toMatchObject({ login });
  });

  test('a supervisor lifts the lock at once', async () => {
    const { login, password } = await user(2);
    for (let n = 0; n < 5; n++) await codeOf(verifyOperator(db(), login, 'wrong'));
    expect(await codeOf(verifyOperator(db(), login, password))).toBe('account-locked');
    const before = await unlockOperator(db(), login);
    expect(before.lockedUntil).toBeInstanceOf(Date);
    expect(await verifyOperator(db(), login, password)).toMatchObject({ login });
    expect(await codeOf(unlockOperator(db(), 'no-such-user'))).toBe('unknown-user');
  });
});

const { verifyPassword: realVerify } = await vi.importActual<typeof import('@xmcomm/pki')>('@xmcomm/pki');

/**
 * Holds every password check, once done, until the test lets it go: as when simultaneous attempts
 * all read the account before any of them has written. `checks` lists those held, in order.
 */
function holdChecks() {
  const checks: { password: string; go: () => void }[] = [];
  const verify = vi.mocked(pki.verifyPassword);
  verify.mockImplementation(async (password, hash) => {
    const ok = await realVerify(password, hash);
    await new Promise<void>((go) => checks.push({ password, go }));
    return ok;
  });
  return {
    checks,
    waitFor: (count: number) => vi.waitFor(() => expect(checks.length).toBe(count), { timeout: 60_000 }),
    [Symbol.dispose]: () => verify.mockImplementation(realVerify),
  };
}

const lockState = (login: string) =>
  db()
    .selectFrom('xm_system.users')
    .select(['failed_logins', 'lockouts', 'locked_until'])
    .where('login', '=', login)
    .executeTakeFirstOrThrow();

describe('simultaneous attempts', () => {
  test('of 12 wrong passwords that all read the account before any failure was counted, 5 are answered and lock it once; the rest are refused as locked, uncounted', async () => {
    const { login } = await user(2);
    const time = clock();
    using hold = holdChecks();
    const attempts = Array.from({ length: 12 }, (_, n) =>
      codeOf(verifyOperator(db(), login, `wrong ${n}`, time)),
    );
    await hold.waitFor(12);
    for (const check of hold.checks) check.go();
    const codes = await Promise.all(attempts);
    expect(codes.filter((code) => code === 'authentication-failed')).toHaveLength(5);
    expect(codes.filter((code) => code === 'account-locked')).toHaveLength(7);
    expect(await lockState(login)).toEqual({
      failed_logins: 0,
      lockouts: 1,
      locked_until: new Date('2026-12-07T08:15:00.000Z'),
    });
    const entries = await audit(login);
    expect(entries.filter((e) => e.action === 'auth.lock')).toHaveLength(1);
    expect(entries.filter((e) => e.action === 'auth.failure').map((e) => e.details)).toEqual([
      ...[1, 2, 3, 4, 5].map((failures) => ({ reason: 'wrong-password', failures })),
      ...Array(7).fill({ reason: 'locked', lockedUntil: '2026-12-07T08:15:00.000Z' }),
    ]);
  }, 120_000);

  test('a right password whose check ends after a simultaneous attempt set the lock is refused, and leaves the lock', async () => {
    const { login, password } = await user(2);
    const time = clock();
    using hold = holdChecks();
    const right = codeOf(verifyOperator(db(), login, password, time));
    const wrong = Array.from({ length: 5 }, (_, n) =>
      codeOf(verifyOperator(db(), login, `wrong ${n}`, time)),
    );
    await hold.waitFor(6);
    for (const check of hold.checks) if (check.password !== password) check.go();
    expect(await Promise.all(wrong)).toEqual(Array(5).fill('authentication-failed'));
    for (const check of hold.checks) if (check.password === password) check.go();
    expect(await right).toBe('account-locked');
    expect(await lockState(login)).toEqual({
      failed_logins: 0,
      lockouts: 1,
      locked_until: new Date('2026-12-07T08:15:00.000Z'),
    });
  }, 120_000);

  test('20 wrong passwords at once, without holding: 5 are answered, one lock of 15 minutes', async () => {
    const { login } = await user(2);
    const time = clock();
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, n) => codeOf(verifyOperator(db(), login, `wrong ${n}`, time))),
    );
    expect(codes.filter((code) => code === 'authentication-failed')).toHaveLength(5);
    expect(await lockState(login)).toMatchObject({ failed_logins: 0, lockouts: 1 });
  }, 120_000);
});

describe('privileges', () => {
  test('below the command level, or suspended: forbidden, and the refusal is audited with user and command', async () => {
    const reader = await user(1);
    const operator = await verifyOperator(db(), reader.login, reader.password);
    await authorise(db(), operator, 1, 'client list');
    expect(await codeOf(authorise(db(), operator, 2, 'client credit'))).toBe('forbidden');
    const suspended = await user(0);
    const asSuspended = await verifyOperator(db(), suspended.login, suspended.password);
    expect(await codeOf(authorise(db(), asSuspended, 1, 'client list'))).toBe('forbidden');
    expect(await codeOf(openSession(db(), asSuspended, { origin: 'test' }))).toBe('operator-suspended');
    const refusals = await db()
      .selectFrom('xm_system.audit_log')
      .select(['operator', 'target', 'details'])
      .where('action', '=', 'auth.forbidden')
      .where('operator', 'in', [reader.login, suspended.login])
      .orderBy('id')
      .execute();
    expect(refusals).toEqual([
      { operator: reader.login, target: 'client credit', details: { privilege: 1, required: 2 } },
      { operator: suspended.login, target: 'client list', details: { privilege: 0, required: 1 } },
      { operator: suspended.login, target: 'login', details: { privilege: 0, required: 1 } },
    ]);
  });
});

describe('sessions', () => {
  test('only a hash of the token is stored; resuming gives the operator as the database says now', async () => {
    const { login, password } = await user(3);
    const time = clock();
    const operator = await verifyOperator(db(), login, password, time);
    const { token, session } = await openSession(db(), operator, { origin: 'cli test@host', ...time });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt.toISOString()).toBe('2026-12-07T16:00:00.000Z');
    const stored = await db()
      .selectFrom('xm_system.operator_sessions')
      .selectAll()
      .where('id', '=', session.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(await resumeSession(db(), token, time)).toMatchObject({ login, privilege: 3 });
    await db().updateTable('xm_system.users').set({ privilege: 1 }).where('login', '=', login).execute();
    expect(await resumeSession(db(), token, time)).toMatchObject({ login, privilege: 1 });
    expect(await codeOf(resumeSession(db(), 'x'.repeat(43), time))).toBe('not-logged-in');
  });

  test('30 minutes without a command end it; each command pushes the idle end back', async () => {
    const { login, password } = await user(2);
    const time = clock();
    const operator = await verifyOperator(db(), login, password, time);
    const { token, session } = await openSession(db(), operator, { origin: 'test', ...time });
    time.advance(29);
    await resumeSession(db(), token, time);
    time.advance(29);
    await resumeSession(db(), token, time);
    time.advance(30);
    expect(await codeOf(resumeSession(db(), token, time))).toBe('not-logged-in');
    // The ended session is gone from the table.
    expect(
      await db()
        .selectFrom('xm_system.operator_sessions')
        .select('id')
        .where('id', '=', session.id)
        .execute(),
    ).toEqual([]);
  });

  test('however busy, a session ends after 8 hours', async () => {
    const { login, password } = await user(2);
    const time = clock();
    const operator = await verifyOperator(db(), login, password, time);
    const { token } = await openSession(db(), operator, { origin: 'test', ...time });
    for (let minutes = 20; minutes < 8 * 60; minutes += 20) {
      time.advance(20);
      await resumeSession(db(), token, time);
    }
    time.advance(20);
    expect(await codeOf(resumeSession(db(), token, time))).toBe('not-logged-in');
  });

  test('logout revokes it; purging removes only ended sessions', async () => {
    const { login, password } = await user(2);
    const time = clock('2030-01-01T00:00:00Z');
    const operator = await verifyOperator(db(), login, password, time);
    const first = await openSession(db(), operator, { origin: 'test', ...time });
    expect(await revokeSession(db(), first.token)).toBe(true);
    expect(await revokeSession(db(), first.token)).toBe(false);
    expect(await codeOf(resumeSession(db(), first.token, time))).toBe('not-logged-in');
    const kept = await openSession(db(), operator, { origin: 'test', ...time });
    time.advance(31);
    const fresh = await openSession(db(), operator, { origin: 'test', ...time });
    // Opening `fresh` purged the idle one.
    expect(await codeOf(resumeSession(db(), kept.token, time))).toBe('not-logged-in');
    expect(await purgeSessions(db(), time)).toBe(0);
    await resumeSession(db(), fresh.token, time);
    expect((await audit(login)).map((e) => e.action)).toEqual([
      'auth.login',
      'auth.logout',
      'auth.login',
      'auth.login',
    ]);
  });

  test('a password that must change opens no session until it is changed; the new one must differ', async () => {
    const { login, password } = await user(3, { mustChange: true });
    const operator = await verifyOperator(db(), login, password);
    expect(operator.mustChangePassword).toBe(true);
    expect(await codeOf(openSession(db(), operator, { origin: 'test' }))).toBe('password-change-required');
    expect(await codeOf(changeOwnPassword(db(), operator, password, password))).toBe('password-unchanged');
    expect(await codeOf(changeOwnPassword(db(), operator, password, 'short'))).toBe('password-too-short');
    const changed = await changeOwnPassword(db(), operator, password, 'a brand new password');
    await openSession(db(), changed, { origin: 'test' });
    expect(await codeOf(verifyOperator(db(), login, password))).toBe('authentication-failed');
    expect(await verifyOperator(db(), login, 'a brand new password')).toMatchObject({
      mustChangePassword: false,
    });
  });
});
