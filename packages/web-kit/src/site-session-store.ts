import type { SiteDatabase } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import type { SessionStore, StoredSession } from './session.js';

const asDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

/** Sessions in a site's `xm_site.web_sessions` (migration `20261207-60-web-sessions`). */
export function siteSessionStore(db: Kysely<SiteDatabase>): SessionStore {
  return {
    async insert(session) {
      await db
        .insertInto('xm_site.web_sessions')
        .values({
          token_hash: session.tokenHash,
          user_id: session.userId,
          workstation: session.workstation,
          created_at: session.createdAt,
          last_used_at: session.lastUsedAt,
          expires_at: session.expiresAt,
          idle_timeout_seconds: session.idleTimeoutSeconds,
        })
        .execute();
    },
    async find(tokenHash): Promise<StoredSession | undefined> {
      const row = await db
        .selectFrom('xm_site.web_sessions')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        userId: row.user_id,
        workstation: row.workstation,
        createdAt: asDate(row.created_at),
        lastUsedAt: asDate(row.last_used_at),
        expiresAt: asDate(row.expires_at),
        idleTimeoutSeconds: row.idle_timeout_seconds,
      };
    },
    async touch(id, at) {
      await db.updateTable('xm_site.web_sessions').set({ last_used_at: at }).where('id', '=', id).execute();
    },
    async delete(tokenHash) {
      await db.deleteFrom('xm_site.web_sessions').where('token_hash', '=', tokenHash).execute();
    },
    async purge(at) {
      await db
        .deleteFrom('xm_site.web_sessions')
        .where((eb) =>
          eb.or([
            eb('expires_at', '<=', at),
            eb(
              sql<Date>`${sql.ref('last_used_at')} + ${sql.ref('idle_timeout_seconds')} * interval '1 second'`,
              '<=',
              at,
            ),
          ]),
        )
        .execute();
    },
  };
}
