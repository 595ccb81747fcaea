import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodes } from '../src/errors.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
};

const internalExitCode = exitCodes.internal;

function run(launcher: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    // Only the variables the launcher reads for its language, so that the machine's locale does not leak in.
    execFile(
      process.execPath,
      [launcher, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** The launcher alone in a package folder of its own, as after `npm ci` and before `npm run build`. */
function unbuiltCopy(): string {
  scratch = mkdtempSync(join(tmpdir(), 'ecr-launcher-'));
  mkdirSync(join(scratch, 'bin'));
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ type: 'module' }));
  const launcher = join(scratch, 'bin', 'ecr.js');
  copyFileSync(join(packageDir, manifest.bin.ecr ?? ''), launcher);
  return launcher;
}

describe('the ecr command', () => {
  it('is a committed file outside dist/, so that `npm ci` links it before the build exists', () => {
    const bin = normalize(manifest.bin.ecr ?? '');
    expect(bin).toBe(normalize('bin/ecr.js'));
    expect(existsSync(join(packageDir, bin))).toBe(true);
    expect(manifest.files).toContain('bin');
  });

  it('says in one line to build first, with the internal exit code, when dist/ is missing', async () => {
    const launcher = unbuiltCopy();
    const english = await run(launcher, ['--help'], { LANG: 'C' });
    expect(english).toEqual({
      code: internalExitCode,
      stdout: '',
      stderr: 'ecr: not built yet, run `npm run build` at the root of the repository.\n',
    });
    const french = await run(launcher, ['--help'], { ECR_LANG: 'fr' });
    expect(french.code).toBe(internalExitCode);
    expect(french.stderr).toBe('ecr : pas encore compilé, lancez `npm run build` à la racine du dépôt.\n');
  });

  it('hands over to dist/cli.js, which gets the arguments and sets the exit code', async () => {
    const launcher = unbuiltCopy();
    mkdirSync(join(dirname(launcher), '..', 'dist'));
    writeFileSync(
      join(dirname(launcher), '..', 'dist', 'cli.js'),
      'process.stdout.write(JSON.stringify(process.argv.slice(2)));\nprocess.exitCode = 5;\n',
    );
    expect(await run(launcher, ['--help', 'two words'], {})).toEqual({
      code: 5,
      stdout: '["--help","two words"]',
      stderr: '',
    });
  });
});
