import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import {
  type ContainerReceiver,
  type ContainerSender,
  composeMail,
  type Envelope,
  FolderReceiver,
  FolderSender,
  MailboxPoller,
  mailReceiver,
  SmtpSender,
} from '../src/index.js';
import { type MailRig, type MemoryMailbox, startInProcessSmtp, startMailRig } from '../src/testing/index.js';

/** One way of carrying containers, as the shared suite drives it. */
export interface Carrier {
  readonly name: string;
  /** Mail carriers: the raw message of an envelope can be put straight into the server's mailbox. */
  readonly mail: boolean;
  /** Whether the server's mailbox can be recreated (a new UIDVALIDITY). */
  readonly uidValidity: boolean;
  site(): { sender: ContainerSender; receiver: ContainerReceiver };
  server(): { sender: ContainerSender; receiver: ContainerReceiver };
  /** Puts raw bytes where the server reads (a mail in its INBOX, a file in its folder). */
  injectToServer(raw: Uint8Array, name?: string): Promise<void>;
  /** Messages (files) waiting for the server now, and set aside as refused. */
  serverWaiting(): Promise<number>;
  serverRefused(): Promise<number>;
  /** Whether a message whose text contains `text` is in the server's INBOX. */
  serverHolds(text: string): Promise<boolean>;
  down(): Promise<void>;
  up(): Promise<void>;
  recreateServerMailbox(): Promise<void>;
  close(): Promise<void>;
}

export const SITE = 'CEC-0001';
export const SERVER = 'XMSERVER';
const POLL = 300;

export async function rawMail(envelope: Envelope, from: string, to: string): Promise<Uint8Array> {
  const built = await new MailComposer(composeMail(envelope, { from, to })).compile().build();
  return new Uint8Array(built);
}

/** Dovecot + OpenSMTPD on loopback, read by IMAP (STARTTLS, pinned CA) or POP3. */
export async function rigCarrier(protocol: 'imap' | 'pop3'): Promise<Carrier> {
  const rig: MailRig = await startMailRig({ users: ['site', 'server'] });
  const site = rig.users.get('site')!;
  const server = rig.users.get('server')!;
  const addressOf = (party: string) =>
    party === SERVER ? server.address : party === SITE ? site.address : undefined;
  const receiverFor = (user: { address: string; password: string }) =>
    mailReceiver({
      protocol,
      server:
        protocol === 'imap'
          ? {
              ...rig.imap,
              security: 'starttls',
              ca: rig.ca,
              servername: 'localhost',
              user: user.address,
              pass: user.password,
              timeoutMs: 5_000,
            }
          : { ...rig.pop3, security: 'none', user: user.address, pass: user.password, timeoutMs: 5_000 },
      pollIntervalMs: protocol === 'imap' ? 5_000 : POLL,
      retryMs: POLL,
    });
  const senderFor = (from: string) =>
    new SmtpSender({ smtp: { ...rig.smtp, security: 'none', timeoutMs: 5_000 }, from, addressOf });
  return {
    name: `rig ${protocol}`,
    mail: true,
    uidValidity: protocol === 'imap',
    site: () => ({ sender: senderFor(site.address), receiver: receiverFor(site) }),
    server: () => ({ sender: senderFor(server.address), receiver: receiverFor(server) }),
    injectToServer: (raw) => rig.deliverRaw(server.address, raw),
    serverWaiting: () => rig.count(server.address),
    serverHolds: async (text) =>
      (await rig.doveadm(['search', '-u', server.address, 'mailbox', 'INBOX', 'body', text])).trim().length >
      0,
    // POP3 has no folders: the refused mail (the suite's tampered one comes from a@xm.test) stays in INBOX.
    serverRefused: async () =>
      protocol === 'imap'
        ? rig.count(server.address, 'XMcomm-Refused')
        : (await rig.doveadm(['search', '-u', server.address, 'mailbox', 'INBOX', 'from', 'a@xm.test']))
            .trim()
            .split('\n')
            .filter(Boolean).length,
    down: () => rig.stop(),
    up: () => rig.start(),
    async recreateServerMailbox() {
      await rig.doveadm([
        'mailbox',
        'update',
        '-u',
        server.address,
        '--uid-validity',
        String(Math.floor(Date.now() / 1000) + 7),
        'INBOX',
      ]);
    },
    close: () => rig.close(),
  };
}

