import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, test, vi } from 'vitest';

// The README's example runs as it stands there.
test('the README example carries a container through the transfer folder and gets its receipt', async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const readme = await readFile(join(here, '..', 'README.md'), 'utf8');
  const block = readme.split('```ts\n')[1]?.split('```')[0];
  expect(block).toBeDefined();
  const folder = join(here, '..', 'node_modules', '.readme-example');
  await mkdir(folder, { recursive: true });
  const file = join(folder, `example-${process.pid}.ts`);
  await writeFile(file, block as string);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await import(pathToFileURL(file).href);
    expect(log).toHaveBeenCalledWith('receipt for 6 bytes');
  } finally {
    log.mockRestore();
    await rm(file, { force: true });
  }
}, 60_000);
