import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import { cameroonDictionary, defineDictionary, dictionaryToJson } from '@xmcomm/schema';
import { afterAll, beforeAll, expect, test } from 'vitest';

// The centre's dictionaries (issue 26), through the spawned bin: `ecr init --dictionary` records the
// one it packs with in the centre's database, `ecr dictionary` shows it and lets the officer change
// it; a bad file is refused with exit 3 (configuration), naming it, in English and French; a file
// that cannot be read is ecr's usual file error (exit 2), naming it.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecr-dict-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ecr(dataDir: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...entryArguments('apps/ecr-client/src/cli.ts', root), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env, ECR_DATA_DIR: dataDir },
  });
}

const newCentre = [
  'init',
  '--no-key',
  '--matricule',
  'CEC-DIC-01',
  '--centre-code',
  '000011',
  '--officer',
  'chef',
];
const officer = { ECR_USER: 'chef', ECR_PASSWORD: 'officer-password' };

test('a bad dictionary file is refused, naming it, in English and French; no centre is made', async () => {
  const edited = JSON.parse(dictionaryToJson(defineDictionary('sn', ['Dakar', 'Thiès'])));
  edited.words = ['Dakar', 'Thiès', 'Kaolack'];
  // [file, its content ('' for none), exit code, English, French]
  const cases: [string, string, number, RegExp, RegExp][] = [
    ['missing.json', '', 2, /Cannot read .*: it does not exist/, /Impossible de lire .* : il n'existe pas/],
    ['other.json', '{"kind":"tariff"}', 3, /not a dictionary file/, /pas un fichier de dictionnaire/],
    [
      'edited.json',
      JSON.stringify(edited),
      3,
      /do not match its fingerprint/,
      /ne correspondent pas à son empreinte/,
    ],
  ];
  const dataDir = join(dir, 'bad');
  for (const [name, content, status, english, french] of cases) {
    const path = join(dir, name);
    if (content !== '') await writeFile(path, content);
    // The file error names the file; the others name the option too.
    const named = (option: string) => (status === 2 ? path : `${option} ${path}`);
    const en = ecr(dataDir, [...newCentre, '--dictionary', path], { ECR_NEW_PASSWORD: 'officer-password' });
    expect(en.status, name).toBe(status);
    expect(en.stderr).toContain(named('--dictionary'));
    expect(en.stderr).toMatch(english);
    const fr = ecr(dataDir, ['--lang', 'fr', ...newCentre, '--accept-dictionary', path], {
      ECR_NEW_PASSWORD: 'officer-password',
    });
    expect(fr.status, name).toBe(status);
    expect(fr.stderr).toContain(named('--accept-dictionary'));
    expect(fr.stderr).toMatch(french);
  }
  // Nothing was recorded: the same init without the file makes the centre.
  expect(ecr(dataDir, newCentre, { ECR_NEW_PASSWORD: 'officer-password' }).status).toBe(0);
}, 240_000);

test('init records the dictionary; ecr dictionary shows it, the officer changes it', async () => {
  const dataDir = join(dir, 'good');
  const current = defineDictionary('sn-etat-civil-2', ['Dakar', 'Thiès', 'Kaolack']);
  const previous = defineDictionary('sn-etat-civil-1', ['Dakar', 'Thiès']);
  await writeFile(join(dir, 'current.json'), dictionaryToJson(current));
  await writeFile(join(dir, 'previous.json'), dictionaryToJson(previous));
  // Default first: the Cameroon list, as before the setting existed.
  const plain = join(dir, 'plain');
  expect(ecr(plain, newCentre, { ECR_NEW_PASSWORD: 'officer-password' }).status).toBe(0);
  const shown = ecr(plain, ['--json', 'dictionary'], officer);
  expect(shown.status).toBe(0);
  expect(JSON.parse(shown.stdout)).toEqual({
    dictionary: { name: cameroonDictionary.name, fingerprint: cameroonDictionary.fingerprint },
    accepted: [],
  });

  const init = ecr(dataDir, [...newCentre, '--dictionary', join(dir, 'previous.json')], {
    ECR_NEW_PASSWORD: 'officer-password',
  });
  expect(init.status, init.stderr).toBe(0);
  expect(JSON.parse(ecr(dataDir, ['--json', 'dictionary'], officer).stdout).dictionary).toEqual({
    name: previous.name,
    fingerprint: previous.fingerprint,
  });
  // The roll-out: pack with the new one, still accept the old.
  const changed = ecr(
    dataDir,
    [
      'dictionary',
      '--dictionary',
      join(dir, 'current.json'),
      '--accept-dictionary',
      join(dir, 'previous.json'),
    ],
    officer,
  );
  expect(changed.status, changed.stderr).toBe(0);
  expect(changed.stdout).toContain(`packs with: sn-etat-civil-2 (${current.fingerprint.slice(0, 16)})`);
  expect(changed.stdout).toContain(`also accepts: sn-etat-civil-1 (${previous.fingerprint.slice(0, 16)})`);
  // Joining the centre from another workstation cannot change them.
  const join2 = ecr(join(dir, 'second'), [
    'init',
    '--database-url',
    join(dataDir, 'db'),
    '--dictionary',
    join(dir, 'current.json'),
  ]);
  expect(join2.status).toBe(2);
}, 240_000);
