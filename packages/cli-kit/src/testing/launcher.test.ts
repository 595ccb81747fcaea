import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testLauncher } from './launcher.js';
import type { TestApi } from './test-api.js';

/** A launcher as the platform's commands have them (`bin/<command>.js`), for a `greet` command. */
const launcher = `#!/usr/bin/env node
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (existsSync(cli)) {
  await import(cli.href);
} else {
  const flag = process.argv.indexOf('--lang');
  const env = process.env;
  const language =
    (flag >= 0 ? process.argv[flag + 1] : undefined) ?? env.GREET_LANG ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  process.stderr.write(
    language.toLowerCase().startsWith('fr')
      ? 'greet : pas encore compilé, lancez \`npm run build\` à la racine du dépôt.\\n'
      : 'greet: not built yet, run \`npm run build\` at the root of the repository.\\n',
  );
  process.exitCode = 70;
}
`;

const packageDirectories: string[] = [];
afterEach(async () => {
  for (const directory of packageDirectories.splice(0)) await rm(directory, { recursive: true, force: true });
});

/** The suite's tests against a package with this launcher, collected instead of registered. */
async function suite(
  launcherText: string,
  manifest: object = { bin: { greet: './bin/greet.js' }, files: ['bin', 'dist'] },
): Promise<Map<string, () => Promise<void>>> {
  const packageDirectory = await mkdtemp(join(tmpdir(), 'cli-kit-launcher-'));
  packageDirectories.push(packageDirectory);
  await mkdir(join(packageDirectory, 'bin'));
  await writeFile(join(packageDirectory, 'bin', 'greet.js'), launcherText);
  await writeFile(join(packageDirectory, 'package.json'), JSON.stringify({ type: 'module', ...manifest }));
  const tests = new Map<string, () => Promise<void>>();
  const api: TestApi = { it: (name, body) => tests.set(name, body), expect };
  testLauncher(api, {
    packageDirectory,
    command: 'greet',
    languageVariable: 'GREET_LANG',
    internalExitCode: 70,
  });
  return tests;
}

const linked = 'is a committed file outside dist/, so that `npm ci` links it before the build exists';
const notBuilt = 'says in one line to build first, with the internal exit code, when dist/ is missing';
const handsOver = 'hands over to dist/cli.js, which gets the arguments and sets the exit code';

describe('testLauncher', () => {
  it('passes for a launcher that does its job', async () => {
    const tests = await suite(launcher);
    expect([...tests.keys()]).toEqual([linked, notBuilt, handsOver]);
    for (const test of tests.values()) await test();
  });

  it('fails for a launcher that says something else, ignores --lang or exits otherwise', async () => {
    for (const broken of [
      launcher.replace('not built yet', 'not compiled yet'),
      launcher.replace("process.argv.indexOf('--lang')", "process.argv.indexOf('--language')"),
      launcher.replace('env.GREET_LANG ?? ', ''),
      launcher.replace('process.exitCode = 70', 'process.exitCode = 1'),
    ]) {
      const tests = await suite(broken);
      await expect(tests.get(notBuilt)?.()).rejects.toThrow();
      await tests.get(handsOver)?.();
    }
  });

  it('fails when the package does not ship bin/ or names another file', async () => {
    await expect(
      (await suite(launcher, { bin: { greet: './bin/greet.js' }, files: ['dist'] })).get(linked)?.(),
    ).rejects.toThrow();
    await expect(
      (await suite(launcher, { bin: { greet: './dist/cli.js' }, files: ['bin', 'dist'] })).get(linked)?.(),
    ).rejects.toThrow();
  });

  it('fails for a launcher that does not hand over', async () => {
    const tests = await suite(launcher.replace('await import(cli.href);', ''));
    await expect(tests.get(handsOver)?.()).rejects.toThrow();
  });
});
