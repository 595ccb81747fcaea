import type { ContainerReceiver } from './envelope.js';
import { imapMailbox } from './imap-mailbox.js';
import type { MailboxServerOptions } from './mailbox-options.js';
import { MailboxPoller, type MailboxPollerOptions } from './poller.js';
import { pop3Mailbox } from './pop3-mailbox.js';

export interface MailReceiverOptions extends Omit<MailboxPollerOptions, 'open'> {
  protocol: 'imap' | 'pop3';
  server: MailboxServerOptions;
}

/** The receiving half of the mail carrier: IMAP (IDLE, and a poll every `pollIntervalMs`) or POP3 (the poll alone). */
export function mailReceiver(options: MailReceiverOptions): ContainerReceiver {
  const { protocol, server, ...poller } = options;
  return new MailboxPoller({
    ...poller,
    open: protocol === 'imap' ? imapMailbox(server) : pop3Mailbox(server),
  });
}
