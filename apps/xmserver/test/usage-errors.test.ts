import { describe, expect, test } from 'vitest';
import { usageExitCode } from '../src/exit-codes.js';
import { runInProcess } from './helpers/run.js';

// Usage errors stop at parsing: no database is opened, so these run without one.
const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => runInProcess(argv, { env });

describe('a usage error is one line and the help hint, in the operator language, exit 64', () => {
  test('unknown command, with a suggestion', async () => {
    const english = await run(['clien']);
    expect(english).toEqual({
      code: 64,
      stdout: '',
      stderr: `xmserver: Unknown command "clien". Did you mean "client"?\nSee 'xmserver --help'.\n`,
    });
    const french = await run(['--lang', 'fr', 'clien']);
    expect(french).toEqual({
      code: 64,
      stdout: '',
      stderr:
        'xmserver: Commande inconnue « clien ». Vouliez-vous dire « client » ?\nVoir « xmserver --help ».\n',
    });
    expect(usageExitCode).toBe(64);
  });

  test('unknown sub-command: the hint names its group', async () => {
    const french = await run(['client', 'frobnicate'], { XM_LANG: 'fr' });
    expect(french.code).toBe(64);
    expect(french.stderr).toBe(
      'xmserver: Commande inconnue « frobnicate ».\nVoir « xmserver client --help ».\n',
    );
  });

  test('help for an unknown command', async () => {
    expect(await run(['help', 'clien'], { XM_LANG: 'fr' })).toEqual({
      code: 64,
      stdout: '',
      stderr:
        'xmserver: Commande inconnue « clien ». Vouliez-vous dire « client » ?\nVoir « xmserver --help ».\n',
    });
  });

  test('unknown option', async () => {
    const english = await run(['client', 'list', '--stauts', '1']);
    expect(english.code).toBe(64);
    expect(english.stderr).toBe(
      `xmserver: Unknown option "--stauts". Did you mean "--status"?\nSee 'xmserver client list --help'.\n`,
    );
    const french = await run(['client', 'list', '--stauts', '1'], { LANG: 'fr_FR.UTF-8' });
    expect(french.stderr).toBe(
      'xmserver: Option inconnue « --stauts ». Vouliez-vous dire « --status » ?\nVoir « xmserver client list --help ».\n',
    );
  });

  test('missing argument and missing required option', async () => {
    const argument = await run(['client', 'set-status', 'DLA-001']);
    expect(argument).toMatchObject({ code: 64, stdout: '' });
    expect(argument.stderr).toBe(
      `xmserver: Missing argument <status>.\nSee 'xmserver client set-status --help'.\n`,
    );
    const option = await run(['--lang', 'fr', 'client', 'add']);
    expect(option.code).toBe(64);
    expect(option.stderr).toBe(
      "xmserver: L'option « --name <text> » est obligatoire.\nVoir « xmserver client add --help ».\n",
    );
  });

  test('invalid choice, in the language of the environment', async () => {
    const english = await run(['--lang', 'de', 'client', 'list']);
    expect(english.code).toBe(64);
    expect(english.stderr).toBe(
      `xmserver: Invalid value "de" for "--lang <lang>": expected "en" or "fr".\nSee 'xmserver --help'.\n`,
    );
    const french = await run(['--lang', 'de', 'client', 'list'], { XM_LANG: 'fr' });
    expect(french.stderr).toBe(
      'xmserver: Valeur « de » invalide pour « --lang <lang> » : « en » ou « fr » attendu.\nVoir « xmserver --help ».\n',
    );
  });
});
