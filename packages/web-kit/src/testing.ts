import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Debian's chromium: the only browser the tests drive (no browser download). */
export const chromiumPath = '/usr/bin/chromium';

export const chromiumArguments = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
] as const;

/** Starts `app` on 127.0.0.1 at a free port; returns its base URL. */
export async function startApp(app: FastifyInstance): Promise<{ url: string; close(): Promise<void> }> {
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: address, close: () => app.close() };
}

/**
 * Why browser tests cannot run here, or undefined when they can. Without chromium they are skipped
 * with this message locally; under CI (CI set) the same absence is a failure, never a silent skip.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  const message = `${chromiumPath} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests`;
  if (process.env.CI) throw new Error(message);
  return message;
}

export interface TestBrowser {
  readonly browser: Browser;
  /** A new context (its own cookies) and page at this viewport; default 1366x768. */
  newPage(options?: {
    viewport?: { width: number; height: number };
    locale?: string;
    extraHTTPHeaders?: Record<string, string>;
  }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * Launches chromium headless. Playwright gives each launch a fresh temporary user-data directory
 * (and removes it on close): no profile, cache or cookie survives from one run to the next.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArguments],
  });
  return {
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1366, height: 768 },
        ...(options.locale ? { locale: options.locale } : {}),
        ...(options.extraHTTPHeaders ? { extraHTTPHeaders: options.extraHTTPHeaders } : {}),
      });
      return { context, page: await context.newPage() };
    },
    async close() {
      await browser.close();
    },
  };
}

/** The folder screenshots go to (gitignored): `test-artifacts/screenshots/` at the repository root. */
export const screenshotDirectory = resolve(import.meta.dirname, '../../../test-artifacts/screenshots');

/** Saves a full-page screenshot as `<name>.png`; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDirectory, { recursive: true });
  const path = join(screenshotDirectory, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
