import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { composeMail } from './armour.js';
import type { Envelope } from './envelope.js';
import type { MailTransportError } from './errors.js';
import { MailboxPoller } from './poller.js';
import { MemoryMailbox } from './testing/in-process.js';

async function mail(payload: number[]): Promise<Uint8Array> {
  const envelope = { sender: 'CEC-0001', recipient: 'XMSERVER', payload: new Uint8Array(payload) };
  return new Uint8Array(
    await new MailComposer(composeMail(envelope, { from: 'a@xm.test', to: 'b@xm.test' })).compile().build(),
  );
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('MailboxPoller', () => {
  let poller: MailboxPoller | undefined;
  afterEach(async () => {
    await poller?.stop();
  });

  it('keeps a message whose handler failed, and removes it only once the handler succeeded', async () => {
    const box = new MemoryMailbox();
    box.deliver(await mail([1, 2, 3]));
    const problems: MailTransportError[] = [];
    const delivered: Envelope[] = [];
    let failing = true;
    poller = new MailboxPoller({ open: box.opener(), pollIntervalMs: 50 });
    poller.start(
      async (envelope) => {
        if (failing) throw new Error('database unavailable');
        delivered.push(envelope);
      },
      { problem: (error) => problems.push(error) },
    );
    await until(() => problems.some((p) => p.code === 'HANDLER_FAILED'));
    expect(box.inbox.size).toBe(1);
    failing = false;
    poller.wake();
    await until(() => delivered.length === 1);
    await until(() => box.inbox.size === 0);
    expect([...(delivered[0]?.payload ?? [])]).toEqual([1, 2, 3]);
  });

  it('reports a mailbox that is down and goes on polling until it is back', async () => {
    const box = new MemoryMailbox();
    box.down = true;
    const problems: MailTransportError[] = [];
    const delivered: Envelope[] = [];
    poller = new MailboxPoller({ open: box.opener(), pollIntervalMs: 50, retryMs: 20 });
    poller.start(async (envelope) => void delivered.push(envelope), {
      problem: (error) => problems.push(error),
    });
    await until(() => problems.filter((p) => p.code === 'MAILBOX_UNREACHABLE').length >= 3);
    box.deliver(await mail([7]));
    box.down = false;
    await until(() => delivered.length === 1);
    expect(box.inbox.size).toBe(0);
  });

  it('refuses a message too large to hold a container without reading it, and moves it aside', async () => {
    const box = new MemoryMailbox();
    box.deliver(new Uint8Array(200_000));
    const problems: MailTransportError[] = [];
    poller = new MailboxPoller({ open: box.opener(), pollIntervalMs: 50, maxContainerBytes: 1_000 });
    poller.start(async () => undefined, { problem: (error) => problems.push(error) });
    await until(() => problems.some((p) => p.code === 'DAMAGED_ATTACHMENT'));
    expect(problems[0]?.message).toMatch(/too-large; moved to XMcomm-Refused/);
    expect(box.folders.get('XMcomm-Refused')?.size).toBe(1);
  });
});
