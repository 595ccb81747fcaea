import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { composeMail, messageIdFor, readMail } from './armour.js';

const envelope = {
  sender: 'CEC-0001',
  recipient: 'XMSERVER',
  payload: new Uint8Array([0, 1, 2, 250, 255, 10, 13]),
};

async function raw(env = envelope): Promise<string> {
  return (
    await new MailComposer(composeMail(env, { from: 'site@xm.test', to: 'server@xm.test' })).compile().build()
  ).toString('latin1');
}

describe('mail armour', () => {
  it('round-trips a container, binary bytes included, as a base64 attachment with a clear type', async () => {
    const text = await raw();
    expect(text).toMatch(/Content-Type: application\/vnd\.xmcomm\.sdc/);
    expect(text).toMatch(/Content-Transfer-Encoding: base64/);
    const reading = await readMail(Buffer.from(text, 'latin1'));
    expect(reading).toMatchObject({
      kind: 'container',
      envelope: { sender: 'CEC-0001', recipient: 'XMSERVER' },
    });
    expect(reading.kind === 'container' && [...reading.envelope.payload]).toEqual([...envelope.payload]);
  });

  it('derives the Message-ID from the container, so a resend carries the same one', async () => {
    const id = messageIdFor(envelope, 'xm.test');
    expect(id).toMatch(/^<xm-v1\.CEC-0001\.[0-9a-f]{64}@xm\.test>$/);
    // A long id is folded on the wire: read it back as a reader would.
    const reading = await readMail(Buffer.from(await raw(), 'latin1'));
    expect(reading.messageId).toBe(id);
    expect(messageIdFor({ ...envelope, payload: new Uint8Array([9]) }, 'xm.test')).not.toBe(id);
  });

  it('calls a mail without the container header foreign', async () => {
    const reading = await readMail(Buffer.from('From: a@b\r\nSubject: hi\r\n\r\nhello\r\n'));
    expect(reading).toMatchObject({ kind: 'foreign', subject: 'hi' });
  });

  it('refuses a changed attachment, a missing one and a forged header, each with its reason', async () => {
    const text = await raw({ ...envelope, payload: new TextEncoder().encode('some container bytes') });
    const base64 = Buffer.from('some container bytes').toString('base64');
    expect(await readMail(Buffer.from(text.replace(base64, `B${base64.slice(1)}`), 'latin1'))).toMatchObject({
      kind: 'damaged',
      reason: 'hash-mismatch',
    });
    expect(
      await readMail(Buffer.from(text.replace(/application\/vnd\.xmcomm\.sdc/g, 'text/plain'), 'latin1')),
    ).toMatchObject({
      kind: 'damaged',
      reason: 'missing-attachment',
    });
    expect(
      await readMail(Buffer.from(text.replace(/sender=CEC-0001/, 'sender=../etc'), 'latin1')),
    ).toMatchObject({
      kind: 'damaged',
      reason: 'bad-header',
    });
    expect(await readMail(Buffer.from(text.replace(/bytes=\d+/, 'bytes=3'), 'latin1'))).toMatchObject({
      kind: 'damaged',
      reason: 'size-mismatch',
    });
  });

  it('never throws on hostile bytes', async () => {
    for (const bytes of [
      new Uint8Array(0),
      new Uint8Array([0xff, 0xfe, 0, 0, 13]),
      Buffer.from('X-XMcomm-Container: v1\r\n\r\n'),
    ]) {
      const reading = await readMail(bytes);
      expect(['foreign', 'damaged']).toContain(reading.kind);
    }
  });
});
