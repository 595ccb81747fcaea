/**
 * The offline verifier page: one HTML file with every script inlined (jsQR as the QR decoder where
 * the browser has no BarcodeDetector), which a phone or PC opens from disk with no network at all.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const PAGE_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'verifier-page');

export interface VerifierPageOptions {
  /**
   * The national CA's certificate (DER): the page then takes no trust list under another CA, even
   * the first one it is given. Without it the page keeps the first list's CA (shown) from then on.
   */
  readonly nationalCa?: Uint8Array;
}

/** The page's HTML, self-contained. */
export function verifierPageHtml(options: VerifierPageOptions = {}): string {
  const html = readFileSync(join(PAGE_FOLDER, 'verifier.html'), 'utf8');
  const verifier = readFileSync(join(PAGE_FOLDER, 'verifier.js'), 'utf8');
  const jsQR = readFileSync(join(dirname(require.resolve('jsqr')), 'jsQR.js'), 'utf8');
  // Inlined scripts must not close their <script> element early.
  const safe = (script: string) => script.replace(/<\/script/gi, '<\\/script');
  const pin = options.nationalCa
    ? `<meta name="xmcomm-national-ca" content="${createHash('sha256').update(options.nationalCa).digest('hex')}">`
    : '';
  return html
    .replace('<!--NATIONAL-CA-->', pin)
    .replace('/*JSQR*/', () => safe(jsQR))
    .replace('/*VERIFIER*/', () => safe(verifier));
}
