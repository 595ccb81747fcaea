// The server speaking first: account, profile, an operator's text, the documents trust list; null for a
// client that may not hear it.
import { seal } from './answers.js';
import { findClient, gate } from './clients.js';
import type { ServerContext } from './context.js';
import { accountMessage, profileMessage } from './control-messages.js';

export async function pushAccount(ctx: ServerContext, matricule: string): Promise<Uint8Array | null> {
  const client = await findClient(ctx, matricule);
  if (!client || gate(ctx, client, 'account-query')) return null;
  const account = await accountMessage(ctx, ctx.db, client);
  const sealed = await seal(ctx, matricule, {
    body: { kind: 'control', message: { ...account, profile: profileMessage(client) } },
  });
  return sealed.bytes;
}

export async function pushProfile(ctx: ServerContext, matricule: string): Promise<Uint8Array | null> {
  const client = await findClient(ctx, matricule);
  if (!client || gate(ctx, client, 'profile-query')) return null;
  return (await seal(ctx, matricule, { body: { kind: 'control', message: profileMessage(client) } })).bytes;
}

export async function pushMessage(
  ctx: ServerContext,
  matricule: string,
  text: string,
): Promise<Uint8Array | null> {
  const client = await findClient(ctx, matricule);
  // Status 1 is the least that may hear from the server at all, as for account and profile.
  if (!client || gate(ctx, client, 'account-query')) return null;
  const sealed = await seal(ctx, matricule, {
    body: { kind: 'control', message: { type: 'message', text, sentAt: ctx.now().toISOString() } },
  });
  return sealed.bytes;
}

/**
 * The documents trust list, as the central server signed and numbered it (its text armour): sites
 * keep the newest; what is inside is the business of whoever verifies documents with it.
 */
export async function pushTrustList(
  ctx: ServerContext,
  matricule: string,
  trustList: { readonly sequence: number; readonly text: string },
): Promise<Uint8Array | null> {
  const client = await findClient(ctx, matricule);
  if (!client || gate(ctx, client, 'account-query')) return null;
  const sealed = await seal(ctx, matricule, {
    body: {
      kind: 'control',
      message: {
        type: 'trust-list',
        sequence: trustList.sequence,
        list: trustList.text,
        sentAt: ctx.now().toISOString(),
      },
    },
  });
  return sealed.bytes;
}
