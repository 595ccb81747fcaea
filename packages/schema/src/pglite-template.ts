import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';

// A new PGlite database runs initdb inside WebAssembly: 4-7 s on these machines, the same result every
// time for one PGlite build. Loading that result from a tarball takes 1-2 s. So the first new database
// of a PGlite build is dumped into the user's private cache, and every later new one (`ecr init`, a
// demo, each test file) starts from it. The cache is only trusted in a folder that this user owns
// and nobody else can write; anything wrong with it falls back to initdb.

type Create = (options: PGliteOptions) => Promise<PGlite>;

/** Opens PGlite at `dataDir` (memory when undefined), a new database from the cached initdb result. */
export async function createPGlite(
  create: Create,
  dataDir: string | undefined,
  options: PGliteOptions,
): Promise<PGlite> {
  const target = dataDir ? { dataDir } : {};
  if (dataDir && existsSync(join(dataDir, 'PG_VERSION'))) return create({ ...target, ...options });
  const file = await templateFile();
  const template = file ? await readTrusted(file) : undefined;
  if (template) {
    try {
      return await create({ ...target, ...options, loadDataDir: new Blob([template]) });
    } catch {
      // A damaged template: forget it, and make this database the slow way.
      await rm(file as string, { force: true });
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    }
  }
  const pglite = await create({ ...target, ...options });
  if (file) await saveTemplate(pglite, file);
  return pglite;
}

/** Where this user's template for the installed PGlite build lives. */
export async function templateFile(): Promise<string | undefined> {
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@electric-sql/pglite');
    const { version } = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    const wasm = await stat(join(dirname(entry), 'pglite.wasm'));
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    return join(base, 'xmcomm', `pglite-initdb-${version}-${wasm.size}.tar`);
  } catch {
    return undefined;
  }
}

/** The template's bytes when its folder is this user's own and private to them. */
async function readTrusted(file: string): Promise<Buffer | undefined> {
  try {
    if (!(await isPrivateFolder(dirname(file)))) return undefined;
    const info = await stat(file);
    if (typeof process.getuid === 'function' && info.uid !== process.getuid()) return undefined;
    return await readFile(file);
  } catch {
    return undefined;
  }
}

async function isPrivateFolder(folder: string): Promise<boolean> {
  const info = await stat(folder);
  if (typeof process.getuid === 'function' && info.uid !== process.getuid()) return false;
  return (info.mode & 0o022) === 0;
}

async function saveTemplate(pglite: PGlite, file: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    if (!(await isPrivateFolder(dirname(file)))) return;
    const dump = await pglite.dumpDataDir('none');
    // Written aside and renamed: a reader never sees half a file, and parallel writers are harmless.
    const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
    await writeFile(partial, new Uint8Array(await dump.arrayBuffer()), { mode: 0o600 });
    await rename(partial, file);
  } catch {
    // No cache (a read-only home, a full disk): the next new database runs initdb again.
  }
}
