import { createSiteKit, saveSiteIdentity } from '@xmcomm/site-kit';
import { createTestKit, type TestKit, testPasswords } from '@xmcomm/site-kit/testing';
import type { WebApp } from '@xmcomm/web-kit';
import {
  browserUnavailable,
  launchBrowser,
  saveScreenshot,
  startApp,
  type TestBrowser,
} from '@xmcomm/web-kit/testing';
import { createWorkstation, type WorkstationUser } from '@xmcomm/workstation';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jurisRecordTypes, jurisRoleNames } from '../src/record-types.js';
import { kobila } from './fixtures.js';

// A court's workstation in Debian's chromium, in French: an agent types the brochure's entry, a
// secretary verifies it, the greffier signs it and it gets its NIU. Screenshots go to
// test-artifacts/screenshots/xmjuris-*.

const unavailable = browserUnavailable();
const today = '2026-12-07';
let court: TestKit;
let web: WebApp<WorkstationUser>;
let server: { url: string; close(): Promise<void> };
let browser: TestBrowser;

beforeAll(async () => {
  if (unavailable) return;
  court = await createTestKit({ recordTypes: jurisRecordTypes, today: () => today });
  const db = court.database.db;
  await saveSiteIdentity(db, { matricule: 'TGI-GB-01', centreCode: '200701', name: 'Garoua-Boulai' });
  const kit = createSiteKit({
    db,
    recordTypes: jurisRecordTypes,
    centre: { matricule: 'TGI-GB-01', centreCode: '200701' },
    today: () => today,
    roleNames: jurisRoleNames,
  });
  web = await createWorkstation({
    kit,
    db,
    appTitle: { en: 'Criminal record · Garoua-Boulai', fr: 'Casier judiciaire · Garoua-Boulai' },
    dateBounds: (_type, field) => (field === 'bans_until' ? {} : { max: today }),
    logger: false,
  });
  server = await startApp(web.fastify);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await court?.close();
});

async function logIn(page: Page, login: string, password: string) {
  await page.goto(`${server.url}/login`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([page.waitForNavigation(), page.locator('form button[type="submit"]').first().click()]);
}

const french = { locale: 'fr-FR', extraHTTPHeaders: { 'accept-language': 'fr' } };
const mainText = async (page: Page) => (await page.locator('main').first().textContent()) ?? '';

describe.skipIf(unavailable)('a court workstation in chromium', () => {
  test('an agent types an entry, a secretary verifies it, the greffier signs it', async () => {
    const agent = await browser.newPage(french);
    await logIn(agent.page, 'agent', testPasswords.agent);
    await agent.page.goto(`${server.url}/records/new/entry`);
    expect(await mainText(agent.page)).toContain('Nature des infractions');
    await saveScreenshot(agent.page, 'xmjuris-new-entry-fr');
    for (const [field, value] of Object.entries(kobila)) {
      const input = agent.page.locator(`#f-${field}`);
      const tag = await input.evaluate((element) => element.tagName);
      if (tag === 'SELECT') await input.selectOption(String(value));
      else if ((await input.getAttribute('type')) === 'checkbox') await input.setChecked(value === true);
      else await input.fill(String(value));
    }
    await Promise.all([
      agent.page.waitForURL(/\/records\/J\d+/),
      agent.page.locator('form[method="post"] button[type="submit"]').last().click(),
    ]);
    const ref = /\/records\/(J\d+)/.exec(agent.page.url())?.[1] ?? '';
    expect(await mainText(agent.page)).toContain('Kobila');
    await saveScreenshot(agent.page, 'xmjuris-entry-drafted-fr');
    await agent.context.close();

    const secretary = await browser.newPage(french);
    await logIn(secretary.page, 'secretary', testPasswords.secretary);
    await secretary.page.goto(`${server.url}/records/${ref}`);
    expect(await secretary.page.locator(`form[action$="/validate"]`).count()).toBe(0);
    await Promise.all([
      secretary.page.waitForNavigation(),
      secretary.page.locator(`form[action$="/verify"] button`).click(),
    ]);
    await secretary.context.close();

    const greffier = await browser.newPage(french);
    await logIn(greffier.page, 'head', testPasswords.head);
    expect(await mainText(greffier.page)).toContain('greffier');
    await greffier.page.goto(`${server.url}/records/${ref}`);
    await greffier.page.locator(`form[action$="/validate"] input[type="password"]`).fill(testPasswords.head);
    await Promise.all([
      greffier.page.waitForNavigation(),
      greffier.page.locator(`form[action$="/validate"] button`).click(),
    ]);
    expect(await mainText(greffier.page)).toMatch(/200701-2026-\d{7}-\d{2}/);
    await saveScreenshot(greffier.page, 'xmjuris-entry-signed-fr');
    await greffier.context.close();
    // Three users through the workflow in chromium: 27 s alone, more on a loaded 2-core machine.
  }, 120_000);
});
