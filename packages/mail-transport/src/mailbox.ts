/** One message waiting in a mailbox: `key` is its IMAP UID or its POP3 UIDL. */
export interface MailboxEntry {
  key: string;
  size: number;
}

/** An open mailbox, as the poller uses it; IMAP and POP3 (and tests' in-memory one) implement it. */
export interface MailboxSession {
  /**
   * What identifies the key space: IMAP's UIDVALIDITY. When it changes, keys seen before mean
   * nothing (the mailbox was recreated); POP3's UIDLs have no such number ('pop3').
   */
  readonly generation: string;
  list(): Promise<readonly MailboxEntry[]>;
  read(key: string): Promise<Uint8Array>;
  /** Removes a message whose content is committed. POP3 removes it at `close()` (QUIT). */
  remove(key: string): Promise<void>;
  /** Moves a refused message to `folder`; false where the protocol has no folders (POP3). */
  setAside(key: string, folder: string): Promise<boolean>;
  /** Resolves when the server says something new arrived, or after `ms` (IMAP IDLE; POP3 only waits). */
  waitForNews(ms: number, signal: AbortSignal): Promise<void>;
  /** True while the connection can be used for the next cycle (IMAP keeps one open, POP3 does not). */
  readonly reusable: boolean;
  close(): Promise<void>;
}

/** Opens a session; rejects with a MailTransportError (unreachable, login refused). */
export type MailboxOpener = () => Promise<MailboxSession>;
