export {
  ARMOUR_VERSION,
  CONTAINER_HEADER,
  CONTAINER_MEDIA_TYPE,
  type ComposeOptions,
  composeMail,
  DAMAGE_REASONS,
  type DamageReason,
  type MailReading,
  messageIdFor,
  readMail,
  sha256Hex,
} from './armour.js';
export {
  type ContainerReceiver,
  type ContainerSender,
  DEFAULT_MAX_CONTAINER_BYTES,
  type Envelope,
  isValidParty,
  type ReceiverReport,
} from './envelope.js';
export {
  describeMailTransportError,
  MAIL_TRANSPORT_ERROR_CODES,
  MailTransportError,
  type MailTransportErrorCode,
} from './errors.js';
export { ensureDirectory, fsyncDirectory, TEMPORARY_PREFIX, writeDurably } from './folder/durable-write.js';
export {
  FolderReceiver,
  type FolderReceiverOptions,
  FolderSender,
  REFUSED_FOLDER,
} from './folder/transfer-folder.js';
export { imapMailbox } from './imap-mailbox.js';
export type { ContainerHandler, InboxSink, OutboxItem, OutboxSource } from './interfaces.js';
export { type MailReceiverOptions, mailReceiver } from './mail.js';
export type { MailboxEntry, MailboxOpener, MailboxSession } from './mailbox.js';
export type { MailboxServerOptions } from './mailbox-options.js';
export { MailboxPoller, type MailboxPollerOptions } from './poller.js';
export { pop3Mailbox } from './pop3-mailbox.js';
export {
  CarrierServerTransport,
  type CarrierServerTransportEvents,
  type CarrierServerTransportOptions,
} from './server-transport.js';
export {
  CarrierSiteTransport,
  type CarrierSiteTransportEvents,
  type CarrierSiteTransportOptions,
} from './site-transport.js';
export { type SmtpOptions, SmtpSender, type SmtpSenderOptions, smtpFailure } from './smtp-sender.js';
