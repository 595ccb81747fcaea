import { randomBytes } from 'node:crypto';
import { setTariff, syncCharging } from '@xmcomm/billing';
import { certificateRequestToPem, createCertificateRequest, generateKeyPair } from '@xmcomm/pki';
import { type AnyTable, exchangedTables, type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, sampleBirth, type TestDatabase } from '@xmcomm/schema/testing';
import { createServerSync, createSiteSync } from '@xmcomm/status-sync';
import {
  browserUnavailable,
  launchBrowser,
  saveScreenshot,
  startApp,
  type TestBrowser,
} from '@xmcomm/web-kit/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// The stand-in codec of status-sync's own tests (HMAC per matricule): the console shows what the
// server applied; the real CMS codec is tested where it lives.
import { createFakeCodec } from '../../../packages/status-sync/test/helpers/fake-codec.js';
import { type ConsoleFixture, createConsoleFixture } from './helpers/console.js';

// The console in Debian's chromium: an operator logs in, registers a site, credits its account;
// the site syncs in-process and the monitor shows its container within seconds; the statement shows
// the credit and the charge. A read-only user sees the statement but no Credit button and a forged
// POST is 403; a suspended operator, a POST without CSRF token and a lockout are refused.
// Screenshots of each page at 1366x768 and 390 px go to test-artifacts/screenshots/.

const unavailable = browserUnavailable();
const serverName = 'xmserver';
const siteMatricule = 'EBO-2';
const centreCode = '300202';
let f: ConsoleFixture;
let server: { url: string; close(): Promise<void> };
let browser: TestBrowser;
let site: TestDatabase<SiteDatabase>;

beforeAll(async () => {
  if (unavailable) return;
  f = await createConsoleFixture({ authPolicy: { maxFailures: 3 } });
  await setTariff(f.database.db, { service: 'sds-export', perRow: 25 });
  site = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
  server = await startApp(f.web.fastify);
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await site?.close();
  await f?.close();
});

