import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Outcome } from './capture.js';
import type { TestApi } from './test-api.js';

export interface LauncherTestOptions {
  /** The package's folder: `new URL('..', import.meta.url)` from its `test/`. */
  readonly packageDirectory: string | URL;
  /** The command's name, as in the package's `bin`: `xmserver`. */
  readonly command: string;
  /** The variable that sets the command's language after `--lang` and before the locale: `XM_LANG`. */
  readonly languageVariable: string;
  /** What the command exits with on an unexpected failure: the `internal` code of its table. */
  readonly internalExitCode: number;
}

/** Runs a launcher with only the variables given (and PATH), so that the machine's locale does not leak in. */
function runLauncher(
  launcher: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [launcher, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The tests of a command's launcher, `bin/<command>.js`: the file npm links at `npm ci`, before the
 * build exists, which hands over to `dist/cli.js` or says in one line, in the user's language, to
 * build first. Call it from the package's test file with the runner's `it` and `expect`.
 */
export function testLauncher({ it, expect }: TestApi, options: LauncherTestOptions): void {
  const { command, languageVariable, internalExitCode } = options;
  const packageDirectory =
    typeof options.packageDirectory === 'string'
      ? options.packageDirectory
      : fileURLToPath(options.packageDirectory);
  const readManifest = async () =>
    JSON.parse(await readFile(join(packageDirectory, 'package.json'), 'utf8')) as {
      bin?: Record<string, string>;
      files?: string[];
    };

  /** The launcher alone in a package folder of its own, as after `npm ci` and before `npm run build`. */
  async function withUnbuiltCopy(body: (launcher: string, copy: string) => Promise<void>): Promise<void> {
    const copy = await mkdtemp(join(tmpdir(), `${command}-launcher-`));
    try {
      await mkdir(join(copy, 'bin'));
      await writeFile(join(copy, 'package.json'), JSON.stringify({ type: 'module' }));
      const launcher = join(copy, 'bin', `${command}.js`);
      await copyFile(join(packageDirectory, 'bin', `${command}.js`), launcher);
      await body(launcher, copy);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }

  it('is a committed file outside dist/, so that `npm ci` links it before the build exists', async () => {
    const manifest = await readManifest();
    const bin = normalize(manifest.bin?.[command] ?? '');
    expect(bin).toBe(normalize(`bin/${command}.js`));
    expect(existsSync(join(packageDirectory, bin))).toBe(true);
    expect(manifest.files).toContain('bin');
  });

  it('says in one line to build first, with the internal exit code, when dist/ is missing', async () => {
    const english = {
      code: internalExitCode,
      stdout: '',
      stderr: `${command}: not built yet, run \`npm run build\` at the root of the repository.\n`,
    };
    const french = {
      code: internalExitCode,
      stdout: '',
      stderr: `${command} : pas encore compilé, lancez \`npm run build\` à la racine du dépôt.\n`,
    };
    await withUnbuiltCopy(async (launcher) => {
      expect(await runLauncher(launcher, ['--help'], { LANG: 'C' }), 'LANG=C').toEqual(english);
      const variable = `${languageVariable}=fr`;
      expect(await runLauncher(launcher, ['--help'], { [languageVariable]: 'fr' }), variable).toEqual(french);
      expect(await runLauncher(launcher, ['--lang', 'fr', '--help'], {}), '--lang fr').toEqual(french);
      expect(await runLauncher(launcher, ['--help'], { LANG: 'fr_FR.UTF-8' }), 'a French locale').toEqual(
        french,
      );
      expect(
        await runLauncher(launcher, ['--help'], { [languageVariable]: 'en', LANG: 'fr_FR.UTF-8' }),
        `${languageVariable} before the locale`,
      ).toEqual(english);
    });
  });

  it('hands over to dist/cli.js, which gets the arguments and sets the exit code', async () => {
    await withUnbuiltCopy(async (launcher, copy) => {
      await mkdir(join(copy, 'dist'));
      await writeFile(
        join(copy, 'dist', 'cli.js'),
        'process.stdout.write(JSON.stringify(process.argv.slice(2)));\nprocess.exitCode = 5;\n',
      );
      expect(await runLauncher(launcher, ['--help', 'two words'], {})).toEqual({
        code: 5,
        stdout: '["--help","two words"]',
        stderr: '',
      });
    });
  });
}
