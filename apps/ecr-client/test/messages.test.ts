import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import { type EmbeddedBroker, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import { type ServerDatabase, type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exitCodes, runCli } from '../src/index.js';

// The operators' messages, end to end: `xmserver client message` (spawned) seals a signed and
// encrypted text for the centre and publishes it to the broker (embedded aedes, or MQTT_URL's);
// `ecr sync` (in-process, the same code as the bin) takes it in, `ecr message list` shows it,
// `ecr login` announces it until someone reads it.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const xmserverCli = join(root, 'apps', 'xmserver', 'src', 'cli.ts');
const run = randomBytes(3).toString('hex');
const serverName = `msg-${run}`;
const matricule = `CEC-MSG-${run}`;

let broker: EmbeddedBroker | undefined;
let brokerUrl: string;
let serverDir: string;
let serverDatabase: TestDatabase<ServerDatabase> | undefined;
let dir: string;
let site: TestDatabase<SiteDatabase>;

function serverEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    XM_KEY_PASSPHRASE: 'the server key passphrase',
    XM_USER: 'admin',
    XM_PASSWORD: 'the supervisor password',
    XM_BROKER_URL: brokerUrl,
    XDG_CONFIG_HOME: join(serverDir, 'operator-config'),
    ...(serverDatabase ? { XM_DATABASE_URL: serverDatabase.url } : {}),
  };
}

