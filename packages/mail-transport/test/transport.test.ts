import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailReceiver } from '../src/index.js';
import { freePort, type MailRig, mailRigEnabled, startMailRig } from '../src/testing/index.js';
import { folderCarrier, inProcessCarrier, rawMail, rigCarrier, SERVER, SITE } from './carriers.js';
import { carrierSuite, until } from './transport-suite.js';

// One file, so the rig's OpenSMTPD (whose queue directory is the system's) runs once at a time.
// Without Dovecot and OpenSMTPD the rig suites skip here, and fail in CI (CI=true) saying what is missing.
carrierSuite('the in-process pair (smtp-server, memory mailbox)', inProcessCarrier);
carrierSuite('the transfer folder', folderCarrier);
carrierSuite('Dovecot and OpenSMTPD, read by IMAP', () => rigCarrier('imap'), mailRigEnabled());
carrierSuite('Dovecot and OpenSMTPD, read by POP3', () => rigCarrier('pop3'), mailRigEnabled());

describe.skipIf(!mailRigEnabled())('the rig: logins, IDLE', () => {
  let rig: MailRig;
  beforeAll(async () => {
    rig = await startMailRig({ users: ['server'] });
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  for (const protocol of ['imap', 'pop3'] as const) {
    it(`says MAILBOX_LOGIN_REFUSED for a wrong ${protocol} password, and MAILBOX_UNREACHABLE for a closed port`, async () => {
      const user = rig.users.get('server')!;
      const problems: string[] = [];
      const wrong = mailReceiver({
        protocol,
        server: {
          ...(protocol === 'imap' ? rig.imap : rig.pop3),
          security: 'none',
          user: user.address,
          pass: 'wrong',
          timeoutMs: 5_000,
        },
        pollIntervalMs: 60_000,
        retryMs: 60_000,
      });
      wrong.start(async () => undefined, { problem: (error) => problems.push(error.code) });
      await until(() => problems.length > 0);
      await wrong.stop();
      expect(problems[0]).toBe('MAILBOX_LOGIN_REFUSED');
      const closed = mailReceiver({
        protocol,
        server: {
          host: '127.0.0.1',
          port: await freePort(),
          security: 'none',
          user: user.address,
          pass: user.password,
          timeoutMs: 5_000,
        },
        pollIntervalMs: 60_000,
        retryMs: 60_000,
      });
      closed.start(async () => undefined, { problem: (error) => problems.push(error.code) });
      await until(() => problems.length > 1);
      await closed.stop();
      expect(problems[1]).toBe('MAILBOX_UNREACHABLE');
    }, 30_000);
  }

  it('takes a new mail at once through IDLE, long before a 60 s poll', async () => {
    const user = rig.users.get('server')!;
    const delivered: number[] = [];
    const receiver = mailReceiver({
      protocol: 'imap',
      server: {
        ...rig.imap,
        security: 'starttls',
        ca: rig.ca,
        servername: 'localhost',
        user: user.address,
        pass: user.password,
      },
      pollIntervalMs: 60_000,
    });
    receiver.start(async (envelope) => void delivered.push(envelope.payload.length), {
      problem: () => undefined,
    });
    try {
      // A first mail, taken by a cycle; after it the receiver waits for news.
      const send = async (size: number) =>
        rig.deliverRaw(
          user.address,
          await rawMail(
            { sender: SITE, recipient: SERVER, payload: new Uint8Array(size) },
            'a@xm.test',
            user.address,
          ),
        );
      await send(3);
      await until(() => delivered.length === 1, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await send(5);
      await until(() => delivered.length === 2, 10_000);
      expect(delivered).toEqual([3, 5]);
    } finally {
      await receiver.stop();
    }
  }, 30_000);
});
