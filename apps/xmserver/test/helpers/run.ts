import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, entryArguments, type Outcome } from '@xmcomm/cli-kit/testing';
import { pino } from 'pino';
import type { Io } from '../../src/context.js';
import type { ServerDb } from '../../src/database.js';
import { runCli } from '../../src/program.js';

export type { Outcome };

/**
 * The operator's config folder for a test (where `login` keeps its session): inside the data
 * directory the command names, removed with it; never the real ~/.config of whoever runs the tests.
 */
function configHome(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  if (env.XDG_CONFIG_HOME) return env.XDG_CONFIG_HOME;
  const index = argv.indexOf('--data-dir');
  const dataDir = index >= 0 ? argv[index + 1] : env.XM_DATA_DIR;
  return dataDir ? join(dataDir, '.operator-config') : join(tmpdir(), `xms-operator-config-${process.pid}`);
}

/** Runs the CLI in this process against an already migrated test database. */
export async function runInProcess(
  argv: readonly string[],
  options: { database?: ServerDb; env?: NodeJS.ProcessEnv; cwd?: string; prompt?: Io['prompt'] } = {},
): Promise<Outcome> {
  return capture((stdout, stderr) =>
    runCli(argv, {
      env: { ...options.env, XDG_CONFIG_HOME: configHome(argv, options.env ?? {}) },
      cwd: options.cwd ?? process.cwd(),
      stdout: stdout.stream,
      stderr: stderr.stream,
      prompt: options.prompt,
      logger: pino({ level: 'silent' }),
      database: options.database,
    }),
  );
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
    const child = spawn(process.execPath, [...entryArguments(cli), ...argv], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        XM_LOG_FORMAT: 'json',
        XM_LOG_LEVEL: 'warn',
        ...env,
        XDG_CONFIG_HOME: configHome(argv, env),
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
