import { ImapFlow } from 'imapflow';
import { MailTransportError } from './errors.js';
import type { MailboxEntry, MailboxOpener, MailboxSession } from './mailbox.js';
import { isUnreachable, type MailboxServerOptions, tlsOptionsOf } from './mailbox-options.js';

function imapFailure(error: unknown, doing: string): MailTransportError {
  if (MailTransportError.isInstance(error)) return error;
  const detail = `${doing}: ${(error as Error)?.message ?? String(error)}`;
  if ((error as { authenticationFailed?: boolean })?.authenticationFailed)
    return new MailTransportError('MAILBOX_LOGIN_REFUSED', detail, { cause: error });
  if (isUnreachable(error)) return new MailTransportError('MAILBOX_UNREACHABLE', detail, { cause: error });
  return new MailTransportError('MAILBOX_FAILED', detail, { cause: error });
}

/** Opens INBOX over IMAP (imapflow); the session stays open, IDLEs between cycles, and says when mail arrives. */
export function imapMailbox(options: MailboxServerOptions & { mailbox?: string }): MailboxOpener {
  return async () => {
    const client = new ImapFlow({
      host: options.host,
      port: options.port,
      secure: options.security === 'tls',
      doSTARTTLS: options.security === 'starttls' ? true : options.security === 'none' ? false : undefined,
      auth: { user: options.user, pass: options.pass },
      tls: tlsOptionsOf(options),
      logger: false,
      socketTimeout: options.timeoutMs ?? 60_000,
      connectionTimeout: options.timeoutMs ?? 60_000,
    } as ConstructorParameters<typeof ImapFlow>[0]);
    // imapflow emits 'error' on a dropped socket; without a listener that would end the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.close();
      throw imapFailure(error, 'connect');
    }
    let mailbox: Awaited<ReturnType<ImapFlow['mailboxOpen']>>;
    try {
      mailbox = await client.mailboxOpen(options.mailbox ?? 'INBOX');
    } catch (error) {
      client.close();
      throw imapFailure(error, 'select');
    }
    let news: (() => void) | undefined;
    // Mail that arrives while a cycle runs (an EXISTS in a FETCH response) is kept for the next wait.
    let arrived = false;
    client.on('exists', () => {
      arrived = true;
      news?.();
    });
    client.on('close', () => news?.());
    const created = new Set<string>();
    const session: MailboxSession = {
      generation: String(mailbox.uidValidity),
      get reusable() {
        return client.usable;
      },
      async list(): Promise<readonly MailboxEntry[]> {
        try {
          const entries: MailboxEntry[] = [];
          if ((client.mailbox && client.mailbox.exists === 0) || !client.mailbox) return entries;
          for await (const message of client.fetch('1:*', { uid: true, size: true })) {
            entries.push({ key: String(message.uid), size: message.size ?? 0 });
          }
          return entries;
        } catch (error) {
          throw imapFailure(error, 'fetch');
        }
      },
      async read(key) {
        try {
          const message = await client.fetchOne(key, { source: true }, { uid: true });
          if (message === false || !message.source) throw new Error(`message ${key} is gone`);
          return new Uint8Array(message.source);
        } catch (error) {
          throw imapFailure(error, 'read');
        }
      },
      async remove(key) {
        try {
          await client.messageDelete(key, { uid: true });
        } catch (error) {
          throw imapFailure(error, 'delete');
        }
      },
      async setAside(key, folder) {
        if (!created.has(folder)) {
          await client.mailboxCreate(folder).catch(() => undefined); // exists already: fine
          created.add(folder);
        }
        const moved = await client.messageMove(key, folder, { uid: true });
        return moved !== false;
      },
      waitForNews(ms, signal) {
        if (arrived) {
          arrived = false;
          return Promise.resolve();
        }
        // IDLE now: imapflow's own auto-IDLE starts only after a delay (15 s by default), and mail
        // arriving before it would wait that long. The next command ends the IDLE by itself.
        client.idle({ whenFree: true }).catch(() => undefined);
        return new Promise((resolve) => {
          const done = () => {
            clearTimeout(timer);
            news = undefined;
            arrived = false;
            signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, ms);
          news = done;
          signal.addEventListener('abort', done, { once: true });
        });
      },
      async close() {
        try {
          await client.logout();
        } catch {
          client.close();
        }
      },
    };
    return session;
  };
}
