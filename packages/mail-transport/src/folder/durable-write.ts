import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Flushes a directory entry. Windows and some FUSE file systems refuse to open or sync a directory:
 * there the rename itself is the best we get, so those refusals are not errors.
 */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES')
      throw error;
  } finally {
    await handle?.close();
  }
}

/** Creates `directory` under `base` and flushes every level, so a new folder survives a pulled stick. */
export async function ensureDirectory(base: string, directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  const levels = relative(base, directory).split(sep).filter(Boolean);
  let current = base;
  await fsyncDirectory(current);
  for (const level of levels) {
    current = join(current, level);
    await fsyncDirectory(current);
  }
}

/** Files being written; one still present after the writer ended is an interrupted write. */
export const TEMPORARY_PREFIX = '.xm-tmp-';

/**
 * Writes `bytes` to `directory/name` so that the final name only ever holds complete content:
 * a temporary name, the data flushed, a rename, the directory flushed. A stick pulled out midway
 * leaves at worst a temporary file, which readers report and writers clear. (Shared with t2d-usb,
 * whose medium layer wrote containers this way first.)
 */
export async function writeDurably(directory: string, name: string, bytes: Uint8Array): Promise<void> {
  const temporary = join(directory, `${TEMPORARY_PREFIX}${randomUUID()}`);
  const final = join(directory, name);
  let moved = false;
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, final);
    moved = true;
    await fsyncDirectory(dirname(final));
  } finally {
    if (!moved) await unlink(temporary).catch(() => undefined);
  }
}
