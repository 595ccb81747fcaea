import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Io } from '../../src/context.js';
import type { ServerDb } from '../../src/database.js';
import { runCli } from '../../src/program.js';

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Runs the CLI in this process against an already migrated test database. */
export async function runInProcess(
  argv: readonly string[],
  options: { database?: ServerDb; env?: NodeJS.ProcessEnv; cwd?: string; prompt?: Io['prompt'] } = {},
): Promise<Outcome> {
  const out = sink();
  const err = sink();
  const code = await runCli(argv, {
    env: { ...options.env },
    cwd: options.cwd ?? process.cwd(),
    stdout: out.stream,
    stderr: err.stream,
    prompt: options.prompt,
    logger: pino({ level: 'silent' }),
    database: options.database,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Spawns `xmserver` from source, as an operator's shell would. */
export function spawnCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<Outcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@xmcomm/source', cli, ...argv], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        XM_LOG_FORMAT: 'json',
        XM_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}
