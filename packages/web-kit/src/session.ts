import { createHash, randomBytes } from 'node:crypto';

/** One stored session: never the token itself, only its hash. */
export interface StoredSession {
  readonly id: number;
  readonly userId: number;
  readonly workstation: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly expiresAt: Date;
  readonly idleTimeoutSeconds: number;
}

/**
 * Where sessions live: a database table in every app (`siteSessionStore` for a site's
 * `xm_site.web_sessions`; xmserver's console keeps its operators' own). Small on purpose, so each
 * app's table can stay as its migrations made it.
 */
export interface SessionStore {
  insert(session: Omit<StoredSession, 'id'> & { readonly tokenHash: string }): Promise<void>;
  find(tokenHash: string): Promise<StoredSession | undefined>;
  touch(id: number, at: Date): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  /** Deletes sessions past their absolute end or idle deadline at `at`. */
  purge(at: Date): Promise<void>;
}

export interface SessionPolicy {
  /** A session unused this long ends. Default 15 minutes. */
  readonly idleSeconds?: number;
  /** A session ends this long after the login, however busy. Default 12 hours. */
  readonly absoluteSeconds?: number;
  readonly now?: () => Date;
}

export const sessionTokenHash = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/** A fresh unguessable token (256 bits). */
export const newToken = (): string => randomBytes(32).toString('base64url');

export interface SessionManager {
  /** Opens a session and returns its token, to put in the cookie (and nowhere else). */
  open(userId: number, workstation: string): Promise<string>;
  /** The live session a token stands for; an expired or idle one is deleted and gives undefined. Each use pushes the idle deadline back (stored at most every 30 s). */
  resume(token: string): Promise<StoredSession | undefined>;
  close(token: string): Promise<void>;
}

export function createSessionManager(store: SessionStore, policy: SessionPolicy = {}): SessionManager {
  const idleSeconds = policy.idleSeconds ?? 15 * 60;
  const absoluteSeconds = policy.absoluteSeconds ?? 12 * 60 * 60;
  const now = policy.now ?? (() => new Date());
  // A write on every request was one more transaction (and on PostgreSQL one more disk flush) per
  // page; pushing the idle deadline back at most every 30 s (or 1/30 of the idle time) ends an idle
  // session that much early at worst.
  const touchEveryMs = Math.min(30, idleSeconds / 30) * 1000;
  return {
    async open(userId, workstation) {
      const at = now();
      await store.purge(at);
      const token = newToken();
      await store.insert({
        tokenHash: sessionTokenHash(token),
        userId,
        workstation: workstation.slice(0, 100),
        createdAt: at,
        lastUsedAt: at,
        expiresAt: new Date(at.getTime() + absoluteSeconds * 1000),
        idleTimeoutSeconds: idleSeconds,
      });
      return token;
    },
    async resume(token) {
      if (token.length === 0 || token.length > 200) return undefined;
      const hash = sessionTokenHash(token);
      const session = await store.find(hash);
      if (!session) return undefined;
      const at = now();
      const idleEnd = session.lastUsedAt.getTime() + session.idleTimeoutSeconds * 1000;
      if (session.expiresAt.getTime() <= at.getTime() || idleEnd <= at.getTime()) {
        await store.delete(hash);
        return undefined;
      }
      if (at.getTime() - session.lastUsedAt.getTime() < touchEveryMs) return session;
      await store.touch(session.id, at);
      return { ...session, lastUsedAt: at };
    },
    async close(token) {
      await store.delete(sessionTokenHash(token));
    },
  };
}
