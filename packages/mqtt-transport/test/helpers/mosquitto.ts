import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

export function mosquittoAvailable(): boolean {
  return existsSync('/usr/sbin/mosquitto');
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface MosquittoOptions {
  /** Contents of dynamic-security.json; the plugin is loaded when given. */
  dynamicSecurity?: string;
  /** PEM files for a TLS listener. */
  tls?: { cert: string; key: string; ca: string };
  /** Extra configuration lines. */
  extra?: string[];
  /** Shell prefix, e.g. to raise `ulimit -n`. */
  ulimit?: number;
}

export interface RunningMosquitto {
  url: string;
  port: number;
  pid: number;
  dir: string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}: ${log()}`);
}

/** Starts a private mosquitto on a free loopback port, with its own config; stop() kills it. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<RunningMosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'xm-mosquitto-'));
  const port = await freePort();
  const lines = [
    'per_listener_settings false',
    // mosquitto drops root for the "mosquitto" user, which could not read this private folder.
    'user root',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'max_connections -1',
    `listener ${port} 127.0.0.1`,
  ];
  if (options.tls) {
    const files = { cert: 'server.crt', key: 'server.key', ca: 'ca.crt' } as const;
    for (const [name, file] of Object.entries(files)) {
      await writeFile(join(dir, file), options.tls[name as keyof typeof files], { mode: 0o600 });
    }
    lines.push(
      `certfile ${join(dir, files.cert)}`,
      `keyfile ${join(dir, files.key)}`,
      `cafile ${join(dir, files.ca)}`,
    );
  }
  if (options.dynamicSecurity !== undefined) {
    const file = join(dir, 'dynamic-security.json');
    await writeFile(file, options.dynamicSecurity, { mode: 0o600 });
    await chmod(file, 0o600);
    lines.push('allow_anonymous false', `plugin ${DYNSEC_PLUGIN}`, `plugin_opt_config_file ${file}`);
  } else {
    lines.push('allow_anonymous true');
  }
  lines.push(...(options.extra ?? []));
  const config = join(dir, 'mosquitto.conf');
  await writeFile(config, `${lines.join('\n')}\n`, { mode: 0o600 });
  const command = options.ulimit
    ? `ulimit -n ${options.ulimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec /usr/sbin/mosquitto -c '${config}'`
    : `exec /usr/sbin/mosquitto -c '${config}'`;
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `mqtt://127.0.0.1:${port}`, port, pid: child.pid!, dir, stop, [Symbol.asyncDispose]: stop };
}
