import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import { type EmbeddedBroker, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import type { ServerDatabase, SiteDatabase } from '@xmcomm/schema';
import { createTestDatabase, sampleBirth, type TestDatabase } from '@xmcomm/schema/testing';
import { browserUnavailable, launchBrowser, saveScreenshot, type TestBrowser } from '@xmcomm/web-kit/testing';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertUser, openCentreDatabase, runCli } from '../src/index.js';

// `ecr serve` in Debian's chromium, end to end: a real xmserver (spawned) and broker, a centre set up
// with the CLI; in the browser an agent drafts a birth, a secretary verifies it, the officer
// validates it (NIU), synchronises, and the act's page shows status 4.

const unavailable = browserUnavailable();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ecrCli = join(root, 'apps', 'ecr-client', 'src', 'cli.ts');
const xmserverCli = join(root, 'apps', 'xmserver', 'src', 'cli.ts');
const run = randomBytes(3).toString('hex');
const matricule = `WEB-${run}`;
const centreCode = '912345';
const officerPassword = 'officer-password';
const keyPassphrase = 'the centre key passphrase';
const supervisorPassword = 'the supervisor password';

let broker: EmbeddedBroker | undefined;
let brokerUrl = '';
let serverDir = '';
let centreDir = '';
let serverDatabase: TestDatabase<ServerDatabase> | undefined;
let centreDatabase: TestDatabase<SiteDatabase> | undefined;
let service: ChildProcess | undefined;
let serving: Promise<number> | undefined;
const stopServing = new AbortController();
let baseUrl = '';
let browser: TestBrowser | undefined;
const served: string[] = [];

const childEnv = (env: Record<string, string>) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  XM_LOG_FORMAT: 'json',
  XM_LOG_LEVEL: 'warn',
  ...env,
});
function start(cli: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...entryArguments(cli), ...args], {
    cwd: root,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
function finish(child: ChildProcess, onLine?: (line: string) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
      for (const line of String(chunk).split('\n')) onLine?.(line);
    });
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
async function runCommand(cli: string, args: string[], env: Record<string, string>) {
  const outcome = await finish(start(cli, args, env));
  if (outcome.code !== 0)
    throw new Error(`${args.join(' ')} exited ${outcome.code}: ${outcome.stderr}${outcome.stdout}`);
  return outcome;
}
const serverEnv = () => ({
  XM_KEY_PASSPHRASE: 'the server key passphrase',
  XM_USER: 'admin',
  XM_PASSWORD: supervisorPassword,
  XDG_CONFIG_HOME: join(serverDir, 'operator-config'),
  ...(serverDatabase ? { XM_DATABASE_URL: serverDatabase.url } : {}),
});
const ecrEnv = (): Record<string, string> => ({
  ECR_DATA_DIR: centreDir,
  ECR_USER: 'chef',
  ECR_PASSWORD: officerPassword,
  ECR_KEY_PASSPHRASE: keyPassphrase,
  ECR_MQTT_VERSION: broker ? '4' : '5',
});

