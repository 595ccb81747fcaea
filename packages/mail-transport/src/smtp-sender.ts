import nodemailer, { type Transporter } from 'nodemailer';
import { composeMail } from './armour.js';
import { type ContainerSender, type Envelope, isValidParty } from './envelope.js';
import { MailTransportError } from './errors.js';

export interface SmtpOptions {
  host: string;
  port: number;
  /** 'tls': TLS from the first byte (port 465); 'starttls': upgrade required (587); 'none': loopback tests only. */
  security: 'tls' | 'starttls' | 'none';
  auth?: { user: string; pass: string };
  /** PEM CA certificate(s) to trust instead of the system's: pins the server's issuer. */
  ca?: string | readonly string[];
  /** The name the server's certificate must carry (default `host`). */
  servername?: string;
  /** Most SMTP connections kept open at once (default 2). */
  maxConnections?: number;
  /** Socket and greeting timeouts (default 30 s). */
  timeoutMs?: number;
}

export interface SmtpSenderOptions {
  smtp: SmtpOptions;
  /** This party's address (the envelope sender). */
  from: string;
  /** The address of each party this side sends to: the server's, or each site's. */
  addressOf: (party: string) => string | undefined;
  /** Right-hand side of Message-IDs (default the domain of `from`). */
  domain?: string;
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
}

/** Maps nodemailer's failure to a stable code: whatever it was, the container stays in the outbox. */
export function smtpFailure(error: unknown): MailTransportError {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as SmtpFailure;
  const detail = failure.response ?? (error instanceof Error ? error.message : String(error));
  const code = failure.code ?? '';
  const response = failure.response ?? '';
  if (code === 'EAUTH' || failure.responseCode === 535)
    return new MailTransportError('SMTP_LOGIN_REFUSED', detail, { cause: error });
  // 452/552 with the "mailbox full" enhanced codes (RFC 3463 X.2.2), or 552 alone (RFC 5321).
  if (/\b[45]\.2\.2\b/.test(response) || failure.responseCode === 552)
    return new MailTransportError('MAILBOX_FULL', detail, { cause: error });
  if (failure.responseCode !== undefined && failure.responseCode >= 400)
    return new MailTransportError('SMTP_REJECTED', detail, { cause: error });
  return new MailTransportError('SMTP_UNREACHABLE', detail, { cause: error });
}

/** Sends containers as mails through one SMTP relay (nodemailer's pooled transport). */
export class SmtpSender implements ContainerSender {
  readonly #options: SmtpSenderOptions;
  readonly #transport: Transporter;

  constructor(options: SmtpSenderOptions) {
    const { smtp } = options;
    if (!Number.isInteger(smtp.port) || smtp.port < 1 || smtp.port > 65535)
      throw new MailTransportError('INVALID_OPTIONS', 'smtp.port');
    this.#options = options;
    const timeout = smtp.timeoutMs ?? 30_000;
    this.#transport = nodemailer.createTransport({
      pool: true,
      maxConnections: smtp.maxConnections ?? 2,
      host: smtp.host,
      port: smtp.port,
      secure: smtp.security === 'tls',
      requireTLS: smtp.security === 'starttls',
      ignoreTLS: smtp.security === 'none',
      ...(smtp.auth ? { auth: { user: smtp.auth.user, pass: smtp.auth.pass } } : {}),
      tls: {
        ...(smtp.ca ? { ca: [smtp.ca].flat() } : {}),
        servername: smtp.servername ?? smtp.host,
        minVersion: 'TLSv1.2',
      },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      // Nothing of the message or the credentials goes to a log.
      logger: false,
      debug: false,
    });
  }

  async send(envelope: Envelope): Promise<void> {
    if (!isValidParty(envelope.recipient) || !isValidParty(envelope.sender))
      throw new MailTransportError('INVALID_OPTIONS', 'invalid party name');
    const to = this.#options.addressOf(envelope.recipient);
    if (!to) throw new MailTransportError('INVALID_OPTIONS', `no address for ${envelope.recipient}`);
    const mail = composeMail(envelope, {
      from: this.#options.from,
      to,
      ...(this.#options.domain ? { domain: this.#options.domain } : {}),
    });
    try {
      await this.#transport.sendMail(mail);
    } catch (error) {
      throw smtpFailure(error);
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
