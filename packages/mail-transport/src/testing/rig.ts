import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MailTransportError } from '../errors.js';

const run = promisify(execFile);

const DOVECOT = '/usr/sbin/dovecot';
const DOVEADM = '/usr/bin/doveadm';
const SMTPD = '/usr/sbin/smtpd';
const SMTPCTL = '/usr/sbin/smtpctl';

/** The Debian packages the rig needs (CI installs them when missing). */
export const RIG_PACKAGES = ['dovecot-imapd', 'dovecot-pop3d', 'dovecot-lmtpd', 'opensmtpd'] as const;

/** What is missing for the rig on this machine (empty: it can run). It runs as root only (OpenSMTPD). */
export function mailRigMissing(): string[] {
  const missing: string[] = [];
  if (!existsSync(DOVECOT) || !existsSync(DOVEADM)) missing.push('dovecot');
  if (!existsSync('/usr/lib/dovecot/imap')) missing.push('dovecot-imapd');
  if (!existsSync('/usr/lib/dovecot/pop3')) missing.push('dovecot-pop3d');
  if (!existsSync('/usr/lib/dovecot/lmtp')) missing.push('dovecot-lmtpd');
  if (!existsSync(SMTPD) || !existsSync(SMTPCTL)) missing.push('opensmtpd');
  if (userInfo().uid !== 0) missing.push('root');
  return missing;
}

/**
 * Whether rig tests run here: yes when the rig can; when it cannot, they skip locally but run (and
 * fail, saying what is missing) in CI, where a skipped mail test would hide a missing install.
 */
export function mailRigEnabled(): boolean {
  return mailRigMissing().length === 0 || process.env.CI === 'true';
}

export interface MailRigUser {
  /** The full address, which is also the login. */
  address: string;
  password: string;
}

export interface MailRig {
  readonly domain: string;
  readonly directory: string;
  /** SMTP in plain text without AUTH (OpenSMTPD, see below), delivering to Dovecot by LMTP. */
  readonly smtp: { host: string; port: number };
  readonly imap: { host: string; port: number };
  readonly pop3: { host: string; port: number };
  /** The CA that issued the servers' certificate (for 127.0.0.1 and localhost), to pin. */
  readonly ca: string;
  readonly users: ReadonlyMap<string, MailRigUser>;
  /** Stops one part (or both) as if the server went down; `start` brings it back on the same ports. */
  stop(part?: 'smtp' | 'dovecot'): Promise<void>;
  start(part?: 'smtp' | 'dovecot'): Promise<void>;
  /** Runs doveadm against this rig's Dovecot (e.g. `mailbox update --uid-validity`). */
  doveadm(args: readonly string[]): Promise<string>;
  /** Delivers a raw message straight into a user's INBOX (a foreign mail, a tampered one). */
  deliverRaw(address: string, raw: string | Uint8Array): Promise<void>;
  /** Messages in a user's folder now. */
  count(address: string, folder?: string): Promise<number>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (!alive() || Date.now() > deadline) throw new MailTransportError('RIG_START_FAILED', `port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function makeCertificates(directory: string): Promise<{ ca: string }> {
  const ca = join(directory, 'ca');
  const server = join(directory, 'server');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${ca}.key`,
    '-out',
    `${ca}.crt`,
    '-days',
    '2',
    '-subj',
    '/CN=XMcomm mail rig CA',
  ]);
  // RSA for the servers: OpenSMTPD 6.8's privilege-separated key process signs with RSA keys only.
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${server}.key`,
    '-out',
    `${server}.csr`,
    '-subj',
    '/CN=localhost',
  ]);
  await writeFile(
    `${server}.ext`,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    `${server}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${server}.crt`,
    '-days',
    '2',
    '-extfile',
    `${server}.ext`,
  ]);
  await chmod(`${server}.key`, 0o600);
  return { ca: await readFile(`${ca}.crt`, 'utf8') };
}

/**
 * A test process killed before its rig's `stop()` (a hook timing out, a worker torn down) leaves the
 * rig's daemons running with no parent, and OpenSMTPD's control socket is the system's: every later
 * rig would fail to start. Such orphans (a rig's config path, adopted by init) are stopped first.
 */
async function stopOrphanedRigs(): Promise<void> {
  const rigPrefix = join(tmpdir(), 'xm-mail-rig-');
  const orphans: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0');
      if (command[0] !== SMTPD && command[0] !== DOVECOT) continue;
      if (!command.some((argument) => argument.startsWith(rigPrefix))) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Field 4 of /proc/PID/stat, after the parenthesised command name: the parent's pid.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === 1) orphans.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
  }
  const deadline = Date.now() + 5_000;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (orphans.some(alive) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of orphans.filter(alive)) process.kill(pid, 'SIGKILL');
}

/**
 * Starts Dovecot (IMAP, POP3, LMTP) and OpenSMTPD on free loopback ports with their own
 * configuration in a temporary directory, users in a passwd-file, and stops them on `close()`.
 * OpenSMTPD's queue is the system's (/var/spool/smtpd, fixed at build time): run one rig at a time.
 */
export async function startMailRig(options: { users: readonly string[]; domain?: string }): Promise<MailRig> {
  const missing = mailRigMissing();
  if (missing.length > 0) throw new MailTransportError('RIG_MISSING', missing.join(', '));
  const domain = options.domain ?? 'xm.test';
  await stopOrphanedRigs();
  const directory = await mkdtemp(join(tmpdir(), 'xm-mail-rig-'));
  await chmod(directory, 0o755);
  const [smtpPort, imapPort, pop3Port, lmtpPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const { ca } = await makeCertificates(directory);
  const { stdout: ids } = await run('id', ['-u', 'dovecot']);
  const { stdout: gids } = await run('id', ['-g', 'dovecot']);
  const uid = Number(ids.trim());
  const gid = Number(gids.trim());
  const mail = join(directory, 'mail');
  await mkdir(mail);
  await chown(mail, uid, gid);

  const users = new Map<string, MailRigUser>();
  const passwd: string[] = [];
  for (const name of options.users) {
    const address = `${name}@${domain}`;
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    users.set(name, { address, password });
    passwd.push(`${address}:{PLAIN}${password}::::::`);
  }
  await writeFile(join(directory, 'users'), `${passwd.join('\n')}\n`, { mode: 0o640 });
  await chown(join(directory, 'users'), 0, gid);

  const dovecotConf = join(directory, 'dovecot.conf');
  await writeFile(
    dovecotConf,
    `base_dir = ${directory}/dovecot-run
