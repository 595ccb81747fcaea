/** The QR code of a seal as it is printed: one alphanumeric segment, error correction M (`qrcode`). */
import { createRequire } from 'node:module';
import type QRCodeModule from 'qrcode';

// Required on first use: loading the encoder slows the start of every command that imports this package.
const require = createRequire(import.meta.url);

export interface QrSize {
  readonly version: number;
  readonly modules: number;
}

/** Every character of a seal (Base45 and its `XM1:` prefix) is in the QR alphanumeric set. */
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

/**
 * The modules of `text`'s QR code at error correction M, one byte per module (1 = dark), row by
 * row. Seal text is one alphanumeric segment, as pdfmake's `qr` node encoded it; letting `qrcode`
 * split it into numeric and alphanumeric segments (a shortest-path search over the text) cost a
 * tenth of a PDF and saves a few bits at most. Other text is left to `qrcode`'s choice.
 */
export function qrModules(text: string): { size: number; version: number; dark: Uint8Array } {
  const qrcode = require('qrcode') as typeof QRCodeModule;
  const segments = ALPHANUMERIC.test(text) ? [{ data: text, mode: 'alphanumeric' as const }] : text;
  const code = qrcode.create(segments, { errorCorrectionLevel: 'M' });
  return { size: code.modules.size, version: code.version, dark: code.modules.data };
}

export function qrSizeOf(text: string): QrSize {
  const { version, size } = qrModules(text);
  return { version, modules: size };
}
