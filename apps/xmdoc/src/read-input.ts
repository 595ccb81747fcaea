/** What `xmdoc verify` was given: the QR text itself, or a PNG/JPEG image or a PDF to read it from. */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DocumentsError, readQrFromImage, readQrFromPdf } from '@xmcomm/documents';
import { XmdocError } from './errors.js';

const IMAGE = new Set(['.png', '.jpg', '.jpeg']);

function fromDocuments(error: unknown, file: string): never {
  if (
    DocumentsError.isInstance(error) &&
    (error.code === 'unreadable-file' || error.code === 'pdftoppm-missing')
  ) {
    throw new XmdocError(error.code, file, { cause: error });
  }
  throw error;
}

export async function sealTextOf(input: string): Promise<{ text: string; source: 'text' | 'image' | 'pdf' }> {
  const extension = extname(input).toLowerCase();
  const isFile = IMAGE.has(extension) || extension === '.pdf';
  if (!isFile) return { text: input, source: 'text' };
  if (!existsSync(input)) throw new XmdocError('input-missing', input);
  let text: string | null;
  try {
    text = extension === '.pdf' ? await readQrFromPdf(input) : readQrFromImage(readFileSync(input));
  } catch (error) {
    fromDocuments(error, input);
  }
  if (text === null) throw new XmdocError('no-seal-found', input);
  return { text, source: extension === '.pdf' ? 'pdf' : 'image' };
}
