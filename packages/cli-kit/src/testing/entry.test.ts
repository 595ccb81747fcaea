import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { builtCommandsVariable, entryArguments } from './entry.js';

const saved = process.env[builtCommandsVariable];
afterEach(() => {
  if (saved === undefined) delete process.env[builtCommandsVariable];
  else process.env[builtCommandsVariable] = saved;
});

const packageDir = join(import.meta.dirname, '..', '..');

describe('entryArguments', () => {
  test('runs the source through tsx by default', () => {
    delete process.env[builtCommandsVariable];
    expect(entryArguments('src/index.ts', packageDir)).toEqual([
      '--import',
      'tsx',
      '--conditions=@xmcomm/source',
      'src/index.ts',
    ]);
  });

  test('runs the compiled file when CI asks for the build, and refuses a missing build', async () => {
    process.env[builtCommandsVariable] = '1';
    const folder = await mkdtemp(join(tmpdir(), 'xm-entry-'));
    try {
      await mkdir(join(folder, 'built', 'dist'), { recursive: true });
      await writeFile(join(folder, 'built', 'dist', 'cli.js'), '');
      expect(entryArguments(join(folder, 'built', 'src', 'cli.ts'))).toEqual([
        join(folder, 'built', 'dist', 'cli.js'),
      ]);
      expect(entryArguments('built/src/cli.ts', folder)).toEqual(['built/dist/cli.js']);
      expect(() => entryArguments(join(folder, 'unbuilt', 'src', 'cli.ts'))).toThrow(/is not built/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('a file outside src/ (a test helper) still runs through tsx', () => {
    process.env[builtCommandsVariable] = '1';
    expect(entryArguments('test/helpers/child.ts', packageDir)).toEqual([
      '--import',
      'tsx',
      '--conditions=@xmcomm/source',
      'test/helpers/child.ts',
    ]);
  });
});
