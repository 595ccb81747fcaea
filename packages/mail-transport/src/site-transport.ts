import { EventEmitter } from 'node:events';
import type { ContainerReceiver, ContainerSender, Envelope } from './envelope.js';
import { isValidParty } from './envelope.js';
import { MailTransportError } from './errors.js';
import type { InboxSink, OutboxSource } from './interfaces.js';

export interface CarrierSiteTransportOptions {
  /** The server's name (the recipient of what this site sends, the only sender it accepts). */
  server: string;
  matricule: string;
  outbox: OutboxSource;
  inbox: InboxSink;
  sender: ContainerSender;
  receiver: ContainerReceiver;
  /** How often the outbox is looked at when nobody calls `wake()` (default 30 s). */
  pollIntervalMs?: number;
  /** Most items taken from the outbox per round (default 16). */
  batch?: number;
}

export interface CarrierSiteTransportEvents {
  sent: [id: string];
  received: [sender: string];
  error: [error: MailTransportError];
}

/**
 * A site's link over a store-and-forward carrier (mail, transfer folder): drains the outbox through
 * the sender (an item is marked sent once the relay or the folder took it) and stores what the
 * server sent before the carrier removes it. Failures are reported as 'error' events with a stable
 * code and retried on the next round; the link never stops by itself.
 */
export class CarrierSiteTransport extends EventEmitter<CarrierSiteTransportEvents> {
  readonly #options: CarrierSiteTransportOptions;
  #running = false;
  #pumping = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #pump: Promise<void> = Promise.resolve();

  constructor(options: CarrierSiteTransportOptions) {
    super();
    if (!isValidParty(options.matricule) || !isValidParty(options.server))
      throw new MailTransportError('INVALID_OPTIONS', 'invalid matricule or server name');
    this.#options = options;
  }

  get matricule(): string {
    return this.#options.matricule;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const { server, matricule } = this.#options;
    this.#options.receiver.start(
      async (envelope: Envelope) => {
        if (envelope.recipient !== matricule || envelope.sender !== server)
          throw new MailTransportError('MISADDRESSED', `${envelope.sender} -> ${envelope.recipient}`);
        await this.#options.inbox.store(`mail/${server}/down/${matricule}`, envelope.payload);
        this.emit('received', envelope.sender);
      },
      { problem: (error) => this.#report(error) },
    );
    this.#timer = setInterval(() => this.wake(), this.#options.pollIntervalMs ?? 30_000);
    this.#timer.unref();
    this.wake();
  }

  /** The outbox has new items: send them now rather than at the next poll; also looks at the mailbox. */
  wake(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    this.#pump = (async () => {
      try {
        do {
          this.#again = false;
          await this.#drain();
        } while (this.#again && this.#running);
      } finally {
        this.#pumping = false;
      }
    })();
  }

  /** Looks at the mailbox now (a site that just sent may want its receipt early). */
  wakeReceiver(): void {
    this.#options.receiver.wake();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#timer);
    await this.#pump;
    await this.#options.receiver.stop();
    await this.#options.sender.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #report(error: MailTransportError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  async #drain(): Promise<void> {
    const { outbox, sender, server, matricule } = this.#options;
    const done = new Set<string>();
    while (this.#running) {
      let batch: readonly { id: string; payload: Uint8Array }[];
      try {
        batch = await outbox.nextBatch(this.#options.batch ?? 16, done);
      } catch (error) {
        this.#report(new MailTransportError('HANDLER_FAILED', 'outbox', { cause: error }));
        return;
      }
      if (batch.length === 0) return;
      for (const item of batch) {
        if (!this.#running) return;
        try {
          await sender.send({ sender: matricule, recipient: server, payload: item.payload });
        } catch (error) {
          // The item stays due in the outbox; the next round (poll or wake) sends it again.
          this.#report(
            MailTransportError.isInstance(error)
              ? error
              : new MailTransportError('SMTP_UNREACHABLE', String(error), { cause: error }),
          );
          return;
        }
        done.add(item.id);
        try {
          await outbox.markSent(item.id);
        } catch (error) {
          this.#report(new MailTransportError('HANDLER_FAILED', 'outbox', { cause: error }));
          return;
        }
        this.emit('sent', item.id);
      }
    }
  }
}