beforeAll(async () => {
  if (unavailable) return;
  if (process.env.MQTT_URL) brokerUrl = process.env.MQTT_URL;
  else {
    broker = await startEmbeddedBroker();
    brokerUrl = broker.url;
  }
  serverDir = await mkdtemp(join(tmpdir(), 'ecr-serve-server-'));
  centreDir = await mkdtemp(join(tmpdir(), 'ecr-serve-centre-'));
  if (process.env.DATABASE_URL) {
    serverDatabase = await createTestDatabase<ServerDatabase>();
    centreDatabase = await createTestDatabase<SiteDatabase>();
  }
  const databaseUrl = centreDatabase?.url ?? join(centreDir, 'db');
  const server = ['--data-dir', serverDir];
  await runCommand(xmserverCli, [...server, '--server-name', `web-${run}`, 'init'], {
    ...serverEnv(),
    XM_NEW_PASSWORD: 'initial supervisor password',
  });
  await runCommand(xmserverCli, [...server, 'login'], {
    ...serverEnv(),
    XM_PASSWORD: 'initial supervisor password',
    XM_NEW_PASSWORD: supervisorPassword,
  });
  await runCommand(
    xmserverCli,
    [
      ...server,
      'client',
      'add',
      '--name',
      'Centre web',
      '--matricule',
      matricule,
      '--centre-code',
      centreCode,
    ],
    serverEnv(),
  );
  await runCommand(
    ecrCli,
    [
      'init',
      '--database-url',
      databaseUrl,
      '--matricule',
      matricule,
      '--centre-code',
      centreCode,
      '--officer',
      'chef',
      '--broker',
      brokerUrl,
      '--server-cert',
      join(serverDir, 'pki', 'server.pem'),
      '--ca-cert',
      join(serverDir, 'pki', 'ca.pem'),
    ],
    { ...ecrEnv(), ECR_NEW_PASSWORD: officerPassword },
  );
  await runCommand(
    xmserverCli,
    [
      ...server,
      'client',
      'enrol',
      matricule,
      '--csr',
      join(centreDir, 'centre.csr.pem'),
      '--out',
      join(centreDir, 'issued.pem'),
    ],
    serverEnv(),
  );
  await runCommand(ecrCli, ['cert', 'import', join(centreDir, 'issued.pem')], ecrEnv());
  const db = await openCentreDatabase(databaseUrl);
  try {
    await insertUser(db, { login: 'ali', privilege: 1, password: 'agent-password' });
    await insertUser(db, { login: 'sec', privilege: 2, password: 'secretary-password' });
  } finally {
    await db.destroy();
  }
  service = start(xmserverCli, [...server, 'run', ...(broker ? ['--embedded-broker'] : [])], {
    ...serverEnv(),
    XM_BROKER_URL: brokerUrl,
    XM_METRICS_PORT: '0',
  });
  await new Promise<void>((resolve, reject) => {
    void finish(service as ChildProcess, (line) => {
      if (line.includes('running')) resolve();
    }).then((o) => reject(new Error(`xmserver run ended: ${o.stderr}`)));
  });
  // `ecr serve` in this process, as the bin runs it; stopped through its signal.
  let announced: (url: string) => void = () => {};
  const address = new Promise<string>((resolve) => {
    announced = resolve;
  });
  serving = runCli(['serve', '--port', '0'], {
    env: { ...ecrEnv(), ECR_LANG: 'en' },
    stdout: (text) => {
      served.push(text);
      const url = /at (http:\/\/\S+?)\/?\n/.exec(text)?.[1];
      if (url) announced(url);
    },
    stderr: (text) => void served.push(text),
    signal: stopServing.signal,
  });
  baseUrl = await Promise.race([
    address,
    serving.then((code) => {
      throw new Error(`ecr serve ended (${code}): ${served.join('')}`);
    }),
  ]);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  stopServing.abort();
  await serving;
  service?.kill('SIGTERM');
  await broker?.close();
  await centreDatabase?.close();
  await serverDatabase?.close();
  if (serverDir) await rm(serverDir, { recursive: true, force: true });
  if (centreDir) await rm(centreDir, { recursive: true, force: true });
});

async function logIn(page: Page, login: string, password: string) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}
async function submit(page: Page, button: Locator) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}
const textOf = async (locator: Locator) => (await locator.first().textContent()) ?? '';

