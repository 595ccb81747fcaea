import { EventEmitter } from 'node:events';
import type { ContainerReceiver, ContainerSender, Envelope } from './envelope.js';
import { isValidParty } from './envelope.js';
import { MailTransportError } from './errors.js';
import type { ContainerHandler } from './interfaces.js';

export interface CarrierServerTransportOptions {
  server: string;
  handler: ContainerHandler;
  sender: ContainerSender;
  receiver: ContainerReceiver;
}

export interface CarrierServerTransportEvents {
  container: [matricule: string];
  error: [error: MailTransportError];
}

/**
 * The server's side over a store-and-forward carrier: every container addressed to `server` goes to
 * the handler (the message is removed after the handler resolved: the apply committed); `send`
 * carries a receipt or a reply to one site. Same shape as mqtt-transport's ServerTransport, so
 * xmserver's handler serves both.
 */
export class CarrierServerTransport extends EventEmitter<CarrierServerTransportEvents> {
  readonly #options: CarrierServerTransportOptions;
  #running = false;

  constructor(options: CarrierServerTransportOptions) {
    super();
    if (!isValidParty(options.server)) throw new MailTransportError('INVALID_OPTIONS', 'invalid server name');
    this.#options = options;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#options.receiver.start(
      async (envelope: Envelope) => {
        if (envelope.recipient !== this.#options.server)
          throw new MailTransportError('MISADDRESSED', `${envelope.sender} -> ${envelope.recipient}`);
        await this.#options.handler.onContainer(envelope.sender, envelope.payload);
        this.emit('container', envelope.sender);
      },
      { problem: (error) => this.#report(error) },
    );
  }

  /** Sends one container to a site; rejects with a stable code (the caller's outbox or the site's resend keeps it). */
  async send(matricule: string, payload: Uint8Array): Promise<void> {
    if (!this.#running) throw new MailTransportError('CLOSED');
    await this.#options.sender.send({ sender: this.#options.server, recipient: matricule, payload });
  }

  wake(): void {
    this.#options.receiver.wake();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#options.receiver.stop();
    await this.#options.sender.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #report(error: MailTransportError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
