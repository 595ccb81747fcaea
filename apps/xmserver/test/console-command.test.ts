import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// `xmserver console` as an operator starts it: a process listening where it says on stderr, over
// http and over https with a certificate made by openssl, serving the login page, refusing a POST
// without its CSRF token, and stopping cleanly on SIGTERM. The routes themselves are tested by
// inject (console.test.ts); this is the command around them.

const root = fileURLToPath(new URL('../../../', import.meta.url));
let dir: string;
let postgres: TestDatabase<ServerDatabase> | undefined;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xms-console-cmd-'));
  if (process.env.DATABASE_URL) postgres = await createTestDatabase<ServerDatabase>();
  env = postgres ? { XM_DATABASE_URL: postgres.url } : {};
  // In this process, and closed after each command: the console's process opens the same database.
  await initialiseServer((argv, extra = {}) =>
    runInProcess(['--data-dir', join(dir, 'data'), ...argv], { env: { ...env, ...extra } }),
  );
}, 120_000);

afterAll(async () => {
  await postgres?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Started {
  readonly child: ChildProcess;
  readonly address: string;
  stderr(): string;
}

function startConsole(args: readonly string[]): Promise<Started> {
  const child = spawn(
    process.execPath,
    [
      ...entryArguments('apps/xmserver/src/cli.ts', root),
      '--data-dir',
      join(dir, 'data'),
      'console',
      ...args,
    ],
    {
      cwd: root,
      env: { PATH: process.env.PATH, XM_LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  return new Promise((resolvePromise, reject) => {
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
      const said = /xmserver console: (\S+)/.exec(stderr);
      if (said?.[1]) resolvePromise({ child, address: said[1], stderr: () => stderr });
    });
    child.on('exit', (code) => reject(new Error(`console exited ${code}: ${stderr}`)));
  });
}

async function stop(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolvePromise) => started.child.on('exit', resolvePromise));
  started.child.kill('SIGTERM');
  return exited;
}

test('over http on 127.0.0.1: the login page, a POST without its CSRF token refused, SIGTERM ends it with 0', async () => {
  const started = await startConsole(['--port', '0']);
  try {
    expect(started.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const login = await fetch(`${started.address}/login`, { headers: { 'accept-language': 'fr' } });
    expect(login.status).toBe(200);
    const page = await login.text();
    expect(page).toContain('<form');
    expect(page).toContain('Mot de passe');
    expect(login.headers.get('content-security-policy')).toContain("default-src 'self'");
    const forged = await fetch(`${started.address}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'login=admin&password=whatever',
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
  } finally {
    expect(await stop(started)).toBe(0);
  }
  expect(started.stderr()).not.toMatch(/^\s+at /m);
  // On loopback only, plain http needs no warning.
  expect(started.stderr()).not.toContain('Warning');
}, 60_000);

test.skipIf(!hasOpenssl())(
  'over https with --tls-cert and --tls-key: the certificate given is the one served',
  async () => {
    const key = join(dir, 'console.key');
    const certificate = join(dir, 'console.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        certificate,
      ],
      { stdio: 'ignore' },
    );
    const started = await startConsole(['--port', '0', '--tls-cert', certificate, '--tls-key', key]);
    try {
      expect(started.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const port = new URL(started.address).port;
      // openssl as the client: it shows the certificate the console presents.
      const served = execFileSync(
        'openssl',
        ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', '127.0.0.1'],
        {
          input: '',
          encoding: 'utf8',
          stdio: ['pipe', 'pipe', 'ignore'],
        },
      );
      expect(served).toMatch(/subject=CN ?= ?127\.0\.0\.1/);
    } finally {
      expect(await stop(started)).toBe(0);
    }
  },
  60_000,
);

test('--tls-cert without --tls-key is refused before anything listens, exit 64', async () => {
  const outcome = await runInProcess(
    ['--data-dir', join(dir, 'data'), 'console', '--port', '0', '--tls-cert', join(dir, 'console.pem')],
    { env: { ...env, ...asSupervisor } },
  );
  expect(outcome.code).toBe(64);
  expect(outcome.stderr).toContain('--tls-key');
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
