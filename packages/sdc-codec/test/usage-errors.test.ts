import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '@xmcomm/cli-kit/testing';
import { defineDictionary, dictionaryToJson } from '@xmcomm/contract';
import { afterAll, describe, expect, it } from 'vitest';
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

describe('sdc dictionary build: what is wrong, in the user language', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sdc-dictionary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sample = join(dir, 'rows.jsonl');
  writeFileSync(sample, '{"town":"Dakar"}\n{"town":"Dakar"}\n');
  const build = (extra: string[], env: Record<string, string> = {}) =>
    sdc(
      ['dictionary', 'build', '--table', 'towns', '--sample', sample, '--out', join(dir, 'd.json'), ...extra],
      env,
    );

  it('a budget that is neither words nor bytes', async () => {
    expect(await build(['--budget', '5MB'])).toEqual({
      code: EXIT_CODES_FOR_TESTS.usage,
      stdout: '',
      stderr: 'sdc: --budget takes a number of words (500) or of bytes (6000B, 8KiB), not "5MB"\n',
    });
    expect((await build(['--budget', '0'], { XM_LANG: 'fr' })).stderr).toBe(
      "sdc: --budget attend un nombre de mots (500) ou d'octets (6000B, 8KiB), pas « 0 »\n",
    );
  });

  it('a sample too small for the options', async () => {
    const tooFew = await build(['--budget', '10'], { XM_LANG: 'fr' });
    expect(tooFew.code).toBe(EXIT_CODES_FOR_TESTS['invalid-input']);
    expect(tooFew.stderr).toBe(
      'sdc: aucun dictionnaire à partir de 2 fiche(s) : aucune valeur de texte ne revient 5 fois, ou le budget est plus petit que le moindre mot\n',
    );
    const ok = await build(['--budget', '10', '--min-count', '2']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8')).words).toEqual(['Dakar']);
  });

  it('a dictionary file edited after it was built', async () => {
    const path = join(dir, 'edited.json');
    const file = JSON.parse(dictionaryToJson(defineDictionary('sn', ['Dakar', 'Thiès'])));
    file.words[1] = 'Thies';
    writeFileSync(path, JSON.stringify(file));
    writeFileSync(join(dir, 'rows.json'), '[{"town":"Dakar"}]');
    const result = await sdc(
      [
        'payload',
        'encode',
        '--table',
        'towns',
        '--in',
        join(dir, 'rows.json'),
        '--from',
        'SN0001',
        '--dictionary',
        path,
        '--out',
        join(dir, 'p.bin'),
      ],
      { XM_LANG: 'fr' },
    );
    expect(result.code).toBe(EXIT_CODES_FOR_TESTS['invalid-input']);
    expect(result.stderr).toMatch(
      /^sdc: .*edited\.json n'est pas un fichier de dictionnaire : .*fingerprint/,
    );
  });

  it('a --table for each --sample', async () => {
    const result = await sdc(
      [
        'dictionary',
        'build',
        '--table',
        'a',
        '--table',
        'b',
        '--sample',
        sample,
        '--budget',
        '9',
        '--out',
        join(dir, 'x.json'),
      ],
      { XM_LANG: 'fr' },
    );
    expect(result).toEqual({
      code: EXIT_CODES_FOR_TESTS.usage,
      stdout: '',
      stderr: 'sdc: donnez une --table pour chaque --sample, dans le même ordre\n',
    });
  });
});
