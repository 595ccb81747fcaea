import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { spawnCli } from './helpers/run.js';

// The README's run command, spawned as a user would run it: everything embedded, real containers.
// The demo is embedded by design (its own PGlite and aedes whatever DATABASE_URL and MQTT_URL say):
// run with the real services, this file would repeat the embedded run exactly, so it runs once.
const onServices = Boolean(process.env.DATABASE_URL || process.env.MQTT_URL);

describe.skipIf(onServices)('the demo, embedded', () => {
  test('demo validates acts at simulated sites and centralises every one; the last line is JSON; mbome is its trial supervisor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xms-demo-'));
    try {
      const dataDir = join(dir, 'demo');
      const outcome = await spawnCli(
        ['demo', '--sites', '2', '--acts', '5', '--json', '--data-dir', dataDir],
        {},
        170_000,
      );
      expect(outcome.code, outcome.stderr).toBe(0);
      const last = outcome.stdout.trim().split('\n').at(-1) ?? '';
      const result = JSON.parse(last);
      expect(result).toMatchObject({ validated: 10, centralised: 10, complete: true });
      expect(result.sites).toHaveLength(2);
      for (const site of result.sites)
        expect(site).toMatchObject({ drafted: 5, validated: 5, acknowledged: 5, centralised: 5 });
      // The kept demo is entered as the trial user, who must first change its password.
      const trial = { XM_USER: 'mbome', XM_PASSWORD: 'zzzz' };
      expect((await spawnCli(['--data-dir', dataDir, 'monitor'], trial)).code).toBe(81);
      const login = await spawnCli(['--data-dir', dataDir, 'login', '--json'], {
        ...trial,
        XM_NEW_PASSWORD: 'a trial password',
      });
      expect(login.code, login.stderr).toBe(0);
      expect(JSON.parse(login.stdout)).toMatchObject({ login: 'mbome', privilege: 3 });
      expect((await spawnCli(['--data-dir', dataDir, 'monitor', '--json'])).code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);

  test('demo refuses a data directory that holds a real server: no trial supervisor there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xms-demo-real-'));
    try {
      expect(
        (await spawnCli(['--data-dir', dir, 'init'], { XM_NEW_PASSWORD: 'a real supervisor' })).code,
      ).toBe(0);
      const refused = await spawnCli(['demo', '--sites', '1', '--acts', '1'], { XM_DATA_DIR: dir });
      expect(refused.code).toBe(64);
      expect(refused.stderr).toContain('real server');
      const trial = await spawnCli(['--data-dir', dir, 'login'], { XM_USER: 'mbome', XM_PASSWORD: 'zzzz' });
      expect(trial.code).toBe(81);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test('demo refuses a site count that is not a number, before starting anything', async () => {
    const outcome = await spawnCli(['demo', '--sites', 'many']);
    expect(outcome.code).toBe(64);
    expect(outcome.stderr).toContain('Invalid --sites: many');
  });
});
