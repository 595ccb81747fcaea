import { type SiteContext, type Trx, timestampValue } from './context.js';
import type { AccountHold, HeldTrustList } from './types.js';

/** `xm_site.settings` keys: the account hold, and the account and profile the server last sent. */
export const holdSetting = 'status-sync.hold';
export const accountSetting = 'status-sync.account';
export const profileSetting = 'status-sync.profile';
/** The newest documents trust list the server sent: `{ sequence, list, receivedAt }`. */
export const trustListSetting = 'status-sync.trust-list';

export async function saveSetting(ctx: SiteContext, trx: Trx, key: string, value: unknown) {
  const json = JSON.stringify(value);
  await trx
    .insertInto('xm_site.settings')
    .values({ key, value: json })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: timestampValue(ctx.now()) }))
    .execute();
}

/** Why rows are held back from export (the account refused), or null when they go. */
export async function hold(ctx: SiteContext): Promise<AccountHold | null> {
  const row = await ctx.db
    .selectFrom('xm_site.settings')
    .select('value')
    .where('key', '=', holdSetting)
    .executeTakeFirst();
  if (!row) return null;
  const value = (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) as {
    reason: string;
    detail: string | null;
    since: string;
    containerId: string;
  };
  return {
    reason: value.reason,
    detail: value.detail,
    since: new Date(value.since),
    containerId: value.containerId,
  };
}

/** The newest documents trust list the server sent, or null before the first. */
export async function trustList(ctx: SiteContext): Promise<HeldTrustList | null> {
  const row = await ctx.db
    .selectFrom('xm_site.settings')
    .select('value')
    .where('key', '=', trustListSetting)
    .executeTakeFirst();
  if (!row) return null;
  const value = (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) as {
    sequence: number;
    list: string;
    receivedAt: string;
  };
  return { sequence: value.sequence, text: value.list, receivedAt: new Date(value.receivedAt) };
}
