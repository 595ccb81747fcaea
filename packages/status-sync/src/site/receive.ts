import { type SiteContext, type Trx, timestampValue } from './context.js';
import { storeImported } from './imports.js';
import { applyReceipt } from './receipts.js';
import {
  accountSetting,
  holdSetting,
  profileSetting,
  saveSetting,
  trustList,
  trustListSetting,
} from './settings.js';
import type { ReceiveOutcome } from './types.js';

/**
 * An operator's text message (`{ type: 'message', text, sentAt }`), kept in clear for the site's
 * users: the inbox holds only the encrypted container, which needs the site's key to open.
 */
async function storeMessage(
  ctx: SiteContext,
  trx: Trx,
  containerId: string,
  message: Record<string, unknown>,
) {
  const text = typeof message.text === 'string' ? [...message.text].slice(0, 2000).join('') : '';
  if (text.trim() === '') return;
  const sentAt = typeof message.sentAt === 'string' ? new Date(message.sentAt) : null;
  await trx
    .insertInto('xm_site.messages')
    .values({
      container_id: containerId,
      text,
      sent_at: sentAt && !Number.isNaN(sentAt.getTime()) ? timestampValue(sentAt) : null,
      received_at: timestampValue(ctx.now()),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** The documents trust list: kept when newer than the one held, so a late older one changes nothing. */
async function storeTrustList(ctx: SiteContext, trx: Trx, message: Record<string, unknown>) {
  const { sequence, list } = message;
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || typeof list !== 'string') return;
  const held = await trustList({ ...ctx, db: trx });
  if (held && held.sequence >= sequence) return;
  await saveSetting(ctx, trx, trustListSetting, { sequence, list, receivedAt: ctx.now().toISOString() });
}

/** A control message from the server: account (which may lift the hold), profile, a text, the trust list. */
async function applyControl(
  ctx: SiteContext,
  trx: Trx,
  containerId: string,
  message: Readonly<Record<string, unknown>>,
) {
  const { type, profile, ...rest } = message as Record<string, unknown>;
  if (type === 'account') {
    await saveSetting(ctx, trx, accountSetting, rest);
    if (profile) await saveSetting(ctx, trx, profileSetting, profile);
    // The server allows every service again: held rows go with the next export (if the credit is
    // still short, the next receipt says so and holds them again).
    if (rest.status === 3) await trx.deleteFrom('xm_site.settings').where('key', '=', holdSetting).execute();
  } else if (type === 'profile') await saveSetting(ctx, trx, profileSetting, rest);
  else if (type === 'message') await storeMessage(ctx, trx, containerId, rest);
  else if (type === 'trust-list') await storeTrustList(ctx, trx, rest);
}

/** A container from the server, checked, kept in the inbox and applied in one transaction, once. */
export async function receive(ctx: SiteContext, bytes: Uint8Array): Promise<ReceiveOutcome> {
  const { serverMatricule, step } = ctx;
  const opened = await ctx.codec.open(bytes);
  if (!opened.ok) return { status: 'refused', reason: opened.error.code };
  const { header, body, signer } = opened.value;
  if (signer.matricule !== serverMatricule || header.sender !== serverMatricule) {
    return { status: 'refused', reason: 'foreign' };
  }
  if (header.recipient !== null && header.recipient !== ctx.matricule)
    return { status: 'refused', reason: 'not-for-me' };
  const trx = await ctx.db.startTransaction().execute();
  try {
    const stored = await trx
      .insertInto('xm_site.inbox')
      .values({ container_id: header.containerId, kind: body.kind, payload: bytes })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!stored) {
      await trx.rollback().execute();
      return { status: 'duplicate' };
    }
    await step('receive:stored');
    let counts = { accepted: 0, rejected: 0, held: 0 };
    if (body.kind === 'receipt') counts = await applyReceipt(ctx, trx, body.receipt);
    else if (body.kind === 'import-response')
      counts = { ...(await storeImported(ctx, trx, header.table, body.rows)), held: 0 };
    else if (body.kind === 'control') await applyControl(ctx, trx, header.containerId, body.message);
    await step('receive:applied');
    await trx
      .updateTable('xm_site.inbox')
      .set({ applied_at: ctx.now() })
      .where('id', '=', stored.id)
      .execute();
    await trx.commit().execute();
    await step('receive:committed');
    return {
      status: 'applied',
      kind: body.kind,
      ...counts,
      ...(body.kind === 'import-response' ? { cursor: body.cursor } : {}),
    };
  } catch (error) {
    if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
    throw error;
  }
}