function xmserver(args: string[], env: Record<string, string> = {}): Promise<string> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...entryArguments(xmserverCli), '--data-dir', serverDir, ...args],
    { cwd: root, env: { ...serverEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`xmserver ${args.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

async function ecr(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dir, ...args], {
    env: {
      ECR_USER: 'chef',
      ECR_PASSWORD: 'officer-password',
      ECR_KEY_PASSPHRASE: 'centre key passphrase',
      ECR_MQTT_VERSION: broker ? '4' : '5',
      ...env,
    },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    openDatabase: async () => ({ db: site.db, close: async () => {} }),
  });
  return { code, stdout, stderr };
}

const agent = { ECR_USER: 'ali', ECR_PASSWORD: 'agent-password' };
const mqtt3 = () => (broker ? ['--mqtt3'] : []);
const events = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  if (process.env.MQTT_URL) brokerUrl = process.env.MQTT_URL;
  else {
    broker = await startEmbeddedBroker();
    brokerUrl = broker.url;
  }
  serverDir = await mkdtemp(join(tmpdir(), 'ecr-msg-server-'));
  dir = await mkdtemp(join(tmpdir(), 'ecr-msg-centre-'));
  if (process.env.DATABASE_URL) serverDatabase = await createTestDatabase<ServerDatabase>();
  site = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });

  await xmserver(['--server-name', serverName, 'init'], { XM_NEW_PASSWORD: 'initial supervisor password' });
  await xmserver(['login'], {
    XM_PASSWORD: 'initial supervisor password',
    XM_NEW_PASSWORD: 'the supervisor password',
  });
  await xmserver([
    'client',
    'add',
    '--name',
    'Centre messages',
    '--matricule',
    matricule,
    '--centre-code',
    '102036',
  ]);
  const init = await ecr(
    [
      'init',
      '--database-url',
      site.url,
      '--matricule',
      matricule,
      '--centre-code',
      '102036',
      '--officer',
      'chef',
      '--broker',
      brokerUrl,
      '--server-cert',
      join(serverDir, 'pki', 'server.pem'),
      '--ca-cert',
      join(serverDir, 'pki', 'ca.pem'),
    ],
    { ECR_NEW_PASSWORD: 'officer-password' },
  );
  expect(init.code, init.stderr).toBe(0);
  await xmserver([
    'client',
    'enrol',
    matricule,
    '--csr',
    join(dir, 'centre.csr.pem'),
    '--out',
    join(dir, 'issued.pem'),
  ]);
  expect((await ecr(['cert', 'import', join(dir, 'issued.pem')])).code).toBe(0);
  expect(
    (await ecr(['user', 'add', 'ali', '--role', 'agent'], { ECR_NEW_PASSWORD: 'agent-password' })).code,
  ).toBe(0);
}, 240_000);

afterAll(async () => {
  await site?.close();
  await serverDatabase?.close();
  await broker?.close();
  if (serverDir) await rm(serverDir, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('messages from the central server', () => {
  test('xmserver client message reaches ecr sync; message list shows it, login announces it until it is read', async () => {
    // The centre's first connection opens its persistent session at the broker, which then keeps
    // what the server publishes while the centre is away.
    const first = await ecr(['sync', '--once', '--wait', '60']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).not.toContain('unread');
    expect((await ecr(['message', 'list'], agent)).stdout).toBe('No message from the central server.\n');

    const text = 'Maintenance du serveur samedi 02:00-04:00 UTC.\nMerci de synchroniser avant.';
    await xmserver(['client', 'message', matricule, '--text', text, ...mqtt3()]);
    const sync = await ecr(['sync', '--once', '--wait', '60']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^message \d+ from the central server received$/m);
    expect(sync.stdout.trimEnd().split('\n').at(-1)).toBe(
      '1 unread message from the central server: `ecr message list` to see it, `ecr message read <n>` to read it.',
    );

    // Any user of the centre reads them: here an agent.
    const listed = await ecr(['--json', 'message', 'list'], agent);
    expect(listed.code, listed.stderr).toBe(0);
    const [message] = JSON.parse(listed.stdout) as { id: number; text: string; unread: boolean }[];
    expect(message).toMatchObject({ text, unread: true, readBy: null, sentAt: expect.any(String) });
    const id = message?.id as number;
    const table = await ecr(['message', 'list'], agent);
    expect(table.stdout).toMatch(
      new RegExp(
        `^${id}\\s+\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}Z\\s+UNREAD\\s+Maintenance du serveur samedi 02:00-04:00 UTC\\. …$`,
        'm',
      ),
    );

    const login = await ecr(['login'], agent);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toBe(
      `Logged in as ali (agent) at centre ${matricule}.\n1 unread message from the central server: \`ecr message list\` to see it, \`ecr message read <n>\` to read it.\n`,
    );
    const french = await ecr(['--lang', 'fr', 'login'], agent);
    expect(french.stdout).toBe(
      `Connecté en tant que ali (agent) au centre ${matricule}.\n1 message non lu du serveur central : \`ecr message list\` pour le voir, \`ecr message read <n>\` pour le lire.\n`,
    );
    expect(JSON.parse((await ecr(['--json', 'login'], agent)).stdout)).toEqual({
      login: 'ali',
      role: 'agent',
      matricule,
      unreadMessages: 1,
    });

    const read = await ecr(['message', 'read', String(id)], agent);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toContain(`\n\n${text}\n\n(now marked read)\n`);
    expect((await ecr(['login'], agent)).stdout).toBe(`Logged in as ali (agent) at centre ${matricule}.\n`);
    expect((await ecr(['message', 'list', '--unread'])).stdout).toBe(
      'No unread message from the central server.\n',
    );
    const again = await ecr(['--lang', 'fr', 'message', 'read', String(id)]);
    expect(again.stdout).toMatch(/\(lu par ali le \d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z\)\n$/);
    expect((await ecr(['message', 'read', '999999'])).code).toBe(exitCodes['not-found']);
    expect((await ecr(['message', 'read'])).code).toBe(exitCodes.usage);
  }, 180_000);

  test('newest first; --json sync reports each message and the unread count; read --all marks them all', async () => {
    await xmserver(['client', 'message', matricule, '--text', 'Deuxième message', ...mqtt3()]);
    await xmserver(['client', 'message', matricule, '--text', 'Troisième message', ...mqtt3()]);
    const sync = await ecr(['--json', 'sync', '--once', '--wait', '60']);
    expect(sync.code, sync.stderr).toBe(0);
    const received = events(sync.stdout).filter((e) => e.event === 'message');
    expect(received.map((e) => e.text)).toEqual(['Deuxième message', 'Troisième message']);
    expect(events(sync.stdout).at(-1)).toMatchObject({ event: 'summary', messages: 2, unreadMessages: 2 });

    const listed = JSON.parse((await ecr(['--json', 'message', 'list'], agent)).stdout) as {
      text: string;
      unread: boolean;
    }[];
    expect(listed.map((m) => [m.text.slice(0, 10), m.unread])).toEqual([
      ['Troisième ', true],
      ['Deuxième m', true],
      ['Maintenanc', false],
    ]);
    expect((await ecr(['--lang', 'fr', 'login'], agent)).stdout).toContain(
      '2 messages non lus du serveur central : `ecr message list` pour les voir',
    );
    const all = await ecr(['--json', 'message', 'read', '--all'], agent);
    expect(JSON.parse(all.stdout)).toEqual({ marked: 2, unread: 0 });
    expect(JSON.parse((await ecr(['--json', 'login'], agent)).stdout)).toMatchObject({ unreadMessages: 0 });
  }, 180_000);
});
