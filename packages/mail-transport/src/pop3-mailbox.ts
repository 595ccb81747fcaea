import Pop3Command from 'node-pop3';
import { MailTransportError } from './errors.js';
import type { MailboxEntry, MailboxOpener, MailboxSession } from './mailbox.js';
import { isUnreachable, type MailboxServerOptions, tlsOptionsOf } from './mailbox-options.js';

function pop3Failure(error: unknown, doing: string): MailTransportError {
  if (MailTransportError.isInstance(error)) return error;
  const message = (error as Error)?.message ?? String(error);
  const detail = `${doing}: ${message}`;
  if (doing === 'login' && /^-?ERR|auth|password|login/i.test(message) && !isUnreachable(error))
    return new MailTransportError('MAILBOX_LOGIN_REFUSED', detail, { cause: error });
  if (isUnreachable(error) || doing === 'connect')
    return new MailTransportError('MAILBOX_UNREACHABLE', detail, { cause: error });
  return new MailTransportError('MAILBOX_FAILED', detail, { cause: error });
}

/**
 * Opens a POP3 maildrop (node-pop3) for one cycle: UIDL, RETR, DELE, then QUIT, which is when the
 * server removes what was deleted. A connection lost before QUIT removes nothing: those containers
 * come again next cycle, as harmless duplicates. POP3 has no folders: damaged and foreign mails stay.
 */
export function pop3Mailbox(options: MailboxServerOptions): MailboxOpener {
  if (options.security === 'starttls')
    throw new MailTransportError(
      'INVALID_OPTIONS',
      'POP3 here speaks TLS from the first byte (995) or plain text',
    );
  return async () => {
    const pop3 = new Pop3Command({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.pass,
      tls: options.security === 'tls',
      timeout: options.timeoutMs ?? 60_000,
      tlsOptions: tlsOptionsOf(options),
      servername: options.servername ?? options.host,
    });
    // Connection and login happen on the first command: UIDL.
    let numbers: Map<string, number>;
    let sizes: Map<number, number>;
    try {
      await pop3._connect();
    } catch (error) {
      await pop3.QUIT().catch(() => undefined);
      throw pop3Failure(error, isUnreachable(error) ? 'connect' : 'login');
    }
    try {
      const uidl = (await pop3.UIDL()) as string[][];
      numbers = new Map(uidl.map(([number, uid]) => [String(uid), Number(number)]));
      const list = (await pop3.LIST()) as string[][];
      sizes = new Map(list.map(([number, size]) => [Number(number), Number(size)]));
    } catch (error) {
      await pop3.QUIT().catch(() => undefined);
      throw pop3Failure(error, 'list');
    }
    const number = (key: string) => {
      const found = numbers.get(key);
      if (found === undefined) throw new MailTransportError('MAILBOX_FAILED', `no message ${key}`);
      return found;
    };
    const session: MailboxSession = {
      generation: 'pop3',
      reusable: false,
      async list(): Promise<readonly MailboxEntry[]> {
        // A message LIST did not size is not read blind: taken as too large to hold a container.
        return [...numbers].map(([key, n]) => ({ key, size: sizes.get(n) ?? Number.POSITIVE_INFINITY }));
      },
      async read(key) {
        try {
          // node-pop3 hands the message over as UTF-8 text. The armour is 7-bit ASCII (base64, and a
          // quoted-printable text part), so no byte of a container is lost; an 8-bit foreign mail may
          // come back altered, which does not matter: it is left alone on the server.
          return new Uint8Array(Buffer.from(await pop3.RETR(number(key)), 'utf8'));
        } catch (error) {
          throw pop3Failure(error, 'read');
        }
      },
      async remove(key) {
        try {
          await pop3.DELE(number(key));
        } catch (error) {
          throw pop3Failure(error, 'delete');
        }
      },
      async setAside() {
        return false;
      },
      async waitForNews() {},
      async close() {
        try {
          await pop3.QUIT();
        } catch (error) {
          throw pop3Failure(error, 'quit');
        }
      },
    };
    return session;
  };
}
