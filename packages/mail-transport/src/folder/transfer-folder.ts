import { mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../armour.js';
import {
  type ContainerReceiver,
  type ContainerSender,
  DEFAULT_MAX_CONTAINER_BYTES,
  type Envelope,
  isValidParty,
  type ReceiverReport,
} from '../envelope.js';
import { MailTransportError } from '../errors.js';
import { ensureDirectory, TEMPORARY_PREFIX, writeDurably } from './durable-write.js';

/**
 * The transfer folder (the original's UTA folder): `<root>/<recipient>/<sender>/<sha256>.sdc`, the
 * same file naming as t2d-usb's medium, written under a temporary name and renamed, so a carrier
 * that picks files up (a satellite phone's mail client, a sync tool) only ever sees whole containers.
 * Refused files are moved to `<root>/<recipient>/.refused/`.
 */
const CONTAINER_FILE = /^([0-9a-f]{64})\.sdc$/;
export const REFUSED_FOLDER = '.refused';

function folderFailure(error: unknown, doing: string): MailTransportError {
  if (MailTransportError.isInstance(error)) return error;
  return new MailTransportError('FOLDER_FAILED', `${doing}: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

/** Writes each container into the transfer folder; resolves once the file is renamed and flushed. */
export class FolderSender implements ContainerSender {
  readonly #root: string;
  constructor(options: { root: string }) {
    this.#root = options.root;
  }

  async send(envelope: Envelope): Promise<void> {
    if (!isValidParty(envelope.sender) || !isValidParty(envelope.recipient))
      throw new MailTransportError('INVALID_OPTIONS', 'invalid party name');
    const directory = join(this.#root, envelope.recipient, envelope.sender);
    try {
      await ensureDirectory(this.#root, directory);
      await writeDurably(directory, `${sha256Hex(envelope.payload)}.sdc`, envelope.payload);
    } catch (error) {
      throw folderFailure(error, 'write');
    }
  }

  async close(): Promise<void> {}
}

export interface FolderReceiverOptions {
  root: string;
  /** The party whose folder is read (`<root>/<party>/`). */
  party: string;
  /** How often the folder is looked at (default 10 s). */
  pollIntervalMs?: number;
  maxContainerBytes?: number;
}

/** Reads the party's transfer folder; a file is removed only after `deliver` resolved. */
export class FolderReceiver implements ContainerReceiver {
  readonly #options: FolderReceiverOptions;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #cycle: Promise<void> = Promise.resolve();
  #again = false;
  #busy = false;
  #deliver: ((envelope: Envelope) => Promise<void>) | undefined;
  #report: ReceiverReport | undefined;

  constructor(options: FolderReceiverOptions) {
    if (!isValidParty(options.party)) throw new MailTransportError('INVALID_OPTIONS', 'invalid party name');
    this.#options = options;
  }

  start(deliver: (envelope: Envelope) => Promise<void>, report: ReceiverReport): void {
    if (this.#running) return;
    this.#running = true;
    this.#deliver = deliver;
    this.#report = report;
    this.#timer = setInterval(() => this.wake(), this.#options.pollIntervalMs ?? 10_000);
    this.#timer.unref();
    this.wake();
  }

  wake(): void {
    if (!this.#running) return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    this.#cycle = (async () => {
      try {
        do {
          this.#again = false;
          await this.#scan().catch((error: unknown) => this.#report?.problem(folderFailure(error, 'read')));
        } while (this.#again && this.#running);
      } finally {
        this.#busy = false;
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#timer);
    await this.#cycle;
  }

  async #scan(): Promise<void> {
    const inbox = join(this.#options.root, this.#options.party);
    await mkdir(inbox, { recursive: true });
    const max = this.#options.maxContainerBytes ?? DEFAULT_MAX_CONTAINER_BYTES;
    for (const sender of (await readdir(inbox, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (!sender.isDirectory() || sender.name === REFUSED_FOLDER || !isValidParty(sender.name)) continue;
      const directory = join(inbox, sender.name);
      const files = await readdir(directory);
      // Oldest first: a site's containers are applied in about the order they were sealed.
      const dated = await Promise.all(
        files
          .filter((name) => !name.startsWith(TEMPORARY_PREFIX))
          .map(async (name) => ({
            name,
            at: (await stat(join(directory, name)).catch(() => undefined))?.mtimeMs ?? 0,
          })),
      );
      dated.sort((a, b) => a.at - b.at);
      for (const { name } of dated) {
        if (!this.#running) return;
        const path = join(directory, name);
        const match = CONTAINER_FILE.exec(name);
        if (!match) {
          await this.#refuse(path, sender.name, name, 'foreign file');
          continue;
        }
        const info = await stat(path);
        if (info.size > max) {
          await this.#refuse(path, sender.name, name, 'too-large');
          continue;
        }
        const bytes = await readFile(path);
        if (sha256Hex(bytes) !== match[1]) {
          await this.#refuse(path, sender.name, name, 'hash-mismatch');
          continue;
        }
        try {
          await this.#deliver?.({
            sender: sender.name,
            recipient: this.#options.party,
            payload: new Uint8Array(bytes),
          });
        } catch (error) {
          this.#report?.problem(
            new MailTransportError('HANDLER_FAILED', `${sender.name}/${name}`, { cause: error }),
          );
          continue;
        }
        await unlink(path);
      }
    }
  }

  async #refuse(path: string, sender: string, name: string, reason: string): Promise<void> {
    const refused = join(this.#options.root, this.#options.party, REFUSED_FOLDER, sender);
    await ensureDirectory(this.#options.root, refused);
    await rename(path, join(refused, name));
    this.#report?.problem(
      new MailTransportError(
        'DAMAGED_ATTACHMENT',
        `${sender}/${name}: ${reason}; moved to ${REFUSED_FOLDER}/`,
      ),
    );
  }
}
