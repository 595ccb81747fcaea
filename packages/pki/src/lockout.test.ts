import { expect, test } from 'vitest';
import { defaultLockoutPolicy, lockAfterFailure, lockInForce } from './lockout.js';

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
