import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configFolder,
  readSessionFile,
  removeSessionFile,
  sessionFilePath,
  writeSessionFile,
} from './session-file.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'xms-session-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

const saved = {
  dataDir: '/var/lib/xmserver',
  database: 'postgres://xmserver:***@db/xmcomm',
  login: 'mbarga',
  token: 'token-value',
  expiresAt: '2026-12-07T16:00:00.000Z',
};

describe('the session file', () => {
  test('in $XDG_CONFIG_HOME/xmcomm, else ~/.config/xmcomm; a relative XDG_CONFIG_HOME is ignored', () => {
    expect(configFolder({ XDG_CONFIG_HOME: '/x/config', HOME: '/home/a' })).toBe('/x/config/xmcomm');
    expect(configFolder({ HOME: '/home/a' })).toBe('/home/a/.config/xmcomm');
    expect(configFolder({ XDG_CONFIG_HOME: 'relative', HOME: '/home/a' })).toBe('/home/a/.config/xmcomm');
  });

  test('one file per server: another data directory or another database has its own', () => {
    const env = { XDG_CONFIG_HOME: home };
    const a = sessionFilePath(env, { dataDir: '/srv/a', databaseUrl: 'postgres://x@db/one' });
    expect(sessionFilePath(env, { dataDir: '/srv/a', databaseUrl: 'postgres://x@db/one' })).toBe(a);
    expect(sessionFilePath(env, { dataDir: '/srv/b', databaseUrl: 'postgres://x@db/one' })).not.toBe(a);
    expect(sessionFilePath(env, { dataDir: '/srv/a', databaseUrl: 'postgres://x@db/two' })).not.toBe(a);
    // The database password is not part of the server's identity.
    expect(sessionFilePath(env, { dataDir: '/srv/a', databaseUrl: 'postgres://x:secret@db/one' })).toBe(a);
  });

  test('written 0600 in a 0700 folder, even one that existed looser; read back; removed', async () => {
    const path = sessionFilePath({ XDG_CONFIG_HOME: home }, { dataDir: '/srv/a', databaseUrl: 'memory://' });
    await writeSessionFile(path, saved);
    await chmod(dirname(path), 0o755);
    await writeSessionFile(path, saved);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
    expect(await readSessionFile(path)).toEqual(saved);
    await removeSessionFile(path);
    expect(await readSessionFile(path)).toBeUndefined();
  });

  test('a file others could read is refused, not used; a damaged one is no session', async () => {
    const path = join(home, 'loose.json');
    await writeFile(path, JSON.stringify(saved), { mode: 0o644 });
    await chmod(path, 0o644);
    await expect(readSessionFile(path)).rejects.toMatchObject({ code: 'config-invalid' });
    await chmod(path, 0o600);
    await writeFile(path, '{not json');
    expect(await readSessionFile(path)).toBeUndefined();
  });
});
