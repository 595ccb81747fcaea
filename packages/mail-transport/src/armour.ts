import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { DEFAULT_MAX_CONTAINER_BYTES, type Envelope, isValidParty } from './envelope.js';

/** The attachment's media type: an SDC is opaque bytes to mail, carried in base64. */
export const CONTAINER_MEDIA_TYPE = 'application/vnd.xmcomm.sdc';
/** Names the parties and the hash of the attachment; a mail without it is not ours. */
export const CONTAINER_HEADER = 'X-XMcomm-Container';
export const ARMOUR_VERSION = 'v1';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The Message-ID of a container: its sender and the SHA-256 of its bytes, which an outbox item keeps
 * across retries, so a resent container carries the same id (and a server sees the same id twice).
 */
export function messageIdFor(envelope: Pick<Envelope, 'sender' | 'payload'>, domain: string): string {
  return `<xm-${ARMOUR_VERSION}.${envelope.sender}.${sha256Hex(envelope.payload)}@${domain}>`;
}

export interface ComposeOptions {
  from: string;
  to: string;
  /** The right-hand side of Message-IDs (default: the domain of `from`). */
  domain?: string;
}

/** The nodemailer message for one container: a short text part and the container as a base64 attachment. */
export function composeMail(envelope: Envelope, options: ComposeOptions): Mail.Options {
  const sha256 = sha256Hex(envelope.payload);
  const domain = options.domain ?? options.from.split('@')[1] ?? 'xmcomm.invalid';
  return {
    from: options.from,
    to: options.to,
    subject: `XMcomm ${envelope.sender} -> ${envelope.recipient}`,
    messageId: messageIdFor(envelope, domain),
    headers: {
      [CONTAINER_HEADER]: `${ARMOUR_VERSION}; sender=${envelope.sender}; recipient=${envelope.recipient}; sha256=${sha256}; bytes=${envelope.payload.length}`,
    },
    text: 'XMcomm secure data container (SDC) attached. Conteneur sécurisé (SDC) XMcomm en pièce jointe.\n',
    attachments: [
      {
        filename: `${sha256.slice(0, 16)}.sdc`,
        content: Buffer.from(envelope.payload.buffer, envelope.payload.byteOffset, envelope.payload.length),
        contentType: CONTAINER_MEDIA_TYPE,
        encoding: 'base64',
        contentTransferEncoding: 'base64',
      },
    ],
  };
}

/** Why a mail that names itself ours was refused. */
export const DAMAGE_REASONS = [
  'bad-header',
  'missing-attachment',
  'several-attachments',
  'size-mismatch',
  'hash-mismatch',
  'too-large',
  'unparseable',
] as const;
export type DamageReason = (typeof DAMAGE_REASONS)[number];

export type MailReading =
  | { kind: 'container'; envelope: Envelope; messageId: string | undefined }
  | { kind: 'foreign'; messageId: string | undefined; subject: string | undefined }
  | { kind: 'damaged'; reason: DamageReason; messageId: string | undefined };

const HEADER_FIELDS = /^v1; sender=([^;\s]+); recipient=([^;\s]+); sha256=([0-9a-f]{64}); bytes=(\d+)$/;

/**
 * Reads one raw message (hostile input: never throws). Not ours: no container header. Ours but
 * damaged: a header that does not parse, no attachment, or an attachment whose size or SHA-256
 * differs from the header's. The hash catches damage on the way, not forgery: the container's CMS
 * signature, checked by the codec, does that.
 */
export async function readMail(
  raw: Uint8Array,
  options: { maxContainerBytes?: number } = {},
): Promise<MailReading> {
  const max = options.maxContainerBytes ?? DEFAULT_MAX_CONTAINER_BYTES;
  let parsed: Awaited<ReturnType<typeof simpleParser>>;
  try {
    parsed = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.length), {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
    });
  } catch {
    return { kind: 'damaged', reason: 'unparseable', messageId: undefined };
  }
  const messageId = parsed.messageId;
  const header = parsed.headers.get(CONTAINER_HEADER.toLowerCase());
  if (header === undefined) return { kind: 'foreign', messageId, subject: parsed.subject };
  const fields = typeof header === 'string' ? HEADER_FIELDS.exec(header.replace(/\s+/g, ' ').trim()) : null;
  if (!fields) return { kind: 'damaged', reason: 'bad-header', messageId };
  const [, sender = '', recipient = '', sha256 = '', bytesText = ''] = fields;
  if (!isValidParty(sender) || !isValidParty(recipient))
    return { kind: 'damaged', reason: 'bad-header', messageId };
  const bytes = Number(bytesText);
  if (bytes > max) return { kind: 'damaged', reason: 'too-large', messageId };
  const attachments = parsed.attachments.filter((a) => a.contentType === CONTAINER_MEDIA_TYPE);
  if (attachments.length === 0) return { kind: 'damaged', reason: 'missing-attachment', messageId };
  if (attachments.length > 1) return { kind: 'damaged', reason: 'several-attachments', messageId };
  const content = (attachments[0] as { content: Buffer }).content;
  if (content.length !== bytes) return { kind: 'damaged', reason: 'size-mismatch', messageId };
  if (sha256Hex(content) !== sha256) return { kind: 'damaged', reason: 'hash-mismatch', messageId };
  return { kind: 'container', envelope: { sender, recipient, payload: new Uint8Array(content) }, messageId };
}
