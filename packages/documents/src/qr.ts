/** The QR code a seal needs, as the `qrcode` encoder picks it (alphanumeric mode, error correction M). */
import { createRequire } from 'node:module';
import type QRCodeModule from 'qrcode';

// Required on first use: loading the encoder slows the start of every command that imports this package.
const require = createRequire(import.meta.url);

export interface QrSize {
  readonly version: number;
  readonly modules: number;
}

export function qrSizeOf(text: string): QrSize {
  const code = (require('qrcode') as typeof QRCodeModule).create(text, { errorCorrectionLevel: 'M' });
  return { version: code.version, modules: code.modules.size };
}
