import { readMail } from './armour.js';
import {
  type ContainerReceiver,
  DEFAULT_MAX_CONTAINER_BYTES,
  type Envelope,
  type ReceiverReport,
} from './envelope.js';
import { MailTransportError } from './errors.js';
import type { MailboxOpener, MailboxSession } from './mailbox.js';

export interface MailboxPollerOptions {
  open: MailboxOpener;
  /** Seconds between looks at the mailbox when IMAP IDLE says nothing (default 60 s, as the original Mailer). */
  pollIntervalMs?: number;
  /** Where refused (damaged) messages go on IMAP (default 'XMcomm-Refused'); POP3 leaves them. */
  refusedFolder?: string;
  maxContainerBytes?: number;
  /** Delay before reconnecting after a failure (default: the poll interval, at most 60 s). */
  retryMs?: number;
}

/**
 * Reads a mailbox for containers. Each message is read, handed to `deliver`, and removed only once
 * `deliver` resolved (the database committed). A foreign mail is left where it is and not read again
 * while the mailbox keeps its UIDVALIDITY; a damaged one is moved aside (IMAP) or left (POP3), with
 * its reason. A failure of the server or of `deliver` is reported and the next cycle tries again:
 * nothing is removed that was not committed, so nothing is lost, and a container delivered twice
 * meets status-sync's idempotent apply.
 */
export class MailboxPoller implements ContainerReceiver {
  readonly #options: MailboxPollerOptions;
  #running = false;
  #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #session: MailboxSession | undefined;
  #generation: string | undefined;
  /** Keys of messages left alone (foreign, misaddressed, damaged on POP3): not read again. */
  readonly #skipped = new Set<string>();
  #wakeRequested = false;

  constructor(options: MailboxPollerOptions) {
    const poll = options.pollIntervalMs ?? 60_000;
    if (!Number.isFinite(poll) || poll <= 0)
      throw new MailTransportError('INVALID_OPTIONS', 'pollIntervalMs');
    this.#options = options;
  }

  start(deliver: (envelope: Envelope) => Promise<void>, report: ReceiverReport): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    this.#loop = this.#run(deliver, report);
  }

  wake(): void {
    this.#wakeRequested = true;
    this.#abort.abort();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await this.#loop;
    this.#loop = undefined;
  }

  async #run(deliver: (envelope: Envelope) => Promise<void>, report: ReceiverReport): Promise<void> {
    const poll = this.#options.pollIntervalMs ?? 60_000;
    while (this.#running) {
      let failed = false;
      try {
        await this.#cycle(deliver, report);
      } catch (error) {
        failed = true;
        report.problem(
          MailTransportError.isInstance(error)
            ? error
            : new MailTransportError('MAILBOX_FAILED', String(error), { cause: error }),
        );
        await this.#drop();
      }
      if (!this.#running) break;
      if (this.#wakeRequested) {
        this.#wakeRequested = false;
        this.#abort = new AbortController();
        continue;
      }
      const wait = failed ? (this.#options.retryMs ?? Math.min(poll, 60_000)) : poll;
      const signal = this.#abort.signal;
      try {
        if (!failed && this.#session?.reusable) await this.#session.waitForNews(wait, signal);
        else await sleep(wait, signal);
      } catch {
        await this.#drop();
      }
      if (signal.aborted && this.#running) {
        this.#wakeRequested = false;
        this.#abort = new AbortController();
      }
    }
    await this.#drop();
  }

  async #drop(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.close().catch(() => undefined);
  }

  async #cycle(deliver: (envelope: Envelope) => Promise<void>, report: ReceiverReport): Promise<void> {
    const session = this.#session ?? (await this.#options.open());
    this.#session = session;
    if (this.#generation !== undefined && this.#generation !== session.generation) {
      // The mailbox was recreated: the keys remembered mean other messages now. Forget them and read
      // everything again; what was delivered before and is still there is a harmless duplicate.
      report.problem(
        new MailTransportError('UIDVALIDITY_CHANGED', `${this.#generation} -> ${session.generation}`),
      );
      this.#skipped.clear();
    }
    this.#generation = session.generation;
    // Without a limit of its own, the codec's: a mailbox anyone can write to must not fill our memory.
    const max = this.#options.maxContainerBytes ?? DEFAULT_MAX_CONTAINER_BYTES;
    for (const entry of await session.list()) {
      if (!this.#running) break;
      if (this.#skipped.has(entry.key)) continue;
      // base64 is 4/3 of the bytes, plus headers: a message far bigger cannot hold a container we take.
      if (entry.size > max * 1.4 + 64 * 1024) {
        await this.#refuse(session, entry.key, 'too-large', report);
        continue;
      }
      const reading = await readMail(await session.read(entry.key), { maxContainerBytes: max });
      if (reading.kind === 'foreign') {
        this.#skipped.add(entry.key);
        report.problem(
          new MailTransportError('FOREIGN_MAIL', `message ${entry.key} ${reading.messageId ?? ''}`.trim()),
        );
        continue;
      }
      if (reading.kind === 'damaged') {
        await this.#refuse(session, entry.key, reading.reason, report);
        continue;
      }
      try {
        await deliver(reading.envelope);
      } catch (error) {
        if (MailTransportError.isInstance(error) && error.code === 'MISADDRESSED') {
          this.#skipped.add(entry.key);
          report.problem(error);
          continue;
        }
        // Not committed: the message stays and the next cycle offers it again.
        report.problem(new MailTransportError('HANDLER_FAILED', String(error), { cause: error }));
        continue;
      }
      await session.remove(entry.key);
    }
    if (!session.reusable) {
      this.#session = undefined;
      await session.close();
    }
  }

  async #refuse(session: MailboxSession, key: string, reason: string, report: ReceiverReport): Promise<void> {
    const folder = this.#options.refusedFolder ?? 'XMcomm-Refused';
    const moved = await session.setAside(key, folder).catch(() => false);
    if (!moved) this.#skipped.add(key);
    report.problem(
      new MailTransportError(
        'DAMAGED_ATTACHMENT',
        `message ${key}: ${reason}; ${moved ? `moved to ${folder}` : 'left in the mailbox'}`,
      ),
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
