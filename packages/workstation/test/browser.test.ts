import { insertUser } from '@xmcomm/site-kit';
import { createTestKit, type TestKit, testPasswords } from '@xmcomm/site-kit/testing';
import type { WebApp } from '@xmcomm/web-kit';
import {
  browserUnavailable,
  launchBrowser,
  saveScreenshot,
  startApp,
  type TestBrowser,
} from '@xmcomm/web-kit/testing';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWorkstation, type WorkstationUser } from '../src/index.js';
import { libraryCard } from './fixtures.js';

// The workstation in Debian's chromium, on a record type that is not civil registration: an agent
// drafts, a secretary verifies, the head validates; refusals (forged POSTs, CSRF, suspended users,
// lockout) and the keyboard and French paths. Screenshots go to test-artifacts/screenshots/.

const unavailable = browserUnavailable();
const today = '2026-12-07';
let t: TestKit;
let web: WebApp<WorkstationUser>;
let server: { url: string; close(): Promise<void> };
let browser: TestBrowser;
const logLines: string[] = [];

beforeAll(async () => {
  if (unavailable) return;
  t = await createTestKit({ recordTypes: [libraryCard], today: () => today });
  await insertUser(t.database.db, { login: 'gone', privilege: 0, password: 'gone-password-1' });
  await insertUser(t.database.db, { login: 'locky', privilege: 1, password: 'locky-password-1' });
  web = await createWorkstation({
    kit: t.kit,
    db: t.database.db,
    appTitle: { en: 'Town library', fr: 'Bibliothèque municipale' },
    dateBounds: () => ({ max: today }),
    logger: { level: 'warn', stream: { write: (line) => void logLines.push(line) } },
  });
  server = await startApp(web.fastify);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.close();
});

async function logIn(page: Page, login: string, password: string) {
  await page.goto(`${server.url}/login`);
  // Keyboard only: the user name has the focus, Tab to the password, Enter submits.
  await page.keyboard.type(login);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

/** Clicks a button that submits a form, and waits for the page that answers. */
async function submit(page: Page, button: Locator) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}
const textOf = async (locator: Locator) => (await locator.first().textContent()) ?? '';

const csrfOf = (page: Page) => page.locator('input[name="_csrf"]').first().inputValue();

