import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `work` with the path of a file in a directory of this process's own (mode 0600 file), for
 * the commands that read or write a file (`--csr`, `--out`); the directory is removed after, whatever
 * happens. Only this path goes on the command line, never what a user typed as a path. With
 * `content`, the file holds it first; the file's content after `work` is returned beside its result.
 */
export async function withTemporaryFile<T>(
  name: string,
  content: Buffer | undefined,
  work: (path: string) => Promise<T>,
): Promise<{ result: T; written: Buffer | undefined }> {
  const directory = await mkdtemp(join(tmpdir(), 'xms-console-'));
  try {
    const path = join(directory, name);
    if (content) await writeFile(path, content, { mode: 0o600 });
    const result = await work(path);
    const written = await readFile(path).catch(() => undefined);
    return { result, written };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
