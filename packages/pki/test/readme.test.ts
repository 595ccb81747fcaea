import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scratchDirectory } from './support/openssl.js';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
let dir: Awaited<ReturnType<typeof scratchDirectory>>;

beforeAll(async () => {
  dir = await scratchDirectory();
});
afterAll(() => dir.remove());

it('runs the README example as written', async () => {
  const readme = await readFile(join(packageDirectory, 'README.md'), 'utf8');
  const example = readme.match(/```ts\n([\s\S]*?)```/)?.[1];
  expect(example).toBeDefined();
  const source = example!.replace(
    "from '@xmcomm/pki'",
    `from '${pathToFileURL(join(packageDirectory, 'src/index.ts')).href}'`,
  );
  const file = await dir.write('example.mts', source);
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', file],
      { cwd: packageDirectory },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  expect(output).toContain('Matricule:          CEC-0042');
  expect(output).toContain('CEC-0042 true');
  expect(output).toContain('revoked');
  expect(output).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
});
