import { capture } from '@xmcomm/cli-kit/testing';
import { describe, expect, test } from 'vitest';
import { usageExitCode } from '../src/exit-codes.js';
import { run } from '../src/program.js';

// Usage errors stop at parsing: no database or medium is opened, so these run in-process.
const t2d = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  capture((stdout, stderr) => run(argv, { env, stdout: stdout.stream, stderr: stderr.stream }));

describe('a usage error is one line and the help hint, in the user language, exit 64', () => {
  test('unknown command, with a suggestion', async () => {
    expect(usageExitCode).toBe(64);
    expect(await t2d(['exprot', '--to', '/media/usb'])).toEqual({
      code: 64,
      stdout: '',
      stderr: `t2d: Unknown command "exprot". Did you mean "export"?\nSee 't2d --help'.\n`,
    });
    expect(await t2d(['--lang', 'fr', 'exprot'])).toEqual({
      code: 64,
      stdout: '',
      stderr: 't2d: Commande inconnue « exprot ». Vouliez-vous dire « export » ?\nVoir « t2d --help ».\n',
    });
  });

  test('help for an unknown command', async () => {
    expect(await t2d(['help', 'exprot'], { XM_LANG: 'fr' })).toEqual({
      code: 64,
      stdout: '',
      stderr: 't2d: Commande inconnue « exprot ». Vouliez-vous dire « export » ?\nVoir « t2d --help ».\n',
    });
  });

  test('unknown option and missing required option', async () => {
    const unknown = await t2d(['import', '--from', '/media/usb', '--matricul', 'CEC-1'], { XM_LANG: 'fr' });
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toBe(
      't2d: Option inconnue « --matricul ». Vouliez-vous dire « --matricule » ?\nVoir « t2d import --help ».\n',
    );
    const missing = await t2d(['ingest']);
    expect(missing).toEqual({
      code: 64,
      stdout: '',
      stderr: `t2d: Option "--from <dir>" is required.\nSee 't2d ingest --help'.\n`,
    });
  });

  test('an option without its value, and an invalid choice', async () => {
    const noValue = await t2d(['export', '--to'], { LANG: 'fr_FR.UTF-8' });
    expect(noValue.code).toBe(64);
    expect(noValue.stderr).toBe(
      "t2d: L'option « --to <dir> » attend une valeur.\nVoir « t2d export --help ».\n",
    );
    const choice = await t2d(['--lang', 'es', 'export']);
    expect(choice.code).toBe(64);
    expect(choice.stderr).toBe(
      `t2d: Invalid value "es" for "--lang <lang>": expected "en" or "fr".\nSee 't2d --help'.\n`,
    );
  });
});
