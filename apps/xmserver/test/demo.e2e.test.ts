import { expect, test } from 'vitest';
import { spawnCli } from './helpers/run.js';

// The README's run command, spawned as a user would run it: everything embedded, real containers.
test('demo validates acts at simulated sites and centralises every one; the last line is JSON', async () => {
  const outcome = await spawnCli(['demo', '--sites', '2', '--acts', '5', '--json'], {}, 170_000);
  expect(outcome.code, outcome.stderr).toBe(0);
  const last = outcome.stdout.trim().split('\n').at(-1) ?? '';
  const result = JSON.parse(last);
  expect(result).toMatchObject({ validated: 10, centralised: 10, complete: true });
  expect(result.sites).toHaveLength(2);
  for (const site of result.sites)
    expect(site).toMatchObject({ drafted: 5, validated: 5, acknowledged: 5, centralised: 5 });
}, 180_000);

test('demo refuses a site count that is not a number, before starting anything', async () => {
  const outcome = await spawnCli(['demo', '--sites', 'many']);
  expect(outcome.code).toBe(64);
  expect(outcome.stderr).toContain('Invalid --sites: many');
});