state_dir = ${directory}/dovecot-state
log_path = ${directory}/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <${directory}/server.crt
ssl_key = <${directory}/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mail}/%u
first_valid_uid = ${uid}
first_valid_gid = ${gid}
default_internal_user = dovecot
default_login_user = dovenull
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${directory}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${mail}/%u allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3Port}
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
protocol lmtp {
  postmaster_address = postmaster@${domain}
}
`,
  );
  const smtpdConf = join(directory, 'smtpd.conf');
  await writeFile(join(directory, 'virtuals'), `@${domain} dovecot\n`, { mode: 0o600 });
  // Plain text and no AUTH: Debian's OpenSMTPD 6.8 fails every TLS handshake under OpenSSL 3 (its
  // privilege-separated key process answers "missing private key"), and it offers AUTH only after
  // STARTTLS. TLS, authentication and the pinned CA are tested against smtp-server instead.
  await writeFile(
    smtpdConf,
    // Every address of the domain maps to one system user (OpenSMTPD checks local recipients exist);
    // rcpt-to hands Dovecot the original address, which its passwd-file knows.
    `table virtuals file:${directory}/virtuals
listen on 127.0.0.1 port ${smtpPort} hostname localhost
action "dovecot" lmtp "127.0.0.1:${lmtpPort}" rcpt-to virtual <virtuals>
match from any for domain "${domain}" action "dovecot"
`,
    { mode: 0o600 },
  );

  const processes: { smtp?: ChildProcess; dovecot?: ChildProcess } = {};
  const logOf = (name: string) => join(directory, `${name}.out`);
  // Dovecot's login processes outlive their master by a moment and hold the listening ports: a
  // restart right after a stop can find them taken, and tries again.
  const launch = async (part: 'smtp' | 'dovecot') => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await launchOnce(part);
      } catch (error) {
        const busy = error instanceof Error && /Address already in use|already listening/.test(error.message);
        if (!busy || attempt >= 40) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };
  const launchOnce = async (part: 'smtp' | 'dovecot') => {
    if (processes[part]) return;
    const child =
      part === 'smtp'
        ? spawn(SMTPD, ['-d', '-f', smtpdConf], { stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(DOVECOT, ['-F', '-c', dovecotConf], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
    let exited = false;
    child.once('exit', () => {
      exited = true;
      void writeFile(logOf(part), Buffer.concat(chunks)).catch(() => undefined);
    });
    processes[part] = child;
    try {
      if (part === 'smtp') await waitForPort(smtpPort, 15_000, () => !exited);
      else {
        await waitForPort(imapPort, 15_000, () => !exited);
        await waitForPort(pop3Port, 15_000, () => !exited);
        await waitForPort(lmtpPort, 15_000, () => !exited);
      }
    } catch (error) {
      processes[part] = undefined;
      child.kill('SIGKILL');
      const log = Buffer.concat(chunks).toString('utf8').slice(-2000);
      throw new MailTransportError('RIG_START_FAILED', `${part}: ${log}`, { cause: error });
    }
  };
  const halt = async (part: 'smtp' | 'dovecot') => {
    const child = processes[part];
    processes[part] = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const parts = (part?: 'smtp' | 'dovecot') => (part ? [part] : (['dovecot', 'smtp'] as const));

  const doveadm = async (args: readonly string[]) => {
    const { stdout } = await run(DOVEADM, ['-c', dovecotConf, ...args]);
    return stdout;
  };
  try {
    await launch('dovecot');
    await launch('smtp');
  } catch (error) {
    await halt('smtp');
    await halt('dovecot');
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    domain,
    directory,
    smtp: { host: '127.0.0.1', port: smtpPort },
    imap: { host: '127.0.0.1', port: imapPort },
    pop3: { host: '127.0.0.1', port: pop3Port },
    ca,
    users,
    async stop(part) {
      for (const p of parts(part)) await halt(p);
    },
    async start(part) {
      for (const p of parts(part)) await launch(p);
    },
    doveadm,
    async deliverRaw(address, raw) {
      const child = spawn('/usr/lib/dovecot/dovecot-lda', ['-c', dovecotConf, '-d', address], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      const errors: Buffer[] = [];
      child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
      const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.stdin.end(typeof raw === 'string' ? raw : Buffer.from(raw));
      const code = await done;
      if (code !== 0)
        throw new MailTransportError('RIG_START_FAILED', `dovecot-lda: ${Buffer.concat(errors).toString()}`);
    },
    async count(address, folder = 'INBOX') {
      const out = await doveadm(['-f', 'flow', 'mailbox', 'status', '-u', address, 'messages', folder]).catch(
        () => 'messages=0',
      );
      return Number(/messages=(\d+)/.exec(out)?.[1] ?? 0);
    },
    async close() {
      await halt('smtp');
      await halt('dovecot');
      await rm(directory, { recursive: true, force: true });
    },
  };
}
