import type { SessionStore, StoredSession } from '@xmcomm/web-kit';
import { sql } from 'kysely';
import { asDate, type ServerDb } from '../database.js';

/**
 * The web layer's session store on `xm_system.operator_sessions`, the table `xmserver login` uses:
 * a console session is an operator session like the CLI's (same hash of the token, same idle and
 * absolute ends), opened by `openSession` so that its checks and its audit line are the CLI's.
 */
export function operatorSessionStore(db: ServerDb, origin = 'console'): SessionStore {
  return {
    async insert(session) {
      await db
        .insertInto('xm_system.operator_sessions')
        .values({
          token_hash: session.tokenHash,
          user_id: session.userId,
          origin: `${origin} ${session.workstation}`.slice(0, 100),
          created_at: session.createdAt,
          last_used_at: session.lastUsedAt,
          expires_at: session.expiresAt,
          idle_timeout_seconds: session.idleTimeoutSeconds,
        })
        .execute();
    },
    async find(tokenHash): Promise<StoredSession | undefined> {
      const row = await db
        .selectFrom('xm_system.operator_sessions')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        userId: row.user_id,
        workstation: row.origin,
        createdAt: asDate(row.created_at),
        lastUsedAt: asDate(row.last_used_at),
        expiresAt: asDate(row.expires_at),
        idleTimeoutSeconds: row.idle_timeout_seconds,
      };
    },
    async touch(id, at) {
      await db
        .updateTable('xm_system.operator_sessions')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .execute();
    },
    async delete(tokenHash) {
      await db.deleteFrom('xm_system.operator_sessions').where('token_hash', '=', tokenHash).execute();
    },
    async purge(at) {
      await db
        .deleteFrom('xm_system.operator_sessions')
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
