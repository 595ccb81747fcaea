import type { Language, SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { EcrError } from './errors.js';
import { requirePrivilege, type SessionUser } from './users.js';

// The central server's operators write to the centre (`xmserver client message`); `ecr sync` takes
// the messages in (status-sync keeps them in xm_site.messages). Any logged-in user of the centre
// may read them; a message is read once for the whole centre, by whoever reads it first.

export interface ServerMessage {
  readonly id: number;
  readonly text: string;
  /** When the server sent it (its clock); null if it did not say. */
  readonly sentAt: Date | null;
  readonly receivedAt: Date;
  /** Null while unread. */
  readonly readAt: Date | null;
  readonly readBy: string | null;
}

const readMessages = { en: 'read the messages from the server', fr: 'lire les messages du serveur' };

const asDate = (value: Date | string | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

const columns = ['id', 'text', 'sent_at', 'received_at', 'read_at', 'read_by'] as const;

function toMessage(row: {
  id: number;
  text: string;
  sent_at: Date | string | null;
  received_at: Date | string;
  read_at: Date | string | null;
  read_by: string | null;
}): ServerMessage {
  return {
    id: row.id,
    text: row.text,
    sentAt: asDate(row.sent_at),
    receivedAt: asDate(row.received_at) as Date,
    readAt: asDate(row.read_at),
    readBy: row.read_by,
  };
}

/** The server's messages, newest first; only the unread ones with `unread`. */
export async function listMessages(
  db: Kysely<SiteDatabase>,
  actor: SessionUser,
  options: { readonly unread?: boolean } = {},
): Promise<ServerMessage[]> {
  requirePrivilege(actor, 1, readMessages);
  let query = db
    .selectFrom('xm_site.messages')
    .select(columns)
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc');
  if (options.unread) query = query.where('read_at', 'is', null);
  return (await query.execute()).map(toMessage);
}

/**
 * One message; marks it read by `actor` if nobody had read it (`markedNow`). Returns it as it is
 * after that.
 */
export async function readMessage(
  db: Kysely<SiteDatabase>,
  actor: SessionUser,
  id: number,
  now: () => Date = () => new Date(),
): Promise<ServerMessage & { readonly markedNow: boolean }> {
  requirePrivilege(actor, 1, readMessages);
  const select = () =>
    db.selectFrom('xm_site.messages').select(columns).where('id', '=', id).executeTakeFirst();
  const row = await select();
  if (!row) throw new EcrError('not-found', { what: 'message', whatFr: 'message', id });
  if (row.read_at !== null) return { ...toMessage(row), markedNow: false };
  // The first reader only: two workstations reading at once do not overwrite each other.
  const marked = await db
    .updateTable('xm_site.messages')
    .set({ read_at: now() as never, read_by: actor.login })
    .where('id', '=', id)
    .where('read_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  const after = (await select()) ?? row;
  return { ...toMessage(after), markedNow: marked !== undefined };
}

/** Marks every unread message read by `actor`; returns how many. */
export async function markAllRead(
  db: Kysely<SiteDatabase>,
  actor: SessionUser,
  now: () => Date = () => new Date(),
): Promise<number> {
  requirePrivilege(actor, 1, readMessages);
  const rows = await db
    .updateTable('xm_site.messages')
    .set({ read_at: now() as never, read_by: actor.login })
    .where('read_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}

/** How many messages nobody at the centre has read yet. */
export async function unreadCount(db: Kysely<SiteDatabase>): Promise<number> {
  const { count } = await db
    .selectFrom('xm_site.messages')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** The one line that announces unread messages and says how to read them; null when there are none. */
export function unreadAnnouncement(count: number, language: Language): string | null {
  if (count === 0) return null;
  if (language === 'fr') {
    return count === 1
      ? '1 message non lu du serveur central : `ecr message list` pour le voir, `ecr message read <n>` pour le lire.'
      : `${count} messages non lus du serveur central : \`ecr message list\` pour les voir, \`ecr message read <n>\` pour les lire.`;
  }
  return count === 1
    ? '1 unread message from the central server: `ecr message list` to see it, `ecr message read <n>` to read it.'
    : `${count} unread messages from the central server: \`ecr message list\` to see them, \`ecr message read <n>\` to read them.`;
}
