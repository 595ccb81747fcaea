/** The QR code a seal needs, as the `qrcode` encoder picks it (alphanumeric mode, error correction M). */
import QRCode from 'qrcode';

export interface QrSize {
  readonly version: number;
  readonly modules: number;
}

export function qrSizeOf(text: string): QrSize {
  const code = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { version: code.version, modules: code.modules.size };
}
