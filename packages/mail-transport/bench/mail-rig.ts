// Figures for docs/benchmarks.md: containers per minute through the real mail rig (OpenSMTPD ->
// LMTP -> Dovecot -> IMAP), bytes on the wire per container, and send-to-receipt time with IMAP
// IDLE and with POP3 polling. Needs root and Debian's dovecot-imapd/pop3d/lmtpd and opensmtpd.
import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import {
  type ContainerReceiver,
  composeMail,
  type Envelope,
  mailReceiver,
  SmtpSender,
} from '../src/index.js';
import { type MailRig, mailRigMissing, startMailRig } from '../src/testing/index.js';

const missing = mailRigMissing();
if (missing.length > 0) {
  console.log(`mail rig missing (${missing.join(', ')}): nothing measured`);
  process.exit(0);
}

const rig: MailRig = await startMailRig({ users: ['site', 'server'] });
const site = rig.users.get('site')!;
const server = rig.users.get('server')!;
const addressOf = (party: string) => (party === 'XMSERVER' ? server.address : site.address);
const sender = (from: string) =>
  new SmtpSender({ smtp: { ...rig.smtp, security: 'none', maxConnections: 2 }, from, addressOf });
const receiver = (
  user: { address: string; password: string },
  protocol: 'imap' | 'pop3',
  pollIntervalMs: number,
) =>
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
          }
        : { ...rig.pop3, security: 'none', user: user.address, pass: user.password },
    pollIntervalMs,
  });

function quiet(r: ContainerReceiver, deliver: (e: Envelope) => Promise<void>) {
  r.start(deliver, { problem: (error) => console.error(`  problem ${error.code}: ${error.message}`) });
}

try {
  // 1. Bytes on the wire.
  console.log(
    'bytes per container (message as composed; as stored by Dovecot adds Received/Return-Path headers):',
  );
  for (const size of [1024, 6 * 1024, 64 * 1024]) {
    const envelope = { sender: 'CEC-0001', recipient: 'XMSERVER', payload: randomBytes(size) };
    const built = await new MailComposer(composeMail(envelope, { from: site.address, to: server.address }))
      .compile()
      .build();
    console.log(
      `  container ${size} B -> mail ${built.length} B (x${(built.length / size).toFixed(2)}, +${built.length - size} B)`,
    );
  }

  // 2. Throughput: N containers of 1 KB, site -> server, received over IMAP and removed after "commit".
  const count = Number(process.env.BENCH_CONTAINERS ?? 300);
  const out = sender(site.address);
  const inbound = receiver(server, 'imap', 60_000);
  let received = 0;
  let storedBytes = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  quiet(inbound, async (envelope) => {
    storedBytes += envelope.payload.length;
    received += 1;
    if (received === count) done();
  });
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    sends.push(out.send({ sender: 'CEC-0001', recipient: 'XMSERVER', payload: randomBytes(1024) }));
    if (sends.length >= 4) await sends.shift();
  }
  await Promise.all(sends);
  const sentMs = performance.now() - started;
  await all;
  const totalMs = performance.now() - started;
  await inbound.stop();
  console.log(
    `throughput: ${count} containers of 1 KiB: SMTP accepted all in ${(sentMs / 1000).toFixed(1)} s, all read by IMAP and removed in ${(totalMs / 1000).toFixed(1)} s = ${Math.round((count / totalMs) * 60_000)} containers/min (${storedBytes} payload bytes)`,
  );

  // 3. Send-to-receipt: the site sends, the server answers at once, the site gets the answer.
  const roundTrips = async (protocol: 'imap' | 'pop3', pollIntervalMs: number, rounds: number) => {
    const siteOut = sender(site.address);
    const serverOut = sender(server.address);
    const atServer = receiver(server, protocol, pollIntervalMs);
    const atSite = receiver(site, protocol, pollIntervalMs);
    const waiting = new Map<string, () => void>();
    quiet(atServer, async (envelope) => {
      await serverOut.send({ sender: 'XMSERVER', recipient: 'CEC-0001', payload: envelope.payload });
    });
    quiet(atSite, async (envelope) => {
      waiting.get(Buffer.from(envelope.payload).toString('hex'))?.();
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // both mailboxes open (and IDLE)
    const times: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      const payload = randomBytes(1024);
      const back = new Promise<void>((resolve) => waiting.set(payload.toString('hex'), resolve));
      const t0 = performance.now();
      await siteOut.send({ sender: 'CEC-0001', recipient: 'XMSERVER', payload });
      await back;
      times.push(performance.now() - t0);
    }
    await Promise.all([atServer.stop(), atSite.stop(), siteOut.close(), serverOut.close()]);
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(
      `send-to-receipt, ${protocol} ${protocol === 'imap' ? 'IDLE (poll 60 s never reached)' : `polling every ${pollIntervalMs / 1000} s`}: ${rounds} rounds, median ${(times[Math.floor(times.length / 2)]! / 1000).toFixed(2)} s, mean ${(mean / 1000).toFixed(2)} s, max ${(times.at(-1)! / 1000).toFixed(2)} s`,
    );
  };
  await roundTrips('imap', 60_000, 20);
  await roundTrips('pop3', 2_000, 10);
  await out.close();
} finally {
  await rig.close();
}
