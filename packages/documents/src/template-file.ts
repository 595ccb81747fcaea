/** Templates on disk: the defaults shipped with this package, and a site's edited copies. */
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentsError } from './errors.js';
import { parseTemplate, type Template } from './template.js';

/** The default templates, by id: a site copies one (copyDefaultTemplate) and edits the copy. */
export const DEFAULT_TEMPLATES = [
  'birth-copy',
  'birth-extract',
  'marriage-copy',
  'marriage-extract',
  'death-copy',
  'death-extract',
] as const;
export type DefaultTemplateId = (typeof DEFAULT_TEMPLATES)[number];

/** The folder of the default templates (JSON files, plus their sample data `*.sample.json`). */
export const DEFAULT_TEMPLATE_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'templates');

export function defaultTemplatePath(id: DefaultTemplateId): string {
  return join(DEFAULT_TEMPLATE_FOLDER, `${id}.json`);
}

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

/** Replaces image `src` file names (beside the template) with data: URLs, in place. */
function inlineImages(value: unknown, folder: string, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      inlineImages(item, folder, `${path}[${index}]`);
    });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  if (record.type === 'image' && typeof record.src === 'string' && !record.src.startsWith('data:')) {
    const type = IMAGE_TYPES[extname(record.src).toLowerCase()];
    if (!type || isAbsolute(record.src) || record.src.includes('..')) {
      throw new DocumentsError('invalid-template', {
        detail: `${path}.src: a .png or .jpg file beside the template is expected`,
      });
    }
    try {
      record.src = `data:${type};base64,${readFileSync(join(folder, record.src)).toString('base64')}`;
    } catch (cause) {
      throw new DocumentsError('invalid-template', {
        detail: `${path}.src: cannot read ${record.src}`,
        cause,
      });
    }
  }
  for (const [key, item] of Object.entries(record)) inlineImages(item, folder, `${path}.${key}`);
}

/** Reads and checks a template file; image files it names are read from its folder. */
export function loadTemplateFile(file: string): Template {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new DocumentsError('invalid-template', { detail: `cannot read ${file}`, cause });
  }
  return parseTemplate(text, file, (raw) => inlineImages(raw, dirname(file), '$'));
}
