import { capture } from '@xmcomm/cli-kit/testing';
import { describe, expect, test } from 'vitest';
import { exitCodes, runCli } from '../src/index.js';

// Usage errors stop at parsing: no database is opened, so these run without one.
const ecr = (argv: string[], env: Record<string, string> = {}) =>
  capture((stdout, stderr) => runCli(argv, { env, stdout: stdout.write, stderr: stderr.write }));

describe('a usage error is one line and the help hint, in the user language, exit 2', () => {
  test('unknown command, with a suggestion', async () => {
    expect(exitCodes.usage).toBe(2);
    expect(await ecr(['akt', 'search'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `ecr: Unknown command "akt". Did you mean "act"?\nSee 'ecr --help'.\n`,
    });
    expect(await ecr(['--lang', 'fr', 'act', 'serch'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ecr: Commande inconnue « serch ». Vouliez-vous dire « search » ?\nVoir « ecr act --help ».\n',
    });
  });

  test('help for an unknown command; a group without its sub-command shows its help', async () => {
    expect(await ecr(['help', 'akt'], { ECR_LANG: 'fr' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ecr: Commande inconnue « akt ». Vouliez-vous dire « act » ?\nVoir « ecr --help ».\n',
    });
    const group = await ecr(['user']);
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/^Usage: ecr user \[options\] \[command\]/);
  });

  test('unknown option', async () => {
    const french = await ecr(['act', 'search', '--nam', 'Ngo'], { ECR_LANG: 'fr' });
    expect(french.code).toBe(2);
    expect(french.stderr).toBe(
      'ecr: Option inconnue « --nam ». Vouliez-vous dire « --name » ?\nVoir « ecr act search --help ».\n',
    );
    const english = await ecr(['act', 'search', '--nam', 'Ngo'], { LANG: 'C' });
    expect(english.stderr).toBe(
      `ecr: Unknown option "--nam". Did you mean "--name"?\nSee 'ecr act search --help'.\n`,
    );
  });

  test('missing argument and missing required option', async () => {
    const argument = await ecr(['niu']);
    expect(argument).toEqual({
      code: 2,
      stdout: '',
      stderr: `ecr: Missing argument <niu>.\nSee 'ecr niu --help'.\n`,
    });
    const option = await ecr(['act', 'new', 'birth'], { LANG: 'fr_FR.UTF-8' });
    expect(option.code).toBe(2);
    expect(option.stderr).toBe(
      "ecr: L'option « --file <file> » est obligatoire.\nVoir « ecr act new --help ».\n",
    );
  });

  test('invalid choice', async () => {
    const english = await ecr(['user', 'add', 'awa', '--role', 'boss']);
    expect(english.code).toBe(2);
    expect(english.stderr).toBe(
      `ecr: Invalid value "boss" for "--role <role>": expected "agent", "secretary" or "officer".\nSee 'ecr user add --help'.\n`,
    );
    const french = await ecr(['--lang', 'fr', 'user', 'add', 'awa', '--role', 'boss']);
    expect(french.stderr).toBe(
      'ecr: Valeur « boss » invalide pour « --role <role> » : « agent », « secretary » ou « officer » attendu.\nVoir « ecr user add --help ».\n',
    );
  });
});
