/**
 * Print templates are data, never code: a versioned JSON document of blocks whose text holds
 * `{{field}}` placeholders. This module reads and checks one, naming the place of any fault
 * (line and column for bad JSON, a JSON path for a bad block) before anything is rendered.
 */
import { DocumentsError } from './errors.js';
import { LANGUAGES, type Language, parsePlaceholder, type ValueLabels } from './format.js';

export const TEMPLATE_FORMAT = 'xmcomm-template/1';

export type Align = 'left' | 'center' | 'right';

export interface TextBlock {
  readonly type: 'text';
  readonly text: string;
  readonly size?: number;
  readonly bold?: boolean;
  readonly italics?: boolean;
  readonly align?: Align;
  readonly marginTop?: number;
}
export interface TableBlock {
  readonly type: 'table';
  /** Column widths: points, "*" (share the rest) or "auto". */
  readonly widths: readonly (number | string)[];
  readonly rows: readonly (readonly string[])[];
  /** Rows printed in bold at the top and repeated on each page. */
  readonly headerRows?: number;
  readonly size?: number;
  readonly marginTop?: number;
}
export interface ImageBlock {
  readonly type: 'image';
  /** A data: URL (PNG or JPEG); a template file may name a file beside it, which loadTemplate inlines. */
  readonly src: string;
  readonly width: number;
  readonly align?: Align;
}
export interface SealBlock {
  readonly type: 'seal';
  /** Side of the printed QR code, points. */
  readonly size: number;
  readonly align?: Align;
  readonly caption?: string;
}
export interface SpacerBlock {
  readonly type: 'spacer';
  readonly height: number;
}
export interface ColumnsBlock {
  readonly type: 'columns';
  readonly columns: readonly (readonly Block[])[];
}

export type Block = TextBlock | TableBlock | ImageBlock | SealBlock | SpacerBlock | ColumnsBlock;

export interface Template {
  readonly format: typeof TEMPLATE_FORMAT;
  /** e.g. `birth-extract`; with `version`, printed nowhere but recorded with each issued copy. */
  readonly id: string;
  readonly version: number;
  readonly title: string;
  /** What the seal says the document is: the record type and the kind of copy. */
  readonly recordType: string;
  readonly documentKind: string;
  readonly page: {
    readonly size: 'A4' | 'A5' | 'LETTER' | 'LEGAL';
    readonly orientation: 'portrait' | 'landscape';
    /** left, top, right, bottom, in points. */
    readonly margins: readonly [number, number, number, number];
  };
  readonly fontSize: number;
  /** The language formatters print in when the renderer is given none (default `fr`). */
  readonly language?: Language;
  /** Words for codes (`{{gender|label}}`), added to (and overriding) those the app gives. */
  readonly labels?: ValueLabels;
  readonly watermark?: string;
  /** The data fields signed into the seal: what a verifier compares with the paper. */
  readonly sealFields: readonly string[];
  readonly blocks: readonly Block[];
}

/** Text to look for in the template's source to name the line of a fault (a bad placeholder). */
const faultText = new WeakMap<DocumentsError, string>();

function invalid(where: string, problem: string, text?: string): never {
  const error = new DocumentsError('invalid-template', { detail: `${where}: ${problem}` });
  if (text !== undefined) faultText.set(error, text);
  throw error;
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Where JSON.parse gave up: the shortest prefix that fails otherwise than by ending early (V8's
 * messages in Node 20 carry no position). Prefixes before the fault parse or end early; so the
 * search is a bisection, about twenty parses for a large template.
 */
function faultOffset(text: string): number {
  const endsEarly = (prefix: string): boolean => {
    try {
      JSON.parse(prefix);
      return true;
    } catch (error) {
      if (!(error instanceof SyntaxError)) return false;
      const position = /at position (\d+)/.exec(error.message);
      return (
        /end of (JSON )?input/i.test(error.message) ||
        (position !== null && Number(position[1]) >= prefix.length)
      );
    }
  };
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (endsEarly(text.slice(0, middle))) good = middle;
    else bad = middle;
  }
  return bad - 1;
}

function parseJson(text: string, source: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message.split('\n')[0]! : String(cause);
    throw new DocumentsError('invalid-template', {
      detail: `${source} ${lineColumn(text, faultOffset(text))}: ${message}`,
      cause,
    });
  }
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: { [key: string]: Json }, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) invalid(`${path}.${key}`, `unknown key (allowed: ${allowed.join(', ')})`);
  }
}

function text(value: Json | undefined, path: string): string {
  if (typeof value !== 'string') invalid(path, 'a text is expected');
  checkPlaceholders(value, path);
  return value;
}

function positive(value: Json | undefined, path: string, optional = false): number | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    invalid(path, 'a positive number is expected');
  return value;
}

