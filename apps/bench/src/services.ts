import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@xmcomm/schema';
import { sql } from 'kysely';
import { BenchError } from './errors.js';

/** The machine's PostgreSQL: DATABASE_URL, else the local one the CI uses. */
export function postgresUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

export interface ScratchDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh database next to the given one, dropped afterwards, so runs never see each other's rows. */
export async function createScratchDatabase(baseUrl: string): Promise<ScratchDatabase> {
  const name = `xmbench_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase(baseUrl);
  try {
    await sql.raw(`create database ${name}`).execute(admin);
  } catch (cause) {
    await admin.destroy();
    throw new BenchError('database-unavailable', `cannot create a database next to ${redactUrl(baseUrl)}`, {
      cause,
    });
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin);
      await admin.destroy();
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  return port;
}

export function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface Mosquitto {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * A private Mosquitto on a free loopback port: no persistence, no connection limit, and a raised
 * file-descriptor limit, for the many-sites run (the machine's one keeps its own settings).
 */
export async function startMosquitto(options: { readonly openFiles?: number } = {}): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'xmbench-mosquitto-'));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  await writeFile(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_connections -1',
      'max_queued_messages 10000',
      'log_dest none',
      '',
    ].join('\n'),
  );
  const child = spawn(
    'sh',
    // The soft limit goes up to the hard one (raising the hard one needs privileges a container may lack).
    ['-c', `ulimit -n ${options.openFiles ?? '"$(ulimit -Hn)"'} && exec mosquitto -c "$0"`, config],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const spawned = await new Promise<boolean>((resolvePromise) => {
    child.once('error', () => resolvePromise(false));
    child.once('spawn', () => resolvePromise(true));
  });
  for (let i = 0; spawned && i < 100 && child.exitCode === null; i++) {
    if (await reachable('127.0.0.1', port, 200)) {
      return {
        url: `mqtt://127.0.0.1:${port}`,
        pid: child.pid ?? 0,
        stop: () => stopChild(child).then(() => rm(dir, { recursive: true, force: true })),
      };
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
  await stopChild(child);
  await rm(dir, { recursive: true, force: true });
  throw new BenchError('broker-unavailable', `mosquitto did not start: ${stderr.trim() || 'not installed?'}`);
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Where the machine's Mosquitto runs, from its pid file, for CPU and memory figures. */
export async function machineMosquittoPid(): Promise<number | undefined> {
  try {
    const pid = Number((await readFile('/run/mosquitto/mosquitto.pid', 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface ProcessSample {
  /** User + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

const ticksPerSecond = 100; // USER_HZ on Linux

/** CPU and resident memory of a process from /proc; undefined once it is gone. */
export async function sampleProcess(pid: number): Promise<ProcessSample | undefined> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
    ]);
    // Fields after the parenthesised command name, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    return { cpuSeconds: ticks / ticksPerSecond, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
  } catch {
    return undefined;
  }
}

/** Every PostgreSQL backend and helper process on the machine (their CPU is the database's work). */
export async function postgresPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readFile(`/proc/${entry}/comm`, 'utf8')).trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
