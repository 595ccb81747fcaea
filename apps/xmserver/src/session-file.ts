import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { withoutPassword } from './config.js';
import { XmServerError } from './errors.js';

// Where `xmserver login` keeps the session token between commands: the operator's own config
// folder, never the data directory (shared by the service account) and never the database (the
// token's hash only is there). One file per server, so that two data directories or databases on
// one machine never share a session.

export interface SavedSession {
  /** The data directory and database (without password) the session belongs to. */
  readonly dataDir: string;
  readonly database: string;
  readonly login: string;
  readonly token: string;
  /** The absolute end; the database also ends it after the idle timeout. */
  readonly expiresAt: string;
}

/** `$XDG_CONFIG_HOME/xmcomm`, else `~/.config/xmcomm` (the XDG rule: a relative XDG_CONFIG_HOME is ignored). */
export function configFolder(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'xmcomm');
}

/** The session file of the server at `dataDir` with `databaseUrl`, in the operator's config folder. */
export function sessionFilePath(
  env: NodeJS.ProcessEnv,
  server: { dataDir: string; databaseUrl: string },
): string {
  const key = createHash('sha256')
    .update(`${server.dataDir}\n${withoutPassword(server.databaseUrl)}`)
    .digest('hex')
    .slice(0, 24);
  return join(configFolder(env), `xmserver-session-${key}.json`);
}

function unsafe(path: string, detail: string): XmServerError {
  return new XmServerError('config-invalid', `unsafe session file ${path}`, {
    params: { detail: `${path} ${detail}; run "xmserver logout" or delete it, then log in again.` },
  });
}

/** The saved session, or undefined when there is none. A file others may read is refused, not used. */
export async function readSessionFile(path: string): Promise<SavedSession | undefined> {
  let raw: string;
  try {
    const info = await stat(path);
    // Like ssh with a private key: a token that others could have read is not used.
    if ((info.mode & 0o077) !== 0)
      throw unsafe(path, `is readable by others (mode ${(info.mode & 0o777).toString(8)})`);
    if (typeof process.getuid === 'function' && info.uid !== process.getuid())
      throw unsafe(path, 'belongs to another user');
    raw = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cause;
  }
  try {
    const parsed = JSON.parse(raw) as Partial<SavedSession>;
    if (
      typeof parsed.login === 'string' &&
      typeof parsed.token === 'string' &&
      typeof parsed.expiresAt === 'string' &&
      typeof parsed.dataDir === 'string' &&
      typeof parsed.database === 'string'
    ) {
      return {
        dataDir: parsed.dataDir,
        database: parsed.database,
        login: parsed.login,
        token: parsed.token,
        expiresAt: parsed.expiresAt,
      };
    }
  } catch {
    // A damaged file is no session: the next login replaces it.
  }
  return undefined;
}

/** Writes the session, 0600 in a 0700 folder, atomically (a reader never sees half a file). */
export async function writeSessionFile(path: string, session: SavedSession): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  // The folder may have existed with a looser mode (another tool made it): the token still must not show.
  await chmod(folder, 0o700);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw new XmServerError('config-invalid', `cannot write ${path}`, {
      cause,
      params: { detail: `the session cannot be saved in ${path}: ${(cause as Error).message}` },
    });
  }
}

export async function removeSessionFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
