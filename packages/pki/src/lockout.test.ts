import { expect, test } from 'vitest';
import { decideLogin, defaultLockoutPolicy, lockAfterFailure, lockInForce } from './lockout.js';

const at = new Date('2026-12-07T08:00:00Z');

test('the fifth wrong password in a row locks for 15 minutes; the four before do not', () => {
  for (let failures = 1; failures < 5; failures++) expect(lockAfterFailure(failures, 0, at)).toBeNull();
  expect(lockAfterFailure(5, 0, at)).toEqual({
    minutes: 15,
    until: new Date('2026-12-07T08:15:00Z'),
    lockouts: 1,
  });
});

test('a lock that goes on lasts twice the previous one, up to a day', () => {
  expect(lockAfterFailure(5, 1, at)?.minutes).toBe(30);
  expect(lockAfterFailure(5, 2, at)?.minutes).toBe(60);
  expect(lockAfterFailure(5, 6, at)?.minutes).toBe(960);
  expect(lockAfterFailure(5, 7, at)?.minutes).toBe(24 * 60);
  expect(lockAfterFailure(5, 40, at)?.minutes).toBe(24 * 60);
});

test('the policy can be changed', () => {
  const policy = { ...defaultLockoutPolicy, maxFailures: 3, lockMinutes: 1 };
  expect(lockAfterFailure(2, 0, at, policy)).toBeNull();
  expect(lockAfterFailure(3, 0, at, policy)?.until).toEqual(new Date('2026-12-07T08:01:00Z'));
});

test('a lock is in force until its time, not at it', () => {
  const until = new Date('2026-12-07T08:15:00Z');
  expect(lockInForce(until, at)).toEqual(until);
  expect(lockInForce(until, until)).toBeNull();
  expect(lockInForce(null, at)).toBeNull();
  expect(lockInForce(undefined, at)).toBeNull();
});

const open = { failedLogins: 0, lockouts: 0, lockedUntil: null };
const lockedTill = new Date('2026-12-07T08:15:00Z');

test('decideLogin: while a lock is in force, neither a wrong nor a right password writes anything', () => {
  const state = { failedLogins: 0, lockouts: 1, lockedUntil: lockedTill };
  expect(decideLogin(state, false, at)).toEqual({ kind: 'locked', until: lockedTill });
  expect(decideLogin(state, true, at)).toEqual({ kind: 'locked', until: lockedTill });
});

test('decideLogin: a wrong password counts, the fifth locks; a lock past only counts again', () => {
  expect(decideLogin(open, false, at)).toEqual({
    kind: 'failed',
    failures: 1,
    lock: null,
    write: { failedLogins: 1, lockouts: 0, lockedUntil: null },
  });
  expect(decideLogin({ ...open, failedLogins: 4, lockouts: 1 }, false, at)).toEqual({
    kind: 'failed',
    failures: 5,
    lock: { minutes: 30, until: new Date('2026-12-07T08:30:00Z'), lockouts: 2 },
    write: { failedLogins: 0, lockouts: 2, lockedUntil: new Date('2026-12-07T08:30:00Z') },
  });
  const past = { failedLogins: 2, lockouts: 1, lockedUntil: new Date('2026-12-07T07:00:00Z') };
  expect(decideLogin(past, false, at)).toMatchObject({
    kind: 'failed',
    failures: 3,
    write: { ...past, failedLogins: 3 },
  });
});

test('decideLogin: a right password clears what there is to clear, and writes nothing otherwise', () => {
  expect(decideLogin(open, true, at)).toEqual({ kind: 'accepted', write: null });
  const past = { failedLogins: 0, lockouts: 1, lockedUntil: new Date('2026-12-07T07:00:00Z') };
  expect(decideLogin(past, true, at)).toEqual({ kind: 'accepted', write: open });
  expect(decideLogin({ ...open, failedLogins: 3 }, true, at)).toEqual({ kind: 'accepted', write: open });
});
