import { hostname, userInfo } from 'node:os';
import { readSecret, type ServerConfig } from './config.js';
import type { ServerDb } from './database.js';
import { XmServerError } from './errors.js';
import type { Io } from './io.js';
import { type Language, text } from './messages.js';
import { type Operator, resumeSession, verifyOperator } from './operator-auth.js';
import { readSessionFile, removeSessionFile, sessionFilePath } from './session-file.js';

// How the CLI finds out who is at the keyboard: the session `xmserver login` saved, else the
// credentials a script gives in the environment, else a prompt on a terminal. Never an argument.

/** What finding the operator reads of a command's context (a `Context` is one). */
export interface IdentityContext {
  readonly io: Pick<Io, 'env' | 'prompt'>;
  readonly config: Pick<ServerConfig, 'dataDir' | 'databaseUrl'>;
  readonly lang: Language;
}

/** This server's session file in the operator's config folder. */
export function sessionFileOf(ctx: IdentityContext): string {
  return sessionFilePath(ctx.io.env, { dataDir: ctx.config.dataDir, databaseUrl: ctx.config.databaseUrl });
}

/** Where a session was opened, as the audit log and a supervisor see it. */
export function cliOrigin(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // A container without a passwd entry for the uid.
  }
  return `cli ${user}@${hostname()}`;
}

/** The login: `--user`, else `XM_USER`, else asked on a terminal. */
export async function readLogin(ctx: IdentityContext, flag?: string): Promise<string | undefined> {
  const given = flag ?? ctx.io.env.XM_USER;
  if (given) return given;
  if (!ctx.io.prompt) return undefined;
  const typed = (await ctx.io.prompt(text('prompt.login', ctx.lang), { echo: true })).trim();
  return typed === '' ? undefined : typed;
}

/** The operator's own password: `XM_PASSWORD`, the file `XM_PASSWORD_FILE` names, else asked on a terminal. */
export async function readOwnPassword(ctx: IdentityContext): Promise<string | undefined> {
  const given = await readSecret(ctx.io.env, 'XM_PASSWORD');
  if (given !== undefined) return given;
  if (!ctx.io.prompt) return undefined;
  return ctx.io.prompt(text('prompt.password', ctx.lang));
}

/**
 * The operator of this command. The saved session comes first, unless `XM_USER` names someone
 * else (a script that says who it acts as is not silently run as whoever logged in last); then
 * `XM_USER` with `XM_PASSWORD[_FILE]`; then a prompt when stdin is a terminal. Nothing left:
 * `not-logged-in`. An operator who must change the password is sent to `xmserver login`.
 */
export async function resolveOperator(ctx: IdentityContext, db: ServerDb): Promise<Operator> {
  const env = ctx.io.env;
  const path = sessionFileOf(ctx);
  const saved = await readSessionFile(path);
  let ended = false;
  if (saved && (!env.XM_USER || env.XM_USER === saved.login)) {
    try {
      return await resumeSession(db, saved.token);
    } catch (error) {
      if (!XmServerError.isInstance(error) || error.code !== 'not-logged-in') throw error;
      await removeSessionFile(path);
      ended = true;
    }
  }
  const scripted = env.XM_USER ? await readSecret(env, 'XM_PASSWORD') : undefined;
  if (!scripted && !ctx.io.prompt) {
    throw new XmServerError('not-logged-in', 'not logged in', {
      params: { reason: ended ? 'expired' : 'none' },
    });
  }
  const login = await readLogin(ctx);
  const password = scripted ?? (await readOwnPassword(ctx));
  if (!login || password === undefined) {
    throw new XmServerError('not-logged-in', 'not logged in', {
      params: { reason: ended ? 'expired' : 'none' },
    });
  }
  const operator = await verifyOperator(db, login, password);
  if (operator.mustChangePassword && operator.privilege > 0) {
    throw new XmServerError('password-change-required', 'password change required', {
      params: { login: operator.login },
    });
  }
  return operator;
}