describe.skipIf(unavailable)('workstation in chromium', () => {
  let ref = '';

  test('an agent logs in by keyboard, sees the privilege, and drafts a record by keyboard alone', async () => {
    const { page, context } = await browser.newPage({
      locale: 'en-US',
      extraHTTPHeaders: { 'accept-language': 'en' },
    });
    await saveScreenshot(page, 'login-1366').catch(() => {});
    await page.goto(`${server.url}/login`);
    await saveScreenshot(page, 'login-1366');
    await logIn(page, 'agent', testPasswords.agent);
    expect(await textOf(page.locator('main'))).toContain('privilege: agent (1)');
    await saveScreenshot(page, 'home-agent-1366');
    await page.goto(`${server.url}/records/new/card`);
    await saveScreenshot(page, 'new-record-1366');
    // The skip link, then Tab through the fields in order; Enter submits.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Ndiaye');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Awa');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown'); // category: the first choice after "choose", Adult
    await page.keyboard.press('Tab');
    await page.keyboard.type('03012026'); // en-US date picker: month, day, year
    // Chromium's date input keeps the focus for its own parts (segments, calendar button) first.
    const focused = () => page.evaluate<string | undefined>('document.activeElement?.id');
    for (let presses = 0; presses < 4 && (await focused()) !== 'f-branch'; presses += 1)
      await page.keyboard.press('Tab');
    expect(await focused()).toBe('f-branch');
    await page.keyboard.type('Centre');
    await page.keyboard.press('Tab');
    await page.keyboard.type('5');
    expect(await focused()).toBe('f-books_allowed');
    expect(await page.locator('#f-branch').inputValue()).toBe('Centre');
    expect(await page.locator('#f-category').inputValue()).toBe('adult');
    expect(await page.locator('#f-date_of_issue').inputValue()).toBe('2026-03-01');
    await Promise.all([page.waitForURL(/\/records\/C\d+/), page.keyboard.press('Enter')]);
    ref = /\/records\/(C\d+)/.exec(page.url())?.[1] ?? '';
    expect(ref).toMatch(/^C\d+$/);
    expect(await textOf(page.locator('main'))).toContain('saved as a draft');
    expect(await textOf(page.locator('main'))).toContain('Ndiaye');
    // An agent sees no Verify and no Validate button.
    expect(await page.getByRole('button', { name: 'Verify' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Validate/ }).count()).toBe(0);
    await saveScreenshot(page, 'record-agent-1366');
    await context.close();
  });

  test('an impossible date cannot be entered in the picker, and the server refuses one beside its field', async () => {
    const { page, context } = await browser.newPage({ extraHTTPHeaders: { 'accept-language': 'en' } });
    await logIn(page, 'agent', testPasswords.agent);
    await page.goto(`${server.url}/records/new/card`);
    expect(await page.locator('#f-date_of_issue').getAttribute('max')).toBe(today);
    expect(await page.locator('#f-date_of_issue').getAttribute('type')).toBe('date');
    // The picker holds no 30 February: the browser refuses or empties it.
    await page
      .locator('#f-date_of_issue')
      .fill('2026-02-30')
      .catch(() => {});
    expect(await page.locator('#f-date_of_issue').inputValue()).not.toBe('2026-02-30');
    // A hand-made POST with 30 February: refused, the message beside the field, the other values kept.
    await page.evaluate(`(() => {
      const form = document.querySelector('form[action="/records/new/card"]');
      const date = form.querySelector('#f-date_of_issue');
      date.type = 'text';
      date.value = '2026-02-30';
      form.querySelector('#f-holder_surname').value = 'Kept';
      form.submit();
    })()`);
    await page.waitForURL(/\/unfinished\/\d+|\/records\/new/);
    await page.waitForLoadState('load');
    const error = page.locator('#f-date_of_issue-error');
    expect(await textOf(error)).toContain('Not a date that exists');
    expect(await page.locator('#f-date_of_issue').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#f-date_of_issue').getAttribute('aria-describedby')).toMatch(
      /f-date_of_issue-error/,
    );
    expect(await page.locator('#f-holder_surname').inputValue()).toBe('Kept');
    expect(await textOf(page.locator('#f-branch-error'))).toContain('required');
    // The incomplete form was kept as an unfinished one, listed on the home page.
    expect(await textOf(page.locator('main'))).toContain('kept as unfinished form U');
    await saveScreenshot(page, 'form-errors-1366');
    await page.goto(`${server.url}/`);
    expect(await textOf(page.locator('main'))).toContain('My unfinished forms');
    await context.close();
  });

  test("an agent's forged validate POST is refused 403 and logged; a POST without the CSRF token is refused", async () => {
    const { page, context } = await browser.newPage({ extraHTTPHeaders: { 'accept-language': 'en' } });
    await logIn(page, 'agent', testPasswords.agent);
    await page.goto(`${server.url}/records/${ref}`);
    const token = await csrfOf(page);
    logLines.length = 0;
    const forged = await page.request.post(`${server.url}/records/${ref}/validate`, {
      form: { _csrf: token, password: testPasswords.agent },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('Not allowed');
    expect(logLines.some((line) => line.includes('"forbidden"') && line.includes('agent'))).toBe(true);
    const noToken = await page.request.post(`${server.url}/records/${ref}/verify`, {
      form: {},
      maxRedirects: 0,
    });
    expect(noToken.status()).toBe(403);
    expect(logLines.some((line) => line.includes('csrf-refused'))).toBe(true);
    await context.close();
  });

  test('the secretary verifies and the head validates with the password, and sees the NIU', async () => {
    const secretary = await browser.newPage({ extraHTTPHeaders: { 'accept-language': 'en' } });
    await logIn(secretary.page, 'secretary', testPasswords.secretary);
    expect(await textOf(secretary.page.locator('main'))).toContain('Cards to verify');
    await Promise.all([
      secretary.page.waitForNavigation(),
      secretary.page
        .getByRole('link', { name: new RegExp(`${ref} `) })
        .first()
        .click(),
    ]);
    expect(await secretary.page.getByRole('button', { name: /Validate/ }).count()).toBe(0);
    await submit(secretary.page, secretary.page.getByRole('button', { name: 'Verify' }));
    expect(await textOf(secretary.page.locator('main'))).toContain(`Card ${ref} is verified.`);
    await secretary.context.close();

    const head = await browser.newPage({ extraHTTPHeaders: { 'accept-language': 'en' } });
    await logIn(head.page, 'head', testPasswords.head);
    expect(await textOf(head.page.locator('main'))).toContain('Verified cards to validate');
    await saveScreenshot(head.page, 'home-head-1366');
    await head.page.goto(`${server.url}/records/${ref}`);
    await saveScreenshot(head.page, 'record-head-1366');
    await head.page.getByLabel(/Your password/).fill('wrong password');
    await submit(head.page, head.page.getByRole('button', { name: /Validate/ }));
    // A wrong password signs nothing, even the head's first signature (which makes the signing key).
    expect(await textOf(head.page.locator('.error-message'))).toContain('wrong password');
    expect(await textOf(head.page.locator('main'))).toContain('1 · new');
    await head.page.getByLabel(/Your password/).fill(testPasswords.head);
    await submit(head.page, head.page.getByRole('button', { name: /Validate/ }));
    expect(await textOf(head.page.locator('main'))).toMatch(/Its NIU: \S+/);
    const niu = /Its NIU: (\S+)/.exec((await head.page.locator('main').textContent()) ?? '')?.[1];
    expect(await textOf(head.page.locator('main'))).toContain('2 · validated');
    expect(await textOf(head.page.locator('main'))).toContain('the signature is valid');
    await saveScreenshot(head.page, 'record-validated-1366');
    await head.page.goto(`${server.url}/records?niu=${niu}`);
    expect(await textOf(head.page.locator('#results'))).toContain(ref);
    await head.page.goto(`${server.url}/records`);
    await saveScreenshot(head.page, 'records-1366');
    await head.page.goto(`${server.url}/users`);
    await saveScreenshot(head.page, 'users-1366');
    await head.page.goto(`${server.url}/sync`);
    await saveScreenshot(head.page, 'sync-1366');
    await head.context.close();
  });

  test('the record list updates as one types (htmx, served from this server, allowed by the CSP)', async () => {
    const { page, context } = await browser.newPage({ extraHTTPHeaders: { 'accept-language': 'en' } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('requestfailed', (request) => problems.push(request.url()));
    await logIn(page, 'secretary', testPasswords.secretary);
    await page.goto(`${server.url}/records`);
    const partial = page.waitForResponse(
      (response) =>
        response.url().includes('name=Zz') && response.request().headers()['hx-request'] === 'true',
    );
    await page.locator('#s-name').pressSequentially('Zz');
    await partial;
    await page.waitForFunction('document.querySelector("#results").textContent.includes("No card matches")');
    const again = page.waitForResponse(
      (response) =>
        response.url().includes('name=Ndi') && response.request().headers()['hx-request'] === 'true',
    );
    await page.locator('#s-name').fill('Ndi');
    await again;
    await page.waitForFunction(`document.querySelector("#results").textContent.includes("${ref}")`);
    expect(page.url()).toContain('name=Ndi');
    expect(await page.locator('h1').count()).toBe(1); // the results alone were swapped in, not a page
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a suspended user (privilege 0) cannot log in; repeated failures lock an account', async () => {
    const { page, context } = await browser.newPage({ extraHTTPHeaders: { 'accept-language': 'en' } });
    await logIn(page, 'gone', 'gone-password-1');
    expect(await textOf(page.locator('.error-message'))).toContain('suspended');
    expect(new URL(page.url()).pathname).toBe('/login');
    let message = '';
    for (let attempt = 0; attempt < 10 && !/locked/.test(message); attempt += 1) {
      await logIn(page, 'locky', 'wrong-password');
      message = (await page.locator('.error-message').textContent()) ?? '';
    }
    expect(message).toMatch(/locked after repeated wrong passwords, until \d{4}-\d{2}-\d{2} \d{2}:\d{2}\./);
    await logIn(page, 'locky', 'locky-password-1');
    expect(await textOf(page.locator('.error-message'))).toContain('locked');
    await saveScreenshot(page, 'login-locked-1366');
    await context.close();
    // Up to ten logins, each a password check with scrypt by design: more than the default 30 s on a busy machine.
  }, 90_000);

  test('French labels with Accept-Language: fr, and the switch back to English', async () => {
    const { page, context } = await browser.newPage({
      locale: 'fr-FR',
      extraHTTPHeaders: { 'accept-language': 'fr-FR,fr;q=0.9' },
    });
    await logIn(page, 'agent', testPasswords.agent);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await page.goto(`${server.url}/records/new/card`);
    expect(await textOf(page.locator('label[for="f-holder_surname"]'))).toContain('Nom du titulaire');
    expect(await textOf(page.locator('#f-category option[value="child"]'))).toBe('Enfant');
    expect(await page.getByRole('button', { name: 'Enregistrer le brouillon' }).isVisible()).toBe(true);
    // The register's own noun, feminine: "une carte", where the kit alone says "une fiche".
    expect(await textOf(page.locator('nav'))).toMatch(/Nouvelle carte.*Cartes/);
    expect(await textOf(page.locator('h1'))).toContain('Nouvelle carte');
    await page.goto(`${server.url}/records/${ref}`);
    expect(await textOf(page.locator('main'))).toContain('Signée par head');
    expect(await textOf(page.locator('main'))).toMatch(/rédigée.*validée et signée/s);
    expect(await textOf(page.locator('body'))).not.toMatch(/\bfiches?\b/i);
    await page.goto(`${server.url}/records/new/card`);
    await saveScreenshot(page, 'new-record-fr-1366');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'English' }).click()]);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await textOf(page.locator('label[for="f-holder_surname"]'))).toContain('Holder surname');
    await context.close();
  });

  test('every main page on a phone (390x844)', async () => {
    const { page, context } = await browser.newPage({
      viewport: { width: 390, height: 844 },
      extraHTTPHeaders: { 'accept-language': 'fr' },
    });
    await page.goto(`${server.url}/login`);
    await saveScreenshot(page, 'login-phone');
    await logIn(page, 'head', testPasswords.head);
    for (const [path, name] of [
      ['/', 'home'],
      ['/records/new/card', 'new-record'],
      ['/records', 'records'],
      [`/records/${ref}`, 'record'],
      ['/users', 'users'],
      ['/sync', 'sync'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      // Nothing wider than the screen but tables, which scroll in their own box.
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      expect(overflow, path).toBeLessThanOrEqual(0);
      // Every control within the screen, none in a box one must scroll sideways to reach (the users'
      // actions were, in their table's last column).
      const beyond = await page.evaluate<string[]>(
        `[...document.querySelectorAll('main button, main input:not([type=hidden]), main select')]
          .filter((element) => element.getBoundingClientRect().right > window.innerWidth)
          .map((element) => element.outerHTML.slice(0, 80))`,
      );
      expect(beyond, path).toEqual([]);
      await saveScreenshot(page, `${name}-phone`);
    }
    await context.close();
  });
});
