import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { XmServerError } from './errors.js';
import { readNewPassword } from './passwords.js';

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

  test('file first, then XM_NEW_PASSWORD (or its file), then the prompt typed twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xms-pw-'));
    try {
      const file = join(dir, 'pw');
      await writeFile(file, 'from-the-file\nignored second line\n');
      expect(await readNewPassword({ file, env: { XM_NEW_PASSWORD: 'from-the-env' }, labels })).toBe(
        'from-the-file',
      );
      expect(await readNewPassword({ env: { XM_NEW_PASSWORD: 'from-the-env' }, labels })).toBe(
        'from-the-env',
      );
      await writeFile(file, 'from-the-env-file\n');
      expect(await readNewPassword({ env: { XM_NEW_PASSWORD_FILE: file }, labels })).toBe(
        'from-the-env-file',
      );
      // XM_PASSWORD is the operator's own password, never taken for a new one.
      expect(await codeOf(readNewPassword({ env: { XM_PASSWORD: 'the-current-one' }, labels }))).toBe(
        'password-required',
      );
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
    expect(await codeOf(readNewPassword({ env: { XM_NEW_PASSWORD: 'short' }, labels }))).toBe(
      'password-too-short',
    );
  });
});