describe.skipIf(unavailable)('ecr serve in chromium, with xmserver and a broker', () => {
  test('says where it listens, and that only this computer can reach it', () => {
    const said = served.join('');
    expect(said).toMatch(/Workstation UI at http:\/\/127\.0\.0\.1:\d+\//);
    expect(said).toContain('this computer alone can reach it');
  });

  test('agent drafts a birth, secretary verifies, officer validates (NIU), synchronises: status 4', async () => {
    const agent = await (browser as TestBrowser).newPage({ extraHTTPHeaders: { 'accept-language': 'fr' } });
    await logIn(agent.page, 'ali', 'agent-password');
    expect(await textOf(agent.page.locator('main'))).toContain('privilège : agent (1)');
    await agent.page.goto(`${baseUrl}/records/new/birth`);
    expect(await agent.page.locator('#f-date_of_birth').getAttribute('type')).toBe('date');
    expect(await agent.page.locator('#f-date_of_birth').getAttribute('max')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [field, value] of Object.entries(sampleBirth)) {
      const input = agent.page.locator(`#f-${field}`);
      if ((await input.evaluate((element) => element.tagName)) === 'SELECT')
        await input.selectOption(String(value));
      else await input.fill(String(value));
    }
    await saveScreenshot(agent.page, 'ecr-birth-form-fr-1366');
    await submit(agent.page, agent.page.getByRole('button', { name: 'Enregistrer le brouillon' }));
    const ref = /\/records\/(B\d+)/.exec(agent.page.url())?.[1] ?? '';
    expect(ref, await textOf(agent.page.locator('main'))).toMatch(/^B\d+$/);
    // ECR's clerks say "acte" (masculine), not the kit's "fiche".
    const drafted = await textOf(agent.page.locator('main'));
    expect(drafted).toContain(`L'acte ${ref} a été enregistré comme brouillon.`);
    expect(drafted).toContain('rédigé');
    expect(await textOf(agent.page.locator('nav'))).toMatch(/Nouvel acte.*Actes/);
    expect(await textOf(agent.page.locator('body'))).not.toMatch(/\bfiches?\b/i);
    await agent.context.close();

    const secretary = await (browser as TestBrowser).newPage({
      extraHTTPHeaders: { 'accept-language': 'en' },
    });
    await logIn(secretary.page, 'sec', 'secretary-password');
    await secretary.page.goto(`${baseUrl}/records/${ref}`);
    await submit(secretary.page, secretary.page.getByRole('button', { name: 'Verify' }));
    expect(await textOf(secretary.page.locator('main'))).toContain(`Act ${ref} is verified.`);
    await secretary.context.close();

    const officer = await (browser as TestBrowser).newPage({ extraHTTPHeaders: { 'accept-language': 'en' } });
    await logIn(officer.page, 'chef', officerPassword);
    await officer.page.goto(`${baseUrl}/records/${ref}`);
    await officer.page.getByLabel(/Your password/).fill(officerPassword);
    await submit(officer.page, officer.page.getByRole('button', { name: /Validate/ }));
    const validated = await textOf(officer.page.locator('main'));
    expect(validated).toMatch(new RegExp(`Its NIU: ${centreCode}-\\d{4}-\\d{7}-\\d{2}`));
    await saveScreenshot(officer.page, 'ecr-birth-validated-1366');
    await officer.page.goto(`${baseUrl}/sync`);
    await submit(officer.page, officer.page.getByRole('button', { name: 'Synchronise now' }));
    const summary = await textOf(officer.page.locator('main'));
    expect(summary).toContain('1 acknowledged by the server');
    await saveScreenshot(officer.page, 'ecr-sync-done-1366');
    await officer.page.goto(`${baseUrl}/records/${ref}`);
    expect(await textOf(officer.page.locator('main'))).toContain('4 · exported');
    await saveScreenshot(officer.page, 'ecr-birth-exported-1366');
    await officer.context.close();
  }, 120_000);

  test('stops cleanly when signalled; bound beyond this computer, it warns that http is unencrypted', async () => {
    stopServing.abort();
    expect(await serving).toBe(0);
    expect(served.join('')).toContain('Stopped.');
    const said: string[] = [];
    const stop = new AbortController();
    const second = runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--lang', 'fr'], {
      env: ecrEnv(),
      stdout: (text) => {
        said.push(text);
        if (text.includes('Ctrl+C')) stop.abort();
      },
      stderr: (text) => void said.push(text),
      signal: stop.signal,
    });
    expect(await second).toBe(0);
    expect(said.join('')).toMatch(/Interface des postes à l'adresse http:\/\/\S+:\d+\//);
    expect(said.join('')).toContain('les mots de passe traversent le réseau en clair');
    const bad: string[] = [];
    const refused = await runCli(['serve', '--host', 'not an address'], {
      env: ecrEnv(),
      stdout: (text) => void bad.push(text),
      stderr: (text) => void bad.push(text),
    });
    expect(refused).toBe(2);
    expect(bad.join('')).toContain('not an address is not an IP address');
  });
});
