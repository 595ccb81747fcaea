import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMail, SmtpSender } from '../src/index.js';
import { startInProcessSmtp } from '../src/testing/index.js';

const run = promisify(execFile);
const envelope = { sender: 'CEC-0001', recipient: 'XMSERVER', payload: new Uint8Array([1, 2, 3]) };

describe('SMTP failures, each with its stable code', () => {
  it('says MAILBOX_FULL for a 452 4.2.2, SMTP_LOGIN_REFUSED for a refused login, SMTP_UNREACHABLE for a closed port', async () => {
    const smtp = await startInProcessSmtp(['server@xm.test']);
    try {
      const sender = (pass = 'right') =>
        new SmtpSender({
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            security: 'none',
            auth: { user: 'site', pass },
            timeoutMs: 3_000,
          },
          from: 'site@xm.test',
          addressOf: () => 'server@xm.test',
        });
      smtp.full.add('server@xm.test');
      const full = sender();
      await expect(full.send(envelope)).rejects.toMatchObject({ code: 'MAILBOX_FULL' });
      await full.close();
      smtp.full.clear();
      const refused = sender('wrong');
      await expect(refused.send(envelope)).rejects.toMatchObject({ code: 'SMTP_LOGIN_REFUSED' });
      await refused.close();
    } finally {
      await smtp.close();
    }
    const closed = new SmtpSender({
      smtp: { host: '127.0.0.1', port: smtp.port, security: 'none', timeoutMs: 3_000 },
      from: 'site@xm.test',
      addressOf: () => 'server@xm.test',
    });
    await expect(closed.send(envelope)).rejects.toMatchObject({ code: 'SMTP_UNREACHABLE' });
    await closed.close();
  });
});

describe('SMTP over TLS with a pinned CA', () => {
  let directory: string;
  let server: SMTPServer;
  let port: number;
  let ca: string;
  let otherCa: string;
  const received: Uint8Array[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'xm-smtp-tls-'));
    const path = (name: string) => join(directory, name);
    for (const name of ['ca', 'other']) {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        path(`${name}.key`),
        '-out',
        path(`${name}.crt`),
        '-days',
        '1',
        '-subj',
        `/CN=${name}`,
      ]);
    }
    await run('openssl', [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path('server.key'),
      '-out',
      path('server.csr'),
      '-subj',
      '/CN=localhost',
    ]);
    await writeFile(path('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      path('server.csr'),
      '-CA',
      path('ca.crt'),
      '-CAkey',
      path('ca.key'),
      '-CAcreateserial',
      '-out',
      path('server.crt'),
      '-days',
      '1',
      '-extfile',
      path('server.ext'),
    ]);
    ca = await readFile(path('ca.crt'), 'utf8');
    otherCa = await readFile(path('other.crt'), 'utf8');
    // smtp-server takes Node's TLS options; its type declarations omit them.
    const tls = { key: await readFile(path('server.key')), cert: await readFile(path('server.crt')) };
    server = new SMTPServer({
      ...(tls as object),
      logger: false,
      onAuth(auth, _session, callback) {
        callback(null, { user: auth.username });
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks));
          callback();
        });
      },
    });
    port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port)),
    );
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await rm(directory, { recursive: true, force: true });
  });

  const sender = (pinned: string) =>
    new SmtpSender({
      smtp: {
        host: '127.0.0.1',
        port,
        security: 'starttls',
        ca: pinned,
        servername: 'localhost',
        auth: { user: 'site', pass: 'pw' },
        timeoutMs: 3_000,
      },
      from: 'site@xm.test',
      addressOf: () => 'server@xm.test',
    });

  it('sends through STARTTLS when the server chains to the pinned CA', async () => {
    const good = sender(ca);
    await good.send(envelope);
    await good.close();
    const reading = await readMail(received.at(-1) as Uint8Array);
    expect(reading.kind).toBe('container');
  });

  it('refuses a server whose certificate another CA issued, and sends nothing', async () => {
    const before = received.length;
    const pinnedElsewhere = sender(otherCa);
    await expect(pinnedElsewhere.send(envelope)).rejects.toMatchObject({ code: 'SMTP_UNREACHABLE' });
    await pinnedElsewhere.close();
    expect(received.length).toBe(before);
  });
});
