import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');

it('runs the README example as written and prints what it says', async () => {
  const readme = await readFile(join(packageDirectory, 'README.md'), 'utf8');
  const example = readme.match(/```ts\n([\s\S]*?)```/)?.[1];
  expect(example).toBeDefined();
  const commander = pathToFileURL(createRequire(import.meta.url).resolve('commander')).href;
  const source = example!
    .replace("from '@xmcomm/cli-kit'", `from '${pathToFileURL(join(packageDirectory, 'src/index.ts')).href}'`)
    .replace("from 'commander'", `from '${commander}'`);
  const dir = await mkdtemp(join(tmpdir(), 'cli-kit-readme-'));
  try {
    const file = join(dir, 'example.mts');
    await writeFile(file, source);
    const output = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', file],
        { cwd: packageDirectory },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
      );
    });
    const printedHelp = readme.match(/The French help of `hello` it prints:\n\n```\n([\s\S]*?)```/)?.[1];
    expect(printedHelp).toBeDefined();
    expect(output.stdout).toBe(
      [
        '{ missing: [], unused: [] }',
        'hello Awa',
        'hello Awa',
        printedHelp!.trimEnd(),
        'exit 64',
        'exit 64',
        '',
      ].join('\n'),
    );
    expect(output.stderr).toBe(
      [
        'greet: Unknown command "hullo". Did you mean "hello"?',
        "See 'greet --help'.",
        'greet: Option inconnue « --time ». Vouliez-vous dire « --times » ?',
        'Voir « greet hello --help ».',
        '',
      ].join('\n'),
    );
    for (const line of output.stderr.trimEnd().split('\n')) expect(example).toContain(`// ${line}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
