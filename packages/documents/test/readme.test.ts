import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkiSource = join(packageDirectory, '..', 'pki', 'src', 'index.ts');

it('runs the README example as written', async () => {
  const readme = readFileSync(join(packageDirectory, 'README.md'), 'utf8');
  const example = readme.match(/```ts\n([\s\S]*?)```/)?.[1];
  expect(example).toBeDefined();
  const source = example!
    .replace(
      "from '@xmcomm/documents'",
      `from '${pathToFileURL(join(packageDirectory, 'src/index.ts')).href}'`,
    )
    .replace("from '@xmcomm/pki'", `from '${pathToFileURL(pkiSource).href}'`);
  const folder = join(packageDirectory, 'test-output', 'readme');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'example.mts');
  writeFileSync(file, source);
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', file], { cwd: folder }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
  expect(output).toContain('XM1: VALID');
  expect(output).toContain('true VALID');
  expect(output).toContain("reason: 'not-our-scheme'");
});
