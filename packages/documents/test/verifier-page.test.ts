/**
 * The offline verifier page in Chromium with the network off: it loads a trust list, reads the QR
 * from an image file (jsQR, as headless Chromium on Linux has no BarcodeDetector) and checks the
 * signature with WebCrypto. Screenshots go to test-output/ (not committed) to be looked at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSeal,
  defaultTemplatePath,
  issueDocument,
  keyIdentifier,
  loadTemplateFile,
  type SealContent,
  trustListToText,
  verifierPageHtml,
} from '../src/index.js';
import { makeList, makePki, type Pki, sampleData, tamper } from './fixtures.js';

const output = join(import.meta.dirname, '..', 'test-output');
const now = new Date();

const content: SealContent = {
  issuer: 'CEC-0042',
  recordType: 'birth',
  documentKind: 'extract',
  niu: '2026-0042-000123',
  documentId: 'D-2026-000123',
  issuedAt: now,
  fields: {
    lastName: 'NDIAYE',
    firstName: 'Aïssatou Hélène',
    gender: 'F',
    dateOfBirth: '2026-03-14',
    placeOfBirth: 'Thiès',
  },
};

/** One 640x480 Y4M frame (4:2:0) filming a QR code of `text`, black on white, 6 pixels a module. */
function cameraFrame(text: string): Buffer {
  const width = 640;
  const height = 480;
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const scale = 6;
  const left = Math.floor((width - size * scale) / 2);
  const top = Math.floor((height - size * scale) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < size * scale; y += 1)
    for (let x = 0; x < size * scale; x += 1)
      if (data[Math.floor(y / scale) * size + Math.floor(x / scale)]) luma[(top + y) * width + left + x] = 16;
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  return Buffer.concat([
    Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\nFRAME\n`),
    luma,
    chroma,
  ]);
}

describe('offline verifier page', () => {
  let browser: Browser;
  let page: Page;
  let pki: Pki;
  const requests: string[] = [];

  beforeAll(async () => {
    mkdirSync(output, { recursive: true });
    pki = await makePki();
    writeFileSync(join(output, 'verifier.html'), verifierPageHtml());
    const seal = createSeal(content, pki.site);
    const forged = createSeal({ ...content, fields: { ...content.fields, lastName: 'DIOP' } }, pki.other);
    const altered = tamper(seal, (claims) => ({
      ...claims,
      fields: { ...claims.fields, dateOfBirth: '2016-03-14' },
    }));
    writeFileSync(
      join(output, 'altered.png'),
      await QRCode.toBuffer(altered, { errorCorrectionLevel: 'M', scale: 4 }),
    );
    writeFileSync(
      join(output, 'good.png'),
      await QRCode.toBuffer(seal, { errorCorrectionLevel: 'M', scale: 4 }),
    );
    writeFileSync(
      join(output, 'revoked-signer.png'),
      await QRCode.toBuffer(forged, { errorCorrectionLevel: 'M', scale: 4 }),
    );
    writeFileSync(
      join(output, 'other.png'),
      await QRCode.toBuffer('https://example.org/acte/42', { scale: 6 }),
    );
    writeFileSync(
      join(output, 'list-1.txt'),
      trustListToText(makeList(pki, 1, { expiresAt: new Date(now.getTime() + 86_400_000) })),
    );
    writeFileSync(
      join(output, 'list-2.txt'),
      trustListToText(
        makeList(pki, 2, {
          expiresAt: new Date(now.getTime() + 86_400_000),
          revocations: [
            { keyIdentifier: keyIdentifier(pki.other.certificate), revokedAt: now, reason: 'keyCompromise' },
          ],
        }),
      ),
    );
    const document = await issueDocument({
      template: loadTemplateFile(defaultTemplatePath('birth-copy')),
      data: sampleData('birth'),
      issuer: 'CEC-0042',
      niu: '2026-0042-000124',
      documentId: 'D-2026-000124',
      issuedAt: now,
      signer: pki.site,
    });
    writeFileSync(join(output, 'birth-copy.pdf'), document.pdf);
    execFileSync('pdftoppm', [
      '-r',
      '150',
      '-jpeg',
      '-singlefile',
      join(output, 'birth-copy.pdf'),
      join(output, 'scanned-page'),
    ]);
    writeFileSync(join(output, 'camera.y4m'), cameraFrame(seal));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        // The camera: a fake device that films the seal (a Y4M frame made below), permission granted.
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${join(output, 'camera.y4m')}`,
      ],
    });
    const context = await browser.newContext({
      offline: true,
      viewport: { width: 412, height: 915 },
      locale: 'fr-FR',
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    page = await context.newPage();
    await page.goto(pathToFileURL(join(output, 'verifier.html')).href);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function scan(file: string) {
    await page.setInputFiles('#image-file', join(output, file));
    await page.locator('#result').waitFor({ state: 'visible' });
    const verdict = await page.textContent('#verdict');
    const reason = await page.textContent('#reason');
    const className = await page.getAttribute('#result', 'class');
    return { verdict, reason, className };
  }

  it('shows green and the fields, large, for a good document', async () => {
    await page.setInputFiles('#trust-file', join(output, 'list-1.txt'));
    await expect.poll(() => page.textContent('#trust-status')).toContain('Liste n° 1');
    const result = await scan('good.png');
    expect(result).toMatchObject({ verdict: '✔ VALIDE', className: 'result ok' });
    expect(await page.textContent('#fields')).toContain('Aïssatou Hélène');
    await page.screenshot({ path: join(output, 'valid-fr.png'), fullPage: true });
  });

  it('reads the seal from a whole page scanned as JPEG', async () => {
    const result = await scan('scanned-page.jpg');
    expect(result).toMatchObject({ verdict: '✔ VALIDE', className: 'result ok' });
    expect(await page.textContent('#fields')).toContain('2026-0042-000124');
  });

  it('shows red for an altered document (one date changed)', async () => {
    const result = await scan('altered.png');
    expect(result).toMatchObject({ verdict: '✘ NON VALIDE', className: 'result bad' });
    expect(result.reason).toContain('le document a été modifié');
    await page.screenshot({ path: join(output, 'altered-fr.png'), fullPage: true });
  });

  it('shows red with the reason for a revoked signer, and in English', async () => {
    await page.click('#language');
    await page.setInputFiles('#trust-file', join(output, 'list-2.txt'));
    await expect.poll(() => page.textContent('#trust-status')).toContain('List no. 2');
    const result = await scan('revoked-signer.png');
    expect(result).toMatchObject({ verdict: '✘ INVALID', className: 'result bad' });
    expect(result.reason).toContain('revoked');
    await page.screenshot({ path: join(output, 'revoked-en.png'), fullPage: true });
  });

  it('reads the seal from the camera and stops it', async () => {
    await page.click('#camera');
    await page.locator('#result').waitFor({ state: 'visible' });
    expect(await page.textContent('#verdict')).toBe('✔ VALID');
    await expect.poll(() => page.isHidden('#video')).toBe(true);
    await page.screenshot({ path: join(output, 'camera-en.png'), fullPage: true });
  });

  it('written with the national CA, takes no list under another CA, even the first', async () => {
    const stranger = await makePki();
    writeFileSync(join(output, 'pinned.html'), verifierPageHtml({ nationalCa: pki.root }));
    writeFileSync(join(output, 'stranger-list.txt'), trustListToText(makeList(stranger, 7)));
    const context = await browser.newContext({ offline: true, locale: 'en-GB' });
    try {
      const pinned = await context.newPage();
      await pinned.goto(pathToFileURL(join(output, 'pinned.html')).href);
      await pinned.setInputFiles('#trust-file', join(output, 'stranger-list.txt'));
      await expect
        .poll(() => pinned.textContent('#trust-status'))
        .toContain('List refused: it is under another CA');
      await pinned.setInputFiles('#trust-file', join(output, 'list-1.txt'));
      await expect.poll(() => pinned.textContent('#trust-status')).toContain('List no. 1');
    } finally {
      await context.close();
    }
  });

  it('refuses an older trust list, and says another QR code is not ours', async () => {
    await page.setInputFiles('#trust-file', join(output, 'list-1.txt'));
    await expect.poll(() => page.textContent('#trust-status')).toContain('List refused: no. 1 is older');
    expect((await scan('other.png')).reason).toContain('Not a document seal');
    expect(requests).toEqual([]);
  });
});
