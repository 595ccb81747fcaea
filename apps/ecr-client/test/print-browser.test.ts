import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTrustList, readQrFromPdf, readTrustList, verifySeal } from '@xmcomm/documents';
import { CertificateAuthority, generateKeyPair } from '@xmcomm/pki';
import type { SiteDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { browserUnavailable, launchBrowser, saveScreenshot, type TestBrowser } from '@xmcomm/web-kit/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../src/index.js';
import { birth } from './fixtures.js';

// The workstation's Print button in Debian's chromium: `ecr serve` in this process, a centre set up
// with the CLI (in-process too), its document key certified by a test CA. The secretary prints an
// extract; the downloaded PDF, rasterised by pdftoppm, carries a seal that verifies.

const unavailable = browserUnavailable();
const matricule = `PRT-${process.pid}`;
const passwords = { chef: 'officer-password', sec: 'secretary-password', ali: 'agent-password' };
let dir = '';
let database: TestDatabase<SiteDatabase> | undefined;
let browser: TestBrowser | undefined;
let serving: Promise<number> | undefined;
const stopServing = new AbortController();
const served: string[] = [];
let baseUrl = '';
let trustList: Uint8Array;
let ref = '';

const env = (): Record<string, string> => ({
  ECR_DATA_DIR: dir,
  ECR_USER: 'chef',
  ECR_PASSWORD: passwords.chef,
  ECR_DOCUMENT_KEY_PASSPHRASE: 'the document key passphrase',
  ECR_LANG: 'en',
});

async function ecr(args: string[], extra: Record<string, string> = {}) {
  let out = '';
  const code = await runCli(args, {
    env: { ...env(), ...extra },
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      out += text;
    },
  });
  if (code !== 0) throw new Error(`ecr ${args.join(' ')} exited ${code}: ${out}`);
  return out;
}

