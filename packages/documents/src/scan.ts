/**
 * Reading a seal from pixels: a PNG or JPEG scan or photo, or a PDF rasterised by poppler's
 * pdftoppm. jsQR is pure JS, so this runs wherever Node does.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type jpegModule from 'jpeg-js';
import type jsQRModule from 'jsqr';
import type pngModule from 'pngjs';
import { DocumentsError } from './errors.js';

const run = promisify(execFile);
// The image decoders are required on first use: most importers of this package never read an image,
// and loading them slows every command's start.
const require = createRequire(import.meta.url);
/** A phone photo is at most some tens of megapixels; past this jpeg-js would allocate too much. */
const MAX_MEGAPIXELS = 80;

interface Pixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

function pixelsOf(bytes: Uint8Array): Pixels {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (buffer.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      return (require('pngjs') as typeof pngModule).PNG.sync.read(buffer);
    }
    if (buffer[0] === 0xff && buffer[1] === 0xd8) {
      return (require('jpeg-js') as typeof jpegModule).decode(buffer, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_MEGAPIXELS,
      });
    }
  } catch (cause) {
    throw new DocumentsError('unreadable-file', { detail: 'a damaged PNG or JPEG image', cause });
  }
  throw new DocumentsError('unreadable-file', { detail: 'a PNG or JPEG image is expected' });
}

/** The text of the first QR code found in a PNG or JPEG image; null when there is none. */
export function readQrFromImage(bytes: Uint8Array): string | null {
  const { data, width, height } = pixelsOf(bytes);
  const rgba = new Uint8ClampedArray(data.buffer, data.byteOffset, width * height * 4);
  // jsqr is CommonJS whose declared default export is the function's own `default` property.
  const jsQR = (require('jsqr') as typeof jsQRModule).default;
  return jsQR(rgba, width, height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

export interface PdfScanOptions {
  /** Resolution of the rasterised pages (default 150 dpi: 4 pixels a module for a 150 pt seal). */
  readonly dpi?: number;
  /** Pages looked at, from the first (default 4). */
  readonly maxPages?: number;
}

/** The text of the first QR code found in a PDF's pages; null when there is none. */
export async function readQrFromPdf(file: string, options: PdfScanOptions = {}): Promise<string | null> {
  const folder = await mkdtemp(join(tmpdir(), 'xmdoc-'));
  try {
    const args = [
      '-r',
      String(options.dpi ?? 150),
      '-png',
      '-f',
      '1',
      '-l',
      String(options.maxPages ?? 4),
      file,
      join(folder, 'page'),
    ];
    try {
      await run('pdftoppm', args, { maxBuffer: 1024 * 1024 });
    } catch (cause) {
      const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      throw new DocumentsError(missing ? 'pdftoppm-missing' : 'unreadable-file', {
        detail: missing ? 'install poppler-utils' : `pdftoppm could not read ${file}`,
        cause,
      });
    }
    for (const page of (await readdir(folder)).sort()) {
      const text = readQrFromImage(await readFile(join(folder, page)));
      if (text !== null) return text;
    }
    return null;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