function oneOf<T extends string>(
  value: Json | undefined,
  path: string,
  choices: readonly T[],
  optional = true,
): T | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || !choices.includes(value as T))
    invalid(path, `one of ${choices.join(', ')} is expected`);
  return value as T;
}

function flag(value: Json | undefined, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') invalid(path, 'true or false is expected');
  return value;
}

/** A placeholder is `{{name}}`, `{{name?}}` (optional) or `{{name|formatter}}` (format.ts). */
export const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*\??$/;

function checkPlaceholders(value: string, path: string): void {
  for (const match of value.matchAll(PLACEHOLDER)) {
    const placeholder = parsePlaceholder(match[1]!);
    if (typeof placeholder === 'string') invalid(path, `"${match[0]}" ${placeholder}`, match[0]);
  }
  if (value.replace(PLACEHOLDER, '').includes('{{')) invalid(path, 'an unclosed "{{"');
}

function valueLabels(value: Json | undefined): ValueLabels | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) invalid('$.labels', 'an object { field: { code: { fr, en } } } is expected');
  for (const [field, codes] of Object.entries(value)) {
    if (!isObject(codes)) invalid(`$.labels.${field}`, 'an object { code: { fr, en } } is expected');
    for (const [code, words] of Object.entries(codes)) {
      const where = `$.labels.${field}.${code}`;
      if (!isObject(words)) invalid(where, 'an object { "fr": "...", "en": "..." } is expected');
      onlyKeys(words, where, LANGUAGES);
      for (const language of LANGUAGES)
        if (typeof words[language] !== 'string') invalid(`${where}.${language}`, 'a text is expected');
    }
  }
  return value as unknown as ValueLabels;
}

const ALIGNS = ['left', 'center', 'right'] as const;

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

function block(value: Json | undefined, path: string, depth: number): Block {
  if (!isObject(value)) invalid(path, 'a block (an object with "type") is expected');
  const type = oneOf(
    value.type,
    `${path}.type`,
    ['text', 'table', 'image', 'seal', 'spacer', 'columns'],
    false,
  );
  switch (type) {
    case 'text':
      onlyKeys(value, path, ['type', 'text', 'size', 'bold', 'italics', 'align', 'marginTop']);
      return defined({
        type,
        text: text(value.text, `${path}.text`),
        size: positive(value.size, `${path}.size`, true),
        bold: flag(value.bold, `${path}.bold`),
        italics: flag(value.italics, `${path}.italics`),
        align: oneOf(value.align, `${path}.align`, ALIGNS),
        marginTop: positive(value.marginTop, `${path}.marginTop`, true),
      });
    case 'table': {
      onlyKeys(value, path, ['type', 'widths', 'rows', 'headerRows', 'size', 'marginTop']);
      const { widths, rows } = value;
      if (!Array.isArray(widths) || widths.length === 0)
        invalid(`${path}.widths`, 'a list of column widths is expected');
      widths.forEach((width, index) => {
        if (!(width === '*' || width === 'auto' || (typeof width === 'number' && width > 0))) {
          invalid(`${path}.widths[${index}]`, 'a width is points, "*" or "auto"');
        }
      });
      if (!Array.isArray(rows) || rows.length === 0) invalid(`${path}.rows`, 'a list of rows is expected');
      const checkedRows = rows.map((row, rowIndex) => {
        const where = `${path}.rows[${rowIndex}]`;
        if (!Array.isArray(row) || row.length !== widths.length)
          invalid(where, `a row of ${widths.length} cells is expected`);
        return row.map((cell, cellIndex) => text(cell, `${where}[${cellIndex}]`));
      });
      const headerRows = value.headerRows;
      if (
        headerRows !== undefined &&
        (typeof headerRows !== 'number' || !Number.isInteger(headerRows) || headerRows < 0)
      ) {
        invalid(`${path}.headerRows`, 'a whole number is expected');
      }
      return defined({
        type,
        widths: widths as (number | string)[],
        rows: checkedRows,
        headerRows: headerRows as number | undefined,
        size: positive(value.size, `${path}.size`, true),
        marginTop: positive(value.marginTop, `${path}.marginTop`, true),
      });
    }
    case 'image': {
      onlyKeys(value, path, ['type', 'src', 'width', 'align']);
      const src = value.src;
      if (typeof src !== 'string' || !/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]+$/.test(src)) {
        invalid(`${path}.src`, 'a PNG or JPEG data: URL (or a file beside the template) is expected');
      }
      return defined({
        type,
        src,
        width: positive(value.width, `${path}.width`) as number,
        align: oneOf(value.align, `${path}.align`, ALIGNS),
      });
    }
    case 'seal':
      onlyKeys(value, path, ['type', 'size', 'align', 'caption']);
      return defined({
        type,
        size: positive(value.size, `${path}.size`) as number,
        align: oneOf(value.align, `${path}.align`, ALIGNS),
        caption: value.caption === undefined ? undefined : text(value.caption, `${path}.caption`),
      });
    case 'spacer':
      onlyKeys(value, path, ['type', 'height']);
      return { type, height: positive(value.height, `${path}.height`) as number };
    default: {
      onlyKeys(value, path, ['type', 'columns']);
      if (depth > 2) invalid(path, 'columns nest at most two deep');
      const columns = value.columns;
      if (!Array.isArray(columns) || columns.length === 0)
        invalid(`${path}.columns`, 'a list of columns is expected');
      return {
        type: 'columns',
        columns: columns.map((column, index) => {
          if (!Array.isArray(column)) invalid(`${path}.columns[${index}]`, 'a list of blocks is expected');
          return column.map((item, itemIndex) =>
            block(item, `${path}.columns[${index}][${itemIndex}]`, depth + 1),
          );
        }),
      };
    }
  }
}

