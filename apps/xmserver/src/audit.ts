import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely, Transaction } from 'kysely';
import { XmServerError } from './errors.js';

export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEntry {
  /** The authenticated operator's login; for a refused login, the login that was tried. */
  readonly operator: string;
  readonly action: string;
  readonly target: string;
  readonly details?: AuditDetails | undefined;
}

/** Appends one entry to `xm_system.audit_log`; inside the caller's transaction when `db` is one. */
export async function writeAudit(db: Kysely<ServerDatabase>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('xm_system.audit_log')
    .values({
      // The columns' limits: a login typed at a prompt may be anything.
      operator: entry.operator.slice(0, 100),
      action: entry.action,
      target: entry.target.slice(0, 200),
      details: entry.details ? JSON.stringify(entry.details) : null,
    })
    .execute();
}

/**
 * Runs a change and records it in `xm_system.audit_log` in one transaction: either both happen or
 * neither. `operator` is the login that authenticated (see operator-auth.ts); its privilege was
 * checked before the command's body ran, and a suspension since then is caught here, in the
 * transaction that writes.
 */
export async function audited<T>(
  db: Kysely<ServerDatabase>,
  operator: string,
  action: string,
  body: (trx: Transaction<ServerDatabase>) => Promise<{ result: T; target: string; details?: AuditDetails }>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('xm_system.users')
      .select('privilege')
      .where('login', '=', operator)
      .executeTakeFirst();
    if (user && user.privilege === 0) {
      throw new XmServerError('operator-suspended', 'operator suspended', { params: { login: operator } });
    }
    const { result, target, details } = await body(trx);
    await writeAudit(trx, { operator, action, target, details });
    return result;
  });
}
