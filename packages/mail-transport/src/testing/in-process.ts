import { SMTPServer } from 'smtp-server';
import { MailTransportError } from '../errors.js';
import type { MailboxEntry, MailboxOpener, MailboxSession } from '../mailbox.js';

/**
 * A mailbox in memory that behaves like an IMAP INBOX (UIDs, a UIDVALIDITY, a folder for refused
 * mail, news when a message arrives), for the in-process pair: no maintained IMAP or POP3 server
 * exists on npm, so smtp-server (from nodemailer) receives and this holds the mail.
 */
export class MemoryMailbox {
  readonly folders = new Map<string, Map<number, Uint8Array>>([['INBOX', new Map()]]);
  uidValidity = 1;
  #nextUid = 1;
  #listeners = new Set<() => void>();
  /** Set to make the next open fail like a server that is down. */
  down = false;

  get inbox(): Map<number, Uint8Array> {
    return this.folders.get('INBOX') as Map<number, Uint8Array>;
  }

  deliver(raw: Uint8Array): void {
    this.inbox.set(this.#nextUid++, raw);
    for (const listener of this.#listeners) listener();
  }

  /** As if the mailbox were recreated: new UIDVALIDITY, messages renumbered. */
  recreate(): void {
    this.uidValidity += 1;
    const messages = [...this.inbox.values()];
    this.inbox.clear();
    for (const raw of messages) this.inbox.set(this.#nextUid++, raw);
  }

  opener(): MailboxOpener {
    return async () => {
      if (this.down) throw new MailTransportError('MAILBOX_UNREACHABLE', 'the in-memory mailbox is down');
      let open = true;
      const session: MailboxSession = {
        generation: String(this.uidValidity),
        get reusable() {
          return open;
        },
        list: async (): Promise<readonly MailboxEntry[]> =>
          [...this.inbox].map(([uid, raw]) => ({ key: String(uid), size: raw.length })),
        read: async (key) => {
          const raw = this.inbox.get(Number(key));
          if (!raw) throw new Error(`no message ${key}`);
          return raw;
        },
        remove: async (key) => {
          this.inbox.delete(Number(key));
        },
        setAside: async (key, folder) => {
          const raw = this.inbox.get(Number(key));
          if (!raw) return false;
          if (!this.folders.has(folder)) this.folders.set(folder, new Map());
          this.folders.get(folder)?.set(Number(key), raw);
          this.inbox.delete(Number(key));
          return true;
        },
        waitForNews: (ms, signal) =>
          new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              this.#listeners.delete(done);
              signal.removeEventListener('abort', done);
              resolve();
            };
            const timer = setTimeout(done, ms);
            this.#listeners.add(done);
            signal.addEventListener('abort', done, { once: true });
          }),
        close: async () => {
          open = false;
        },
      };
      // A recreated mailbox ends the session, as an IMAP server would.
      const generation = this.uidValidity;
      Object.defineProperty(session, 'reusable', { get: () => open && generation === this.uidValidity });
      return session;
    };
  }
}

export interface InProcessSmtp {
  readonly port: number;
  /** Mailboxes by address; mail to an unknown address is refused (550). */
  readonly mailboxes: ReadonlyMap<string, MemoryMailbox>;
  /** When set, RCPT TO that address answers 452 4.2.2 (mailbox full). */
  full: Set<string>;
  /** While true, every connection is refused with 421, as a server going down says. */
  refusing: boolean;
  close(): Promise<void>;
}

/** An SMTP server in this process (smtp-server, plain text on loopback, any login) feeding MemoryMailboxes. */
export async function startInProcessSmtp(addresses: readonly string[]): Promise<InProcessSmtp> {
  const mailboxes = new Map(addresses.map((address) => [address, new MemoryMailbox()]));
  const full = new Set<string>();
  const state = { refusing: false };
  const server = new SMTPServer({
    onConnect(_session, callback) {
      if (state.refusing)
        return callback(Object.assign(new Error('Service not available'), { responseCode: 421 }));
      callback();
    },
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.password === 'wrong') return callback(new Error('Invalid username or password'));
      callback(null, { user: auth.username });
    },
    // A connection already open (nodemailer keeps a pool) meets the refusal at its next message.
    onMailFrom(_address, _session, callback) {
      if (state.refusing)
        return callback(Object.assign(new Error('Service not available'), { responseCode: 421 }));
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (full.has(address.address)) {
        return callback(Object.assign(new Error('4.2.2 Mailbox full'), { responseCode: 452 }));
      }
      if (!mailboxes.has(address.address)) {
        return callback(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = new Uint8Array(Buffer.concat(chunks));
        for (const rcpt of session.envelope.rcptTo) mailboxes.get(rcpt.address)?.deliver(raw);
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    port,
    mailboxes,
    full,
    get refusing() {
      return state.refusing;
    },
    set refusing(value: boolean) {
      state.refusing = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