beforeAll(async () => {
  if (unavailable) return;
  dir = await mkdtemp(join(tmpdir(), 'ecr-print-web-'));
  if (process.env.DATABASE_URL) database = await createTestDatabase<SiteDatabase>();
  await ecr(
    [
      ...['init', '--database-url', database?.url ?? join(dir, 'db'), '--matricule', matricule],
      ...['--centre-code', '102035', '--name', 'Douala 2', '--officer', 'chef', '--no-key'],
    ],
    { ECR_NEW_PASSWORD: passwords.chef },
  );
  await ecr(['user', 'add', 'sec', '--role', 'secretary'], { ECR_NEW_PASSWORD: passwords.sec });
  await ecr(['user', 'add', 'ali', '--role', 'agent'], { ECR_NEW_PASSWORD: passwords.ali });
  await ecr(['document-key', 'create']);
  const root = await CertificateAuthority.createRoot({ subject: { commonName: 'Test National CA' } });
  const certificate = await root.ca.issueCertificate({
    csr: await readFile(join(dir, 'document.csr.pem'), 'utf8'),
    profile: 'signatory',
    subject: { commonName: `${matricule} documents` },
  });
  await writeFile(join(dir, 'document-cert.issued.pem'), certificate.pem);
  await ecr(['document-key', 'import', join(dir, 'document-cert.issued.pem')]);
  const lister = await generateKeyPair();
  const listerCertificate = await root.ca.issueCertificate({
    publicKey: lister.publicKey,
    profile: 'server',
    subject: { commonName: 'trust list' },
  });
  trustList = createTrustList(
    {
      sequence: 1,
      issuedAt: new Date(),
      expiresAt: new Date('2030-01-01T00:00:00Z'),
      issuer: 'test',
      caCertificate: root.certificate.der,
      signers: [{ certificate: certificate.der, label: matricule }],
      revocations: [],
    },
    { privateKey: lister.privateKey, chain: [listerCertificate.der] },
  );
  await writeFile(join(dir, 'act.json'), JSON.stringify({ ...birth, child_given_names: 'Hélène' }));
  ref = (
    JSON.parse(
      await ecr(['--json', 'act', 'new', 'birth', '--file', join(dir, 'act.json')], {
        ECR_USER: 'ali',
        ECR_PASSWORD: passwords.ali,
      }),
    ) as { ref: string }
  ).ref;
  await ecr(['act', 'verify', ref], { ECR_USER: 'sec', ECR_PASSWORD: passwords.sec });
  await ecr(['act', 'validate', ref]);

  let announced: (url: string) => void = () => {};
  const address = new Promise<string>((resolve) => {
    announced = resolve;
  });
  serving = runCli(['serve', '--port', '0'], {
    env: env(),
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
  await database?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function logIn(page: Page, login: string, password: string) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

/** A POST from the page's own session, as a forged form would send it. */
const post = (page: Page, path: string, withToken: boolean) =>
  page.evaluate(
    async ([target, token]) => {
      const body = new URLSearchParams({ kind: 'extract', language: 'fr' });
      // The page's DOM, in the browser (this package's types have no DOM lib): only what is used.
      const dom = (
        globalThis as unknown as { document: { querySelector(selector: string): { value: string } | null } }
      ).document;
      const input = dom.querySelector('input[name="_csrf"]');
      if (token && input) body.set('_csrf', input.value);
      const response = await fetch(target, { method: 'POST', body });
      return response.status;
    },
    [path, withToken] as const,
  );

describe.skipIf(unavailable)('the Print button of a validated record', () => {
  test('the secretary prints an extract; the downloaded PDF carries a seal that verifies', async () => {
    const { context, page } = await (browser as TestBrowser).newPage({
      extraHTTPHeaders: { 'accept-language': 'fr' },
    });
    await logIn(page, 'sec', passwords.sec);
    await page.goto(`${baseUrl}/records/${ref}`);
    await saveScreenshot(page, 'ecr-print-record-fr-1366');
    await page.getByLabel('Document', { exact: true }).selectOption('extract');
    await page.getByLabel('Langue des dates et des valeurs').selectOption('en');
    await saveScreenshot(page, 'ecr-print-button-fr-1366');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Imprimer' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${ref}-extract-102035-D\\d{6}\\.pdf$`));
    const file = join(dir, 'downloaded.pdf');
    await download.saveAs(file);
    const seal = await readQrFromPdf(file);
    const verdict = verifySeal(seal ?? '', readTrustList(trustList), { at: new Date(Date.now() + 60_000) });
    expect(verdict.status).toBe('VALID');
    if (verdict.status === 'VALID') {
      expect(verdict.content).toMatchObject({
        issuer: matricule,
        documentKind: 'extract',
        fields: { firstName: 'Hélène' },
      });
      expect(verdict.content.documentId).toMatch(/^102035-D\d{6}$/);
    }
    // The act's history says it in words: the document printed, its id and template.
    await page.goto(`${baseUrl}/records/${ref}`);
    const documentId = /-(102035-D\d{6})\.pdf$/.exec(download.suggestedFilename())?.[1] ?? '';
    const printedLine = page.locator('tr', { hasText: documentId });
    expect(await printedLine.innerText()).toMatch(
      new RegExp(`imprimé Extrait · document ${documentId} · modèle birth-extract v2\\s+sec`),
    );
    await saveScreenshot(page, 'ecr-print-history-fr-1366');
    // Without the form's token the same POST is refused.
    expect(await post(page, `/records/${ref}/print`, false)).toBe(403);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/records/${ref}`);
    await saveScreenshot(page, 'ecr-print-button-fr-390');
    await context.close();
  }, 90_000);

  test('an agent sees no Print button, and a forged POST from the agent is a 403', async () => {
    const { context, page } = await (browser as TestBrowser).newPage();
    await logIn(page, 'ali', passwords.ali);
    await page.goto(`${baseUrl}/records/${ref}`);
    expect(await page.getByRole('button', { name: 'Print' }).count()).toBe(0);
    expect(await post(page, `/records/${ref}/print`, true)).toBe(403);
    await context.close();
  }, 60_000);
});
