import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { configFileName, loadConfig, sameDatabase, withoutPassword } from './config.js';
import { XmServerError } from './errors.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'xms-config-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const writeFileConfig = (settings: object) =>
  writeFile(join(dataDir, configFileName), JSON.stringify(settings));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (XmServerError.isInstance(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('configuration precedence: defaults < file < environment < flags', () => {
  test('defaults when nothing is set: an embedded database inside the data directory', async () => {
    const config = await loadConfig({ dataDir, env: {} });
    expect(config.databaseUrl).toBe(join(dataDir, 'database'));
    expect(config.serverName).toBe('xmserver');
    expect(config.housekeepingSeconds).toBe(60);
    expect(config.sources.databaseUrl).toBe('default');
  });

  test('the file overrides defaults, the environment the file, flags the environment', async () => {
    await writeFileConfig({
      serverName: 'from-file',
      brokerUrl: 'mqtt://file:1883',
      housekeepingSeconds: 30,
    });
    const env = { XM_SERVER_NAME: 'from-env', XM_BROKER_URL: 'mqtt://env:1883' };
    const fileOnly = await loadConfig({ dataDir, env: {} });
    expect([fileOnly.serverName, fileOnly.brokerUrl, fileOnly.housekeepingSeconds]).toEqual([
      'from-file',
      'mqtt://file:1883',
      30,
    ]);
    const withEnv = await loadConfig({ dataDir, env });
    expect([withEnv.serverName, withEnv.brokerUrl, withEnv.housekeepingSeconds]).toEqual([
      'from-env',
      'mqtt://env:1883',
      30,
    ]);
    expect(withEnv.sources).toMatchObject({
      serverName: 'env',
      brokerUrl: 'env',
      housekeepingSeconds: 'file',
    });
    const withFlags = await loadConfig({ dataDir, env, flags: { serverName: 'from-flag' } });
    expect([withFlags.serverName, withFlags.brokerUrl]).toEqual(['from-flag', 'mqtt://env:1883']);
    expect(withFlags.sources.serverName).toBe('flag');
  });

  test('XM_DATA_DIR names the data directory when --data-dir is absent', async () => {
    await writeFileConfig({ serverName: 'in-env-dir' });
    const config = await loadConfig({ env: { XM_DATA_DIR: dataDir } });
    expect(config.dataDir).toBe(dataDir);
    expect(config.serverName).toBe('in-env-dir');
  });

  test('a database password comes from XM_DATABASE_PASSWORD_FILE and is put into the URL', async () => {
    const secret = join(dataDir, 'db.pass');
    await writeFile(secret, 's3cret/with@chars\n');
    const config = await loadConfig({
      dataDir,
      env: { XM_DATABASE_URL: 'postgres://xm@127.0.0.1:5432/xm', XM_DATABASE_PASSWORD_FILE: secret },
    });
    expect(new URL(config.databaseUrl).password).toBe(encodeURIComponent('s3cret/with@chars'));
  });
});

describe('secrets only from the environment or files', () => {
  test('a password in the configuration file is refused', async () => {
    await writeFileConfig({ databaseUrl: 'postgres://xm:hunter2@db/xm' });
    expect(await codeOf(loadConfig({ dataDir, env: {} }))).toBe('secret-in-config');
  });

  test('a password in a command-line flag is refused', async () => {
    expect(
      await codeOf(loadConfig({ dataDir, env: {}, flags: { brokerUrl: 'mqtt://site:pw@broker:1883' } })),
    ).toBe('secret-in-config');
  });

  test('a password in the environment is accepted', async () => {
    const config = await loadConfig({ dataDir, env: { XM_DATABASE_URL: 'postgres://xm:pw@db/xm' } });
    expect(config.databaseUrl).toBe('postgres://xm:pw@db/xm');
  });
});

describe('invalid settings are reported, not guessed', () => {
  test.each([
    [{ XM_HOUSEKEEPING_SECONDS: '5' }],
    [{ XM_HOUSEKEEPING_SECONDS: 'soon' }],
    [{ XM_METRICS_PORT: '70000' }],
    [{ XM_LOG_LEVEL: 'loud' }],
    [{ XM_SERVER_NAME: 'has/slash' }],
  ])('%o', async (env) => {
    expect(await codeOf(loadConfig({ dataDir, env }))).toBe('config-invalid');
  });

  test('an unknown key or broken JSON in the file', async () => {
    await writeFileConfig({ databse: 'typo' });
    expect(await codeOf(loadConfig({ dataDir, env: {} }))).toBe('config-invalid');
    await writeFile(join(dataDir, configFileName), '{ not json');
    expect(await codeOf(loadConfig({ dataDir, env: {} }))).toBe('config-invalid');
  });
});

describe('the database a data directory keeps', () => {
  test('the file records where it is and which database it names', async () => {
    expect((await loadConfig({ dataDir, env: {} })).file).toEqual({
      path: join(dataDir, configFileName),
      found: false,
      databaseUrl: undefined,
    });
    await writeFileConfig({ databaseUrl: 'postgres://xm@db/xm' });
    const config = await loadConfig({ dataDir, env: { XM_DATABASE_URL: 'postgres://xm:pw@other/xm' } });
    expect(config.file).toMatchObject({ found: true, databaseUrl: 'postgres://xm@db/xm' });
    expect(config.databaseLocation).toBe('postgres://xm:pw@other/xm');
  });

  test('XM_DATABASE_PASSWORD goes into the URL used, never into the location kept', async () => {
    const config = await loadConfig({
      dataDir,
      flags: { databaseUrl: 'postgres://xm@db/xm' },
      env: { XM_DATABASE_PASSWORD: 'pw' },
    });
    expect(config.databaseUrl).toBe('postgres://xm:pw@db/xm');
    expect(config.databaseLocation).toBe('postgres://xm@db/xm');
  });

  test('the same database however it is written; another is another', () => {
    expect(withoutPassword('postgres://xm:pw@db:5432/xm')).toBe('postgres://xm@db:5432/xm');
    expect(withoutPassword('/srv/xm/database')).toBe('/srv/xm/database');
    expect(sameDatabase('postgres://xm:pw@DB/xm', 'postgresql://xm@db:5432/xm')).toBe(true);
    expect(sameDatabase('postgres://xm@db/xm', 'postgres://xm@db/other')).toBe(false);
    expect(sameDatabase('postgres://xm@db/xm', 'postgres://xm@db:5433/xm')).toBe(false);
    expect(sameDatabase('file:///srv/xm/db', '/srv/xm/db')).toBe(true);
    expect(sameDatabase('db', '/srv/xm/db', '/srv/xm')).toBe(true);
    expect(sameDatabase('/srv/xm/db', '/srv/xm/db2')).toBe(false);
  });
});
