import { describe, expect, test } from 'vitest';
import { xmServerErrorCodes } from './errors.js';
import { exitCodeOf, exitCodes, usageExitCode } from './exit-codes.js';
import { describeError } from './messages.js';

describe('one table from error codes to exit codes', () => {
  test('every error code has a non-zero exit code, and the table has no stray entries', () => {
    expect(Object.keys(exitCodes).sort()).toEqual([...xmServerErrorCodes].sort());
    for (const code of xmServerErrorCodes) expect(exitCodeOf(code)).toBeGreaterThan(0);
  });

  test('scripts can tell the kinds of failure apart', () => {
    expect(exitCodeOf('invalid-status')).toBe(usageExitCode);
    expect(exitCodeOf('invalid-amount')).toBe(usageExitCode);
    expect(exitCodeOf('unknown-client')).toBe(68);
    expect(exitCodeOf('unknown-user')).toBe(67);
    expect(exitCodeOf('duplicate-user')).toBe(73);
    expect(exitCodeOf('database-unavailable')).toBe(75);
    expect(exitCodeOf('not-initialised')).toBe(78);
    expect(exitCodeOf('internal')).toBe(70);
    expect(exitCodeOf('forbidden')).toBe(77);
    // Nobody logged in, and a login refused, each have a number of their own.
    expect(exitCodeOf('not-logged-in')).toBe(80);
    expect(exitCodeOf('authentication-failed')).toBe(81);
    expect(exitCodeOf('account-locked')).toBe(81);
    expect(
      new Set([exitCodeOf('unknown-client'), exitCodeOf('duplicate-client'), exitCodeOf('invalid-status')])
        .size,
    ).toBe(3);
  });
});

describe('messages in English and French', () => {
  const params = {
    value: 'x',
    login: 'x',
    matricule: 'x',
    dataDir: '/d',
    url: 'u',
    detail: 'd',
    where: 'w',
    hint: 'h',
    min: 8,
    name: 'n',
    feature: 'f',
    serial: 's',
    what: 'w',
    username: 'u',
    topic: 't',
    reason: 'r',
    reasonCode: 135,
    address: '127.0.0.1:9464',
    option: '--o',
    env: 'E',
    command: 'client credit',
    privilege: 1,
    required: 2,
    role: 'operator',
    until: '2026-12-07T10:15:00.000Z',
    other: 'SITE-A',
    path: '/d/xmserver.json',
    embedded: '/d/database',
  };
  test.each(xmServerErrorCodes)('%s', (code) => {
    const en = describeError(code, params, 'en');
    const fr = describeError(code, params, 'fr');
    expect(en.length).toBeGreaterThan(10);
    expect(fr.length).toBeGreaterThan(10);
    expect(fr).not.toBe(en);
    expect(en).not.toContain('undefined');
    expect(fr).not.toContain('undefined');
  });
});