async function logIn(page: Page, login: string, password: string) {
  await page.goto(`${server.url}/login`);
  await page.fill('#f-login', login);
  await page.fill('#f-password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
}

async function submit(page: Page, selector: string) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

const mainText = async (page: Page) => (await page.locator('main').textContent()) ?? '';

/** The page as it is at 1366x768, then at 390 px wide (the same page: a POST's answer too). */
async function shoot(page: Page, name: string) {
  await saveScreenshot(page, `console-${name}-1366`);
  await page.setViewportSize({ width: 390, height: 844 });
  await saveScreenshot(page, `console-${name}-390`);
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** Validated births at the site, exported and applied by the server's sync, receipts back. */
async function siteSyncs(count: number) {
  const keys = new Map([
    [serverName, randomBytes(32)],
    [siteMatricule, randomBytes(32)],
  ]);
  const codec = createFakeCodec({ keys, tables: exchangedTables as readonly AnyTable[] });
  for (let i = 0; i < count; i++) {
    const { numero } = await site.db
      .insertInto('xm_data.births')
      .values({ ...sampleBirth, child_given_names: `Child ${i}` } as never)
      .returning('numero')
      .executeTakeFirstOrThrow();
    await site.db
      .updateTable('xm_data.births')
      .set({ status: 2, niu: `${centreCode}-B${process.pid}-${i}` })
      .where('numero', '=', numero)
      .execute();
  }
  const siteSync = createSiteSync({
    db: site.db,
    codec,
    matricule: siteMatricule,
    serverMatricule: serverName,
    retry: { initialMs: 0, jitter: 0 },
  });
  const serverSync = createServerSync({
    db: f.database.db,
    codec,
    serverMatricule: serverName,
    charging: syncCharging('xmserver-test'),
  });
  await siteSync.exportRows();
  let applied = 0;
  for (const item of await siteSync.nextItems(100)) {
    await siteSync.markSent(item.id);
    const outcome = await serverSync.applyContainer(item.payload);
    if (outcome.status === 'applied') applied += 1;
    for (const reply of outcome.replies) await siteSync.receive(reply);
  }
  return applied;
}

describe.skipIf(unavailable)('console in chromium', () => {
  test('an operator registers a site and credits it; the site syncs, the monitor shows it, the statement the charge', async () => {
    const { page, context } = await browser.newPage({
      locale: 'en-US',
      extraHTTPHeaders: { 'accept-language': 'en' },
    });
    await page.goto(`${server.url}/login`);
    await shoot(page, 'login');
    await logIn(page, 'clerk', f.passwords.clerk);
    expect(await mainText(page)).toContain('Licence use');
    await shoot(page, 'dashboard');

    await page.click('text=Clients');
    await page.click('text=Register a client');
    await shoot(page, 'client-new');
    await page.fill('#f-name', 'Centre Ebolowa II');
    await page.fill('#f-matricule', siteMatricule);
    await page.fill('#f-centreCode', centreCode);
    await page.fill('#f-locality', 'Ebolowa');
    await page.fill('#f-region', 'Sud');
    await page.fill('#f-contact', 'ebolowa2@example.cm');
    await submit(page, 'form[action="/clients"] button[type="submit"]');
    expect(page.url()).toContain(`/clients/${siteMatricule}?done=registered`);
    expect(await mainText(page)).toContain(`Client ${siteMatricule} registered.`);

    await page.fill('#f-amount', '50000');
    await page.fill('#f-reference', 'REC-2026-001');
    await submit(page, 'form[action$="/credit"] button[type="submit"]');
    expect(await page.locator('[data-figure="balance"]').textContent()).toContain('50000 XAF');
    expect(await page.locator('table.statement').textContent()).toContain('REC-2026-001');

    await page.goto(`${server.url}/monitor`);
    expect(await mainText(page)).toContain('Nothing received yet.');
    expect(await siteSyncs(3)).toBe(1);
    // htmx polls every 3 seconds: the container appears without a reload.
    await page.locator('table.containers', { hasText: siteMatricule }).waitFor({ timeout: 10_000 });
    expect(await page.locator('table.containers tbody tr').first().textContent()).toContain('births');
    await shoot(page, 'monitor');

    await page.goto(`${server.url}/clients/${siteMatricule}`);
    const statement = (await page.locator('table.statement').textContent()) ?? '';
    expect(statement).toContain('charge');
    expect(statement).toContain('-75');
    expect(await page.locator('[data-figure="balance"]').textContent()).toContain('49925 XAF');
    await shoot(page, 'client');

    // Its bills (`client bill`): this month's has the charge of the sync.
    await page.click('a[href$="/bills"]');
    expect(await page.locator('table.bills tbody tr').count()).toBe(12);
    await shoot(page, 'bills');
    const today = new Date();
    const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1))
      .toISOString()
      .slice(0, 10);
    await page.fill('#f-from', first);
    await page.fill('#f-to', today.toISOString().slice(0, 10));
    await submit(page, 'form[action$="/bill"] button[type="submit"]');
    expect(await page.locator('[data-figure="bill-total"]').textContent()).toBe('75 XAF');
    await shoot(page, 'bill');
    // Its profile (`client profile` sends it; `client update` changes it).
    await page.goto(`${server.url}/clients/${siteMatricule}/profile`);
    expect(await page.locator('[data-profile]').textContent()).toContain('Sud');
    await shoot(page, 'profile');

    await page.goto(`${server.url}/clients?q=ebolowa`);
    expect(await mainText(page)).toContain('Centre Ebolowa II');
    await shoot(page, 'clients');
    await page.goto(`${server.url}/statistics`);
    expect(await page.locator('[data-figure="acts-total"]').textContent()).toBe('3');
    // Tables by their label in the user's language, not their SQL name.
    expect(await page.locator('table.by-site tbody').textContent()).toContain('Birth');
    // By sex (the child's, as the contract declares it) and by the sending site's region.
    expect(await page.locator('table[data-axis="region"] tr[data-key="Sud"] td.num').textContent()).toBe('3');
    expect(await page.locator('table[data-axis="sex"] tr[data-key="female"] td.num').textContent()).toBe('3');
    await shoot(page, 'statistics');
    // The CSV is `xmserver report`'s output, figure for figure.
    const csv = await page.evaluate<string>(`fetch('/statistics.csv').then((r) => r.text())`);
    const report = await f.run(['report']);
    expect(csv).toBe(report.stdout);
    expect(csv).toContain(`${siteMatricule},births,`);
    await page.goto(`${server.url}/tariffs`);
    expect(await mainText(page)).toContain('sds-export');
    await shoot(page, 'tariffs');
    await page.goto(`${server.url}/`);
    expect(await page.locator('[data-figure="containers-hour"]').textContent()).toBe('1');
    await shoot(page, 'dashboard-after-sync');
    await context.close();
  }, 180_000);

  test('a supervisor sees the users page, uploads a site CSR and sees its certificate; French on the switch', async () => {
    const { page, context } = await browser.newPage({
      locale: 'en-US',
      extraHTTPHeaders: { 'accept-language': 'en' },
    });
    await logIn(page, 'admin', f.passwords.admin);
    await page.click('text=Users');
    expect(await mainText(page)).toContain('Add a user');
    await shoot(page, 'users');
    await page.click('nav.main-nav >> text=Licence');
    expect(await mainText(page)).toContain('Enter a licence key');
    await shoot(page, 'licence');
    // A site's certificate request uploaded from its page (a file input): `client enrol` issues it.
    await page.goto(`${server.url}/clients/${siteMatricule}`);
    const keys = await generateKeyPair();
    const csr = certificateRequestToPem(
      await createCertificateRequest({ privateKey: keys.privateKey, subject: { commonName: siteMatricule } }),
    );
    await page.setInputFiles('#f-csr', {
      name: 'site.csr',
      mimeType: 'application/pkcs10',
      buffer: Buffer.from(csr),
    });
    await submit(page, 'form[action$="/enrol"] button[type="submit"]');
    expect(await mainText(page)).toContain('issued: download it below and send it to the site.');
    expect(await page.locator('table.certificates tbody tr').count()).toBe(1);
    await shoot(page, 'client-certificates');
    await page.click('nav.main-nav >> text=Signatories');
    await shoot(page, 'signatories');
    await page.click('nav.main-nav >> text=Trust list');
    await shoot(page, 'trust-list');
    await page.click('nav.main-nav >> text=Users');
    await submit(page, 'header a.lang');
    expect(await mainText(page)).toContain('Ajouter un utilisateur');
    await saveScreenshot(page, 'console-users-fr-1366');
    await page.goto(`${server.url}/statistics`);
    expect(await mainText(page)).toContain('Par région du site émetteur');
    await saveScreenshot(page, 'console-statistics-fr-1366');
    await page.goto(`${server.url}/tariffs`);
    expect(await mainText(page)).toContain('Terminer');
    await saveScreenshot(page, 'console-tariffs-fr-1366');
    await context.close();
  }, 180_000);

  test('a read-only user sees the statement but no Credit button; a forged POST is 403', async () => {
    const { page, context } = await browser.newPage({
      locale: 'en-US',
      extraHTTPHeaders: { 'accept-language': 'en' },
    });
    await logIn(page, 'reader', f.passwords.reader);
    await page.goto(`${server.url}/clients/${siteMatricule}`);
    expect(await page.locator('table.statement').textContent()).toContain('REC-2026-001');
    expect(await page.locator('button', { hasText: 'Credit' }).count()).toBe(0);
    await shoot(page, 'client-read-only');
    await page.goto(`${server.url}/clients/${siteMatricule}/profile`);
    expect(await page.locator('button', { hasText: 'Send the profile' }).count()).toBe(0);
    await shoot(page, 'profile-read-only');
    await page.goto(`${server.url}/clients/${siteMatricule}`);
    // A forged POST from the page itself, with the session's valid CSRF token.
    const status = await page.evaluate<number>(`(async () => {
      const csrf = document.querySelector('input[name="_csrf"]').value;
      const response = await fetch('/clients/${siteMatricule}/credit', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, amount: '1000000' }),
      });
      return response.status;
    })()`);
    expect(status).toBe(403);
    await page.goto(`${server.url}/clients/${siteMatricule}`);
    expect(await page.locator('[data-figure="balance"]').textContent()).toContain('49925 XAF');
    await context.close();
  }, 180_000);

  test('refused: a suspended operator, a form without its CSRF token, a locked account', async () => {
    const { page, context } = await browser.newPage({
      locale: 'en-US',
      extraHTTPHeaders: { 'accept-language': 'en' },
    });
    await logIn(page, 'gone', f.passwords.gone);
    expect(await mainText(page)).toContain('This account is suspended.');
    await shoot(page, 'login-suspended');

    await logIn(page, 'clerk', f.passwords.clerk);
    await page.goto(`${server.url}/clients/${siteMatricule}`);
    await page.evaluate(
      `for (const input of document.querySelectorAll('form[action$="/credit"] input[name="_csrf"]')) input.remove()`,
    );
    await page.fill('#f-amount', '1000');
    await submit(page, 'form[action$="/credit"] button[type="submit"]');
    expect(await mainText(page)).toContain('This form is no longer valid');
    await page.goto(`${server.url}/clients/${siteMatricule}`);
    expect(await page.locator('[data-figure="balance"]').textContent()).toContain('49925 XAF');
    await context.close();

    const other = await browser.newPage({ locale: 'en-US', extraHTTPHeaders: { 'accept-language': 'en' } });
    for (let i = 0; i < 3; i++) await logIn(other.page, 'locky', `wrong password ${i}`);
    await logIn(other.page, 'locky', f.passwords.locky);
    expect(await mainText(other.page)).toContain('this account is locked until');
    await shoot(other.page, 'login-locked');
    await other.context.close();
  }, 120_000);
});
