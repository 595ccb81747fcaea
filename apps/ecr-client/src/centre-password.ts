import { hashPassword, verifyPassword } from '@xmcomm/pki';
import type { SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { writeSetting } from './centre.js';
import { EcrError } from './errors.js';
import { checkPasswordStrength } from './users.js';

// The centre's password on the central server: `zerokey` until the centre changes it. The new
// password leaves the centre only as its scrypt hash, inside a control container that is signed by
// the centre's key and encrypted for the server; the server keeps hashes only, so it needs no more.
// The centre keeps the hash the server last accepted, and the one waiting for the server's answer.

export const initialCentrePassword = 'zerokey';
export const centrePasswordKey = 'ecr.centre-password';

export interface CentrePasswordState {
  /** The hash the server last accepted; absent while the password is still `zerokey`. */
  readonly hash?: string;
  readonly changedAt?: string;
  /** A change sent and not yet answered. */
  readonly pending?: { readonly hash: string; readonly container: string; readonly at: string };
  /** The server's reason, when it refused the last change. */
  readonly refused?: { readonly reason: string; readonly at: string };
}

export async function readCentrePassword(db: Kysely<SiteDatabase>): Promise<CentrePasswordState> {
  const row = await db
    .selectFrom('xm_site.settings')
    .select('value')
    .where('key', '=', centrePasswordKey)
    .executeTakeFirst();
  return (row?.value as CentrePasswordState | undefined) ?? {};
}

/** Checks the current password (`zerokey` until a change was accepted) and the new one. */
export async function checkCentrePasswordChange(
  db: Kysely<SiteDatabase>,
  current: string,
  next: string,
): Promise<void> {
  const state = await readCentrePassword(db);
  const ok = state.hash ? await verifyPassword(current, state.hash) : current === initialCentrePassword;
  if (!ok) throw new EcrError('authentication-failed');
  checkPasswordStrength(next);
  if (next === initialCentrePassword || next === current) {
    throw new EcrError('usage', {
      detail: 'The new password must differ from the current one and from zerokey.',
      detailFr: "Le nouveau mot de passe doit différer de l'actuel et de zerokey.",
    });
  }
}

/** The control message that carries the change, and the state recorded while it waits. */
export async function passwordChangeMessage(next: string): Promise<{
  message: Record<string, unknown>;
  hash: string;
}> {
  const hash = await hashPassword(next);
  return { message: { type: 'password-change', passwordHash: hash }, hash };
}

export async function recordPendingChange(
  db: Kysely<SiteDatabase>,
  hash: string,
  container: string,
): Promise<void> {
  const state = await readCentrePassword(db);
  await writeSetting(db, centrePasswordKey, {
    ...state,
    pending: { hash, container, at: new Date().toISOString() },
  });
}

/** Records the server's answer to the pending change: accepted, the new hash is the centre's password. */
export async function settleChange(
  db: Kysely<SiteDatabase>,
  container: string,
  answer: { accepted: boolean; reason: string | null },
): Promise<void> {
  const state = await readCentrePassword(db);
  if (state.pending?.container !== container) return;
  const at = new Date().toISOString();
  const { pending, refused: _refused, ...rest } = state;
  await writeSetting(
    db,
    centrePasswordKey,
    answer.accepted
      ? { ...rest, hash: pending.hash, changedAt: at }
      : { ...rest, refused: { reason: answer.reason ?? 'refused', at } },
  );
}
