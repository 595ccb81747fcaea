/** How to reach a mailbox by IMAP or POP3. */
export interface MailboxServerOptions {
  host: string;
  port: number;
  /** 'tls': TLS from the first byte (IMAPS 993, POP3S 995); 'starttls' (IMAP only); 'none': loopback tests only. */
  security: 'tls' | 'starttls' | 'none';
  user: string;
  pass: string;
  /** PEM CA certificate(s) to trust instead of the system's: pins the server's issuer. */
  ca?: string | readonly string[];
  servername?: string;
  /** Socket timeout (default 60 s). */
  timeoutMs?: number;
}

export function tlsOptionsOf(options: MailboxServerOptions) {
  return {
    ...(options.ca ? { ca: [options.ca].flat() } : {}),
    servername: options.servername ?? options.host,
    minVersion: 'TLSv1.2' as const,
  };
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
  'NoConnection',
  'ClosedAfterConnectTLS',
  'ClosedAfterConnectText',
  'ProtocolTimeout',
  'ETIMEOUT',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'EConnectionClosed',
]);

export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNREACHABLE.has(code);
}
