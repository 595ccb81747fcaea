import { capture } from '@xmcomm/cli-kit/testing';
import { describe, expect, it } from 'vitest';
import { runSdc } from '../src/cli-program.js';
import { EXIT_CODES_FOR_TESTS } from './exit-codes.js';

// Usage errors stop at parsing, before any file is read: in-process, as the command runs them.
const sdc = (argv: string[], env: Record<string, string> = {}) =>
  capture((stdout, stderr) => runSdc(argv, { env, stdout: stdout.write, stderr: stderr.write }));

describe('a usage error is one line and the help hint, in the user language, exit 2', () => {
  it('unknown command, with a suggestion', async () => {
    expect(await sdc(['decod', '--in', 'x.sdc'])).toEqual({
      code: EXIT_CODES_FOR_TESTS.usage,
      stdout: '',
      stderr: `sdc: Unknown command "decod". Did you mean "decode"?\nSee 'sdc --help'.\n`,
    });
    expect(await sdc(['decod'], { XM_LANG: 'fr' })).toEqual({
      code: EXIT_CODES_FOR_TESTS.usage,
      stdout: '',
      stderr: 'sdc: Commande inconnue « decod ». Vouliez-vous dire « decode » ?\nVoir « sdc --help ».\n',
    });
  });

  it('help for an unknown command', async () => {
    expect(await sdc(['help', 'inspekt'], { XM_LANG: 'fr' })).toEqual({
      code: EXIT_CODES_FOR_TESTS.usage,
      stdout: '',
      stderr: 'sdc: Commande inconnue « inspekt ». Vouliez-vous dire « inspect » ?\nVoir « sdc --help ».\n',
    });
  });

  it('unknown option and missing argument', async () => {
    const option = await sdc(['--lang', 'fr', 'inspect', 'x.sdc', '--jsn']);
    expect(option.code).toBe(EXIT_CODES_FOR_TESTS.usage);
    expect(option.stderr).toBe(
      'sdc: Option inconnue « --jsn ». Vouliez-vous dire « --json » ?\nVoir « sdc inspect --help ».\n',
    );
    const argument = await sdc(['inspect']);
    expect(argument).toEqual({
      code: EXIT_CODES_FOR_TESTS.usage,
      stdout: '',
      stderr: `sdc: Missing argument <file>.\nSee 'sdc inspect --help'.\n`,
    });
  });

  it('invalid choice and missing required option', async () => {
    const choice = await sdc(['encode', '--cipher', 'ecb'], { LANG: 'fr_FR.UTF-8' });
    expect(choice.code).toBe(EXIT_CODES_FOR_TESTS.usage);
    expect(choice.stderr).toBe(
      'sdc: Valeur « ecb » invalide pour « --cipher <cipher> » : « gcm » ou « cbc » attendu.\nVoir « sdc encode --help ».\n',
    );
    const required = await sdc(['payload', 'decode']);
    expect(required.stderr).toBe(
      `sdc: Option "--in <payload.bin>" is required.\nSee 'sdc payload decode --help'.\n`,
    );
  });
});
