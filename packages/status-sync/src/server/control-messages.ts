import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import type { SyncService } from '../charging.js';
import type { OpenedContainer } from '../container.js';
import { wholeContainer } from '../container.js';
import { formatReason } from '../reasons.js';
import { declareAccess } from './access-requests.js';
import { type Answer, type ApplyResult, receiptFor, wholeRefusal } from './answers.js';
import { type Client, gate } from './clients.js';
import type { ServerContext, Trx } from './context.js';

/** A PHC scrypt hash as @xmcomm/pki's hashPassword writes it. */
const passwordHashPattern =
  /^\$scrypt\$ln=\d{1,2},r=\d{1,2},p=\d\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;

/** The account as the site may see it: its status, and what billing's `accountState` tells. */
export async function accountMessage(ctx: ServerContext, trx: Kysely<ServerDatabase>, client: Client) {
  const state = ctx.charging.accountState ? await ctx.charging.accountState(trx, client.id) : {};
  return { type: 'account', matricule: client.matricule, status: client.status, ...state };
}

/** The site's profile as the register holds it. */
export function profileMessage(client: Client) {
  return {
    type: 'profile',
    matricule: client.matricule,
    centreCode: client.centre_code,
    name: client.name,
    status: client.status,
    domain: client.domain,
    region: client.region,
    locality: client.locality,
  };
}

/** A control message from a site: account or profile request, or a password change. */
export async function answerControl(
  ctx: ServerContext,
  trx: Trx,
  container: OpenedContainer,
  client: Client,
): Promise<ApplyResult> {
  const { header, body } = container;
  const id = header.containerId;
  const type = body.kind === 'control' ? body.message.type : undefined;
  if (type === 'password-change' && body.kind === 'control')
    return changePassword(ctx, trx, id, client, body.message.passwordHash);
  if (type === 'access-request' && body.kind === 'control')
    return declareAccess(ctx, trx, id, client, body.message);
  const service: SyncService | null =
    type === 'account-request' ? 'account-query' : type === 'profile-request' ? 'profile-query' : null;
  if (!service) return wholeRefusal(id, 'unsupported-kind');
  const refusal = gate(ctx, client, service);
  if (refusal) return wholeRefusal(id, refusal);
  const message =
    service === 'account-query'
      ? await accountMessage(ctx, trx as unknown as Kysely<ServerDatabase>, client)
      : profileMessage(client);
  return {
    answers: [
      receiptFor(id, [{ numero: wholeContainer, accepted: true }]),
      { body: { kind: 'control', message } } as Answer,
    ],
    accepted: 1,
    rejected: 0,
    reason: null,
  };
}

/**
 * The centre's password (`zerokey` until changed). Only its hash travels, inside the signed and
 * encrypted container, so the server stores exactly what it received. Anything that is not a
 * scrypt PHC hash is refused, so a password sent in clear by a faulty client is never stored.
 */
async function changePassword(
  ctx: ServerContext,
  trx: Trx,
  id: string,
  client: Client,
  passwordHash: unknown,
): Promise<ApplyResult> {
  const reply = (accepted: boolean, reason: string | null) => ({
    answers: [
      receiptFor(id, [
        accepted
          ? { numero: wholeContainer, accepted: true as const }
          : { numero: wholeContainer, accepted: false as const, reason: reason ?? 'refused' },
      ]),
      { body: { kind: 'control', message: { type: 'password-change-reply', accepted, reason } } } as Answer,
    ],
    accepted: accepted ? 1 : 0,
    rejected: accepted ? 0 : 1,
    reason,
  });
  // A password change is part of the profile: allowed wherever a profile query is (status 1 and up).
  const refusal = gate(ctx, client, 'profile-query');
  if (refusal) return reply(false, refusal);
  if (
    typeof passwordHash !== 'string' ||
    passwordHash.length > 255 ||
    !passwordHashPattern.test(passwordHash)
  )
    return reply(false, formatReason('invalid-field', 'passwordHash scrypt-hash'));
  await trx
    .updateTable('xm_system.clients')
    .set({ password_hash: passwordHash, must_change_password: false })
    .where('id', '=', client.id)
    .execute();
  return reply(true, null);
}
