import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { XmServerError } from './errors.js';
import { hashPassword, readNewPassword, verifyPassword } from './passwords.js';

describe('scrypt password hashes', () => {
  test('verify the right password, refuse a wrong one, salt every hash', async () => {
    const hash = await hashPassword('zerokey');
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(await verifyPassword('zerokey', hash)).toBe(true);
    expect(await verifyPassword('zerokeY', hash)).toBe(false);
    expect(await hashPassword('zerokey')).not.toBe(hash);
  });

  test('a malformed or absurdly expensive hash is false, not an exception', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', '$scrypt$ln=40,r=8,p=1$AAAA$AAAA')).toBe(false);
  });
});

describe('a new password never comes from an argument', () => {
  const labels = { password: 'Password: ', confirm: 'Again: ' };
  const codeOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 'none';
    } catch (error) {
      return XmServerError.isInstance(error) ? error.code : 'other';
    }
  };

  test('file first, then XM_PASSWORD, then the prompt typed twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xms-pw-'));
    try {
      const file = join(dir, 'pw');
      await writeFile(file, 'from-the-file\nignored second line\n');
      expect(await readNewPassword({ file, env: { XM_PASSWORD: 'from-the-env' }, labels })).toBe(
        'from-the-file',
      );
      expect(await readNewPassword({ env: { XM_PASSWORD: 'from-the-env' }, labels })).toBe('from-the-env');
      const answers = ['typed-twice', 'typed-twice'];
      expect(await readNewPassword({ env: {}, prompt: async () => answers.shift() ?? '', labels })).toBe(
        'typed-twice',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('nothing given, two different entries, too short', async () => {
    expect(await codeOf(readNewPassword({ env: {}, labels }))).toBe('password-required');
    const answers = ['first-one', 'second-one'];
    expect(
      await codeOf(readNewPassword({ env: {}, prompt: async () => answers.shift() ?? '', labels })),
    ).toBe('passwords-differ');
    expect(await codeOf(readNewPassword({ env: { XM_PASSWORD: 'short' }, labels }))).toBe(
      'password-too-short',
    );
  });
});
