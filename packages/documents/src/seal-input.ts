/**
 * What a verifier is given: the QR text itself, or a PNG/JPEG image or a PDF of the document to
 * read it from (by the file's extension). Shared by every command that verifies a seal.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { DocumentsError } from './errors.js';
import { readQrFromImage, readQrFromPdf } from './scan.js';

export type SealSource = 'text' | 'image' | 'pdf';

const IMAGE = new Set(['.png', '.jpg', '.jpeg']);

/**
 * The seal's text and where it came from. A name ending in .png, .jpg, .jpeg or .pdf is a file;
 * anything else is the QR text. Throws `input-missing`, `unreadable-file`, `pdftoppm-missing` or
 * `no-seal-found` (a picture without a readable QR code), each with the file as detail.
 */
export async function readSealInput(input: string): Promise<{ text: string; source: SealSource }> {
  const extension = extname(input).toLowerCase();
  const isPdf = extension === '.pdf';
  if (!IMAGE.has(extension) && !isPdf) return { text: input, source: 'text' };
  if (!existsSync(input)) throw new DocumentsError('input-missing', { detail: input });
  let text: string | null;
  try {
    text = isPdf ? await readQrFromPdf(input) : readQrFromImage(await readFile(input));
  } catch (cause) {
    if (DocumentsError.isInstance(cause)) throw new DocumentsError(cause.code, { detail: input, cause });
    throw new DocumentsError('unreadable-file', { detail: input, cause });
  }
  if (text === null) throw new DocumentsError('no-seal-found', { detail: input });
  return { text, source: isPdf ? 'pdf' : 'image' };
}
