import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import { sampleBirth } from '@xmcomm/schema/testing';
import { browserUnavailable, launchBrowser, saveScreenshot, type TestBrowser } from '@xmcomm/web-kit/testing';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoLogins } from '../src/index.js';

// `npm run demo` as a new user meets it: spawned, it prints the workstation's address and the logins;
// in Debian's chromium the agent drafts a birth, the secretary verifies it, the officer validates it,
// and with nothing else started the act's page reaches status 4. The demo is embedded by design (its
// own PGlite databases and broker): DATABASE_URL and MQTT_URL do not apply to it.

const unavailable = browserUnavailable();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'apps', 'demo', 'src', 'cli.ts');
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  XM_LOG_FORMAT: 'json',
  XM_LOG_LEVEL: 'warn',
};

function start(args: string[], extra: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [...entryArguments(cli), ...args], {
    cwd: root,
    env: { ...env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
function collect(child: ChildProcess) {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => {
    out.stdout += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    out.stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { out, exited };
}

let demo: ChildProcess | undefined;
let run: ReturnType<typeof collect> | undefined;
let baseUrl = '';
let browser: TestBrowser | undefined;

beforeAll(async () => {
  if (unavailable) return;
  demo = start(['--sites', '1', '--acts', '2', '--lang', 'fr']);
  run = collect(demo);
  const said = run;
  baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const url = /Interface des postes à l'adresse (http:\/\/\S+?)\/?\n/.exec(said.out.stdout)?.[1];
      if (url) {
        clearInterval(timer);
        resolve(url);
      }
    }, 200);
    void said.exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`the demo ended (${code}): ${said.out.stderr}${said.out.stdout}`));
    });
  });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
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
const [agent, secretary, officer] = demoLogins;

describe.skipIf(unavailable)('npm run demo: the batch, then one centre in the browser', () => {
  test('prints the batch summary, the logins and the address in the user language', () => {
    const said = run?.out.stdout ?? '';
    expect(said).toMatch(/validés, \d+ centralisés/);
    expect(said).toContain('Identifiants de démonstration');
    for (const user of demoLogins) expect(said).toContain(`${user.login} / ${user.password}`);
    expect(said).toContain('Ctrl+C pour arrêter.');
  });

  test('agent drafts, secretary verifies, officer validates; the act reaches status 4 by itself', async () => {
    const b = browser as TestBrowser;
    const a = await b.newPage({ extraHTTPHeaders: { 'accept-language': 'fr' } });
    await logIn(a.page, agent.login, agent.password);
    await saveScreenshot(a.page, 'demo-home-agent-fr');
    await a.page.goto(`${baseUrl}/records/new/birth`);
    for (const [field, value] of Object.entries(sampleBirth)) {
      const input = a.page.locator(`#f-${field}`);
      if ((await input.evaluate((element) => element.tagName)) === 'SELECT')
        await input.selectOption(String(value));
      else await input.fill(String(value));
    }
    await submit(a.page, a.page.getByRole('button', { name: 'Enregistrer le brouillon' }));
    const ref = /\/records\/(B\d+)/.exec(a.page.url())?.[1] ?? '';
    expect(ref, await textOf(a.page.locator('main'))).toMatch(/^B\d+$/);
    await a.context.close();

    const s = await b.newPage({ extraHTTPHeaders: { 'accept-language': 'en' } });
    await logIn(s.page, secretary.login, secretary.password);
    await s.page.goto(`${baseUrl}/records/${ref}`);
    await submit(s.page, s.page.getByRole('button', { name: 'Verify' }));
    expect(await textOf(s.page.locator('main'))).toContain(`Act ${ref} is verified.`);
    await s.context.close();

    const o = await b.newPage({ extraHTTPHeaders: { 'accept-language': 'en' } });
    await logIn(o.page, officer.login, officer.password);
    await o.page.goto(`${baseUrl}/records/${ref}`);
    await o.page.getByLabel(/Your password/).fill(officer.password);
    await submit(o.page, o.page.getByRole('button', { name: /Validate/ }));
    expect(await textOf(o.page.locator('main'))).toMatch(/Its NIU: \d{6}-\d{4}-\d{7}-\d{2}/);
    // Nobody presses "Synchronise now": the centre's sync service seals and sends it.
    const deadline = Date.now() + 60_000;
    let page = '';
    while (Date.now() < deadline) {
      await o.page.goto(`${baseUrl}/records/${ref}`);
      page = await textOf(o.page.locator('main'));
      if (page.includes('4 · exported')) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(page).toContain('4 · exported');
    await saveScreenshot(o.page, 'demo-birth-exported');
    // The button still works beside the service, through its connection.
    await o.page.goto(`${baseUrl}/sync`);
    await submit(o.page, o.page.getByRole('button', { name: 'Synchronise now' }));
    expect(await textOf(o.page.locator('main'))).toContain('0 container(s) still waiting');
    await saveScreenshot(o.page, 'demo-sync-page');
    await o.context.close();
  }, 180_000);

  test('SIGTERM stops the UI, then the server, with exit code 0', async () => {
    demo?.kill('SIGTERM');
    expect(await run?.exited).toBe(0);
    expect(run?.out.stdout).toContain('Arrêté.');
  }, 60_000);
});

describe('npm run demo --json', () => {
  test('keeps the batch demo alone: prints its summary and exits', async () => {
    const json = collect(start(['--json', '--sites', '1', '--acts', '2']));
    expect(await json.exited).toBe(0);
    const summary = JSON.parse(json.out.stdout.trim().split('\n').pop() ?? '{}') as {
      complete?: boolean;
      validated?: number;
    };
    expect(summary).toMatchObject({ complete: true, validated: 2 });
  }, 180_000);

  test('a bad option is a usage error in the user language, not a stack trace', async () => {
    const bad = collect(start(['--port', 'many'], { LANG: 'fr_FR.UTF-8' }));
    expect(await bad.exited).toBe(2);
    expect(bad.out.stderr).toContain('démo : --port many : nombre entier de 0 à 65535 attendu.');
    expect(bad.out.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
