import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BenchError } from './errors.js';
import { freePort, stopChild } from './services.js';

const xmserverDir = dirname(createRequire(import.meta.url).resolve('@xmcomm/xmserver/package.json'));
const repositoryRoot = join(xmserverDir, '..', '..');

export interface ServerSettings {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly serverName: string;
  readonly brokerUrl?: string;
}

function environment(settings: ServerSettings, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // Only what xmserver reads; no secret travels on a command line (the database uses trust on loopback).
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XM_DATA_DIR: settings.dataDir,
    XM_DATABASE_URL: settings.databaseUrl,
    XM_SERVER_NAME: settings.serverName,
    XM_LOG_LEVEL: 'warn',
    ...(settings.brokerUrl ? { XM_BROKER_URL: settings.brokerUrl } : {}),
    ...(process.env.XM_CONCURRENCY ? { XM_CONCURRENCY: process.env.XM_CONCURRENCY } : {}),
    ...extra,
  };
}

/**
 * The xmserver command from source, as `node --import tsx`: the same code `xmserver` runs once
 * built. `hostname` runs it in a UTS namespace of its own, standing for a second machine: server
 * processes name their MQTT client ids after the host, so two on one host would take each other's
 * session (see docs/benchmarks.md).
 */
function command(args: readonly string[], hostname?: string): { file: string; args: string[] } {
  const node = [
    process.execPath,
    // For profiling a run, e.g. XMBENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
    ...(args[0] === 'run' ? (process.env.XMBENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean) : []),
    '--conditions=@xmcomm/source',
    '--import',
    'tsx',
    join(xmserverDir, 'src', 'cli.ts'),
    ...args,
  ];
  if (!hostname) return { file: node[0] as string, args: node.slice(1) };
  return {
    file: 'unshare',
    args: ['--uts', 'sh', '-c', `hostname "$0" && exec "$@"`, hostname, ...node],
  };
}

/**
 * `xmserver init`: migrations, national CA, server certificate, and the first supervisor, whose
 * initial password (random, in the environment) no one uses: the benchmarks register their sites
 * directly in the database and run only `xmserver run`, which acts for no operator.
 */
export async function initServer(settings: ServerSettings): Promise<void> {
  const { file, args } = command(['init', '--json']);
  const child = spawn(file, args, {
    cwd: repositoryRoot,
    env: environment(settings, { XM_NEW_PASSWORD: randomBytes(18).toString('base64url') }),
    stdio: 'pipe',
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolvePromise) => child.once('exit', resolvePromise));
  if (code !== 0)
    throw new BenchError('server-failed', `xmserver init exited with ${code}: ${output.slice(-2000)}`);
}

export interface ServerProcess {
  readonly pid: number;
  readonly metricsUrl: string;
  /** Counters from /healthz. */
  health(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** `xmserver run` against the broker, shared subscription on; resolves once it says it is running. */
export async function startServer(
  settings: ServerSettings,
  options: { readonly hostname?: string } = {},
): Promise<ServerProcess> {
  const metricsPort = await freePort();
  const { file, args } = command(['run', '--json'], options.hostname);
  const child: ChildProcess = spawn(file, args, {
    cwd: repositoryRoot,
    env: environment(settings, { XM_METRICS_PORT: String(metricsPort) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // For finding why a run lost containers, e.g. XMBENCH_SERVER_LOG=/tmp/xmserver (one file per process).
  if (process.env.XMBENCH_SERVER_LOG) {
    const log = createWriteStream(`${process.env.XMBENCH_SERVER_LOG}-${child.pid}.log`);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const ready = new Promise<boolean>((resolvePromise) => {
    const timer = setTimeout(() => resolvePromise(false), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"running"')) {
        clearTimeout(timer);
        resolvePromise(true);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output = `${output}${chunk.toString()}`.slice(-20_000);
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise(false);
    });
  });
  if (!(await ready)) {
    await stopChild(child);
    throw new BenchError('server-failed', `xmserver run did not start: ${output.slice(-2000)}`);
  }
  const metricsUrl = `http://127.0.0.1:${metricsPort}`;
  return {
    // With unshare, the node process is the exec'd child: the same pid.
    pid: child.pid ?? 0,
    metricsUrl,
    async health() {
      const response = await fetch(`${metricsUrl}/healthz`);
      return (await response.json()) as Record<string, unknown>;
    },
    stop: () => stopChild(child),
  };
}