/**
 * Checks a parsed template (already JSON) and returns it typed. Throws DocumentsError
 * `invalid-template` whose detail names the JSON path, e.g. `$.blocks[3].size`.
 */
export function checkTemplate(value: unknown): Template {
  const root = value as Json;
  if (!isObject(root)) invalid('$', 'a template is a JSON object');
  onlyKeys(root, '$', [
    'format',
    'id',
    'version',
    'title',
    'recordType',
    'documentKind',
    'page',
    'fontSize',
    'language',
    'labels',
    'watermark',
    'sealFields',
    'blocks',
  ]);
  if (root.format !== TEMPLATE_FORMAT) invalid('$.format', `"${TEMPLATE_FORMAT}" is expected`);
  for (const key of ['id', 'title', 'recordType', 'documentKind'] as const) {
    if (typeof root[key] !== 'string' || root[key] === '') invalid(`$.${key}`, 'a text is expected');
  }
  if (typeof root.version !== 'number' || !Number.isInteger(root.version) || root.version < 1) {
    invalid('$.version', 'a whole number from 1 is expected');
  }
  const page = root.page;
  if (!isObject(page)) invalid('$.page', 'an object with size, orientation and margins is expected');
  onlyKeys(page, '$.page', ['size', 'orientation', 'margins']);
  const margins = page.margins;
  if (
    !Array.isArray(margins) ||
    margins.length !== 4 ||
    !margins.every((item) => typeof item === 'number' && item >= 0)
  ) {
    invalid('$.page.margins', 'four numbers (left, top, right, bottom) are expected');
  }
  const sealFields = root.sealFields;
  if (
    !Array.isArray(sealFields) ||
    !sealFields.every((item) => typeof item === 'string' && FIELD_NAME.test(item))
  ) {
    invalid('$.sealFields', 'a list of field names is expected');
  }
  const blocks = root.blocks;
  if (!Array.isArray(blocks) || blocks.length === 0) invalid('$.blocks', 'a list of blocks is expected');
  const watermark = root.watermark;
  if (watermark !== undefined && typeof watermark !== 'string') invalid('$.watermark', 'a text is expected');
  return defined({
    format: TEMPLATE_FORMAT,
    id: root.id as string,
    version: root.version,
    title: root.title as string,
    recordType: root.recordType as string,
    documentKind: root.documentKind as string,
    page: {
      size: oneOf(
        page.size,
        '$.page.size',
        ['A4', 'A5', 'LETTER', 'LEGAL'],
        false,
      ) as Template['page']['size'],
      orientation: oneOf(
        page.orientation,
        '$.page.orientation',
        ['portrait', 'landscape'],
        false,
      ) as Template['page']['orientation'],
      margins: margins as unknown as [number, number, number, number],
    },
    fontSize: positive(root.fontSize, '$.fontSize') as number,
    language: oneOf(root.language, '$.language', LANGUAGES),
    labels: valueLabels(root.labels),
    watermark: watermark === undefined ? undefined : text(watermark, '$.watermark'),
    sealFields: sealFields as string[],
    blocks: blocks.map((item, index) => block(item, `$.blocks[${index}]`, 0)),
  });
}

/**
 * Parses and checks a template's JSON text; `source` names it in errors (a file name). `prepare`
 * may rewrite the parsed JSON before the check (loadTemplateFile inlines image files).
 */
export function parseTemplate(
  jsonText: string,
  source = 'template',
  prepare?: (value: unknown) => void,
): Template {
  const value = parseJson(jsonText, source);
  try {
    prepare?.(value);
    return checkTemplate(value);
  } catch (error) {
    if (DocumentsError.isInstance(error) && error.detail) {
      const text = faultText.get(error);
      const offset = text === undefined ? -1 : jsonText.indexOf(text);
      const line = offset < 0 ? '' : ` line ${jsonText.slice(0, offset).split('\n').length}`;
      throw new DocumentsError('invalid-template', {
        detail: `${source}${line} ${error.detail}`,
        cause: error,
      });
    }
    throw error;
  }
}
