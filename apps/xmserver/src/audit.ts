import { userInfo } from 'node:os';
import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely, Transaction } from 'kysely';
import { XmServerError } from './errors.js';

/** Who is acting: `XM_USER`, or the operating-system account marked as such when none was named. */
export function operatorOf(env: NodeJS.ProcessEnv): string {
  if (env.XM_USER) return env.XM_USER;
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // A container without a passwd entry for the uid: keep "unknown".
  }
  return `system:${name}`;
}

export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

/**
 * Runs a change and records it in `xm_system.audit_log` in one transaction: either both happen or
 * neither. A suspended server user (privilege 0) named by `XM_USER` may not change anything.
 */
export async function audited<T>(
  db: Kysely<ServerDatabase>,
  operator: string,
  action: string,
  body: (trx: Transaction<ServerDatabase>) => Promise<{ result: T; target: string; details?: AuditDetails }>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    if (!operator.startsWith('system:')) {
      const user = await trx
        .selectFrom('xm_system.users')
        .select('privilege')
        .where('login', '=', operator)
        .executeTakeFirst();
      if (user && user.privilege === 0) {
        throw new XmServerError('operator-suspended', 'operator suspended', { params: { login: operator } });
      }
    }
    const { result, target, details } = await body(trx);
    await trx
      .insertInto('xm_system.audit_log')
      .values({ operator, action, target, details: details ? JSON.stringify(details) : null })
      .execute();
    return result;
  });
}