/** smtp-server in this process and in-memory mailboxes (no maintained IMAP/POP3 server on npm). */
export async function inProcessCarrier(): Promise<Carrier> {
  const siteAddress = 'site@xm.test';
  const serverAddress = 'server@xm.test';
  const smtp = await startInProcessSmtp([siteAddress, serverAddress]);
  const mailbox = (address: string) => smtp.mailboxes.get(address) as MemoryMailbox;
  const addressOf = (party: string) =>
    party === SERVER ? serverAddress : party === SITE ? siteAddress : undefined;
  const senderFor = (from: string) =>
    new SmtpSender({
      smtp: { host: '127.0.0.1', port: smtp.port, security: 'none', timeoutMs: 5_000 },
      from,
      addressOf,
    });
  const receiverFor = (address: string) =>
    new MailboxPoller({ open: mailbox(address).opener(), pollIntervalMs: 5_000, retryMs: POLL });
  return {
    name: 'in-process',
    mail: true,
    uidValidity: true,
    site: () => ({ sender: senderFor(siteAddress), receiver: receiverFor(siteAddress) }),
    server: () => ({ sender: senderFor(serverAddress), receiver: receiverFor(serverAddress) }),
    injectToServer: async (raw) => mailbox(serverAddress).deliver(raw),
    serverWaiting: async () => mailbox(serverAddress).inbox.size,
    serverHolds: async (text) =>
      [...mailbox(serverAddress).inbox.values()].some((raw) =>
        Buffer.from(raw).toString('latin1').includes(text),
      ),
    serverRefused: async () => mailbox(serverAddress).folders.get('XMcomm-Refused')?.size ?? 0,
    async down() {
      for (const box of smtp.mailboxes.values()) box.down = true;
      smtp.refusing = true;
    },
    async up() {
      for (const box of smtp.mailboxes.values()) box.down = false;
      smtp.refusing = false;
    },
    recreateServerMailbox: async () => mailbox(serverAddress).recreate(),
    close: () => smtp.close(),
  };
}

/** The transfer folder: both sides on one directory, as a sync tool would leave it. */
export async function folderCarrier(): Promise<Carrier> {
  const root = await mkdtemp(join(tmpdir(), 'xm-transfer-'));
  const count = async (path: string) =>
    (await readdir(path, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile())
      .length;
  return {
    name: 'transfer folder',
    mail: false,
    uidValidity: false,
    site: () => ({
      sender: new FolderSender({ root }),
      receiver: new FolderReceiver({ root, party: SITE, pollIntervalMs: POLL }),
    }),
    server: () => ({
      sender: new FolderSender({ root }),
      receiver: new FolderReceiver({ root, party: SERVER, pollIntervalMs: POLL }),
    }),
    async injectToServer(raw, name) {
      const { writeFile, mkdir } = await import('node:fs/promises');
      await mkdir(join(root, SERVER, SITE), { recursive: true });
      await writeFile(join(root, SERVER, SITE, name ?? 'stray.txt'), raw);
    },
    serverWaiting: async () =>
      (await count(join(root, SERVER))) - (await count(join(root, SERVER, '.refused'))),
    serverRefused: () => count(join(root, SERVER, '.refused')),
    serverHolds: async () => false,
    down: async () => {},
    up: async () => {},
    recreateServerMailbox: async () => {},
    close: () => rm(root, { recursive: true, force: true }),
  };
}
