/**
 * Template + data -> PDF bytes with pdfmake. Fonts are Roboto from the pdfmake package (it covers
 * French and other Latin accents), loaded into pdfmake's virtual file system: no system font, no
 * file or URL read while rendering. Every date in the file is pinned, so the same input gives the
 * same bytes. Rendering happens in memory: a failure leaves no half-written PDF behind.
 */
import { DocumentsError } from './errors.js';
import { formatValue, type Language, parsePlaceholder, type ValueLabels } from './format.js';
import { type PdfNode, pdfmake } from './pdfmake-engine.js';
import { qrCanvas } from './qr-vector.js';
import { type Block, PLACEHOLDER, type Template } from './template.js';

export type DocumentData = Readonly<Record<string, string>>;

/** How formatters print: the document's language and the words for codes. */
export interface FormatOptions {
  readonly language: Language;
  readonly labels: ValueLabels;
}

const PLAIN: FormatOptions = { language: 'fr', labels: {} };

/**
 * Replaces `{{name}}` with the data's value, formatted as `{{name|formatter}}` says; `{{name?}}`
 * may be absent (printed empty).
 */
export function fillPlaceholders(
  text: string,
  data: DocumentData,
  where: string,
  format: FormatOptions = PLAIN,
): string {
  return text.replace(PLACEHOLDER, (match, inner: string) => {
    const placeholder = parsePlaceholder(inner);
    if (typeof placeholder === 'string')
      throw new DocumentsError('invalid-template', { detail: `${where}: "${match}" ${placeholder}` });
    const { name, optional } = placeholder;
    const value = Object.hasOwn(data, name) ? data[name] : undefined;
    if (value === undefined) {
      if (optional) return '';
      throw new DocumentsError('missing-field', { detail: `"${name}", printed at ${where}` });
    }
    return formatValue(placeholder, value, format.language, format.labels);
  });
}

/** Thin grey rules between rows, none between columns: readable once photocopied. */
const TABLE_LAYOUT = {
  hLineWidth: (index: number) => (index === 0 ? 0 : 0.5),
  vLineWidth: () => 0,
  hLineColor: () => '#999999',
  paddingLeft: () => 2,
  paddingRight: () => 2,
  paddingTop: () => 3,
  paddingBottom: () => 3,
};

function margin(top: number | undefined): PdfNode {
  return top === undefined ? {} : { margin: [0, top, 0, 0] };
}

function sealNode(
  block: Extract<Block, { type: 'seal' }>,
  seal: string | undefined,
  data: DocumentData,
  where: string,
  format: FormatOptions,
): PdfNode {
  const code: PdfNode = seal
    ? { canvas: qrCanvas(seal, block.size), alignment: block.align ?? 'left' }
    : {
        table: {
          widths: [block.size - 10],
          heights: [block.size - 10],
          body: [[{ text: 'SPÉCIMEN\nsans sceau / no seal', alignment: 'center', color: '#888888' }]],
        },
      };
  const caption =
    block.caption === undefined
      ? []
      : [
          {
            text: fillPlaceholders(block.caption, data, `${where}.caption`, format),
            fontSize: 7,
            alignment: block.align ?? 'left',
          },
        ];
  return { stack: [code, ...caption], unbreakable: true };
}

function node(
  block: Block,
  where: string,
  data: DocumentData,
  seal: string | undefined,
  format: FormatOptions,
): PdfNode {
  switch (block.type) {
    case 'text':
      return {
        text: fillPlaceholders(block.text, data, `${where}.text`, format),
        ...(block.size === undefined ? {} : { fontSize: block.size }),
        ...(block.bold === undefined ? {} : { bold: block.bold }),
        ...(block.italics === undefined ? {} : { italics: block.italics }),
        alignment: block.align ?? 'left',
        ...margin(block.marginTop),
      };
    case 'table':
      return {
        table: {
          widths: block.widths,
          headerRows: block.headerRows ?? 0,
          body: block.rows.map((row, rowIndex) =>
            row.map((cell, cellIndex) => ({
              text: fillPlaceholders(cell, data, `${where}.rows[${rowIndex}][${cellIndex}]`, format),
              bold: rowIndex < (block.headerRows ?? 0),
            })),
          ),
        },
        layout: TABLE_LAYOUT,
        ...(block.size === undefined ? {} : { fontSize: block.size }),
        ...margin(block.marginTop),
      };
    case 'image':
      return { image: block.src, width: block.width, alignment: block.align ?? 'left' };
    case 'seal':
      return sealNode(block, seal, data, where, format);
    case 'spacer':
      return { text: '', margin: [0, block.height, 0, 0] };
    case 'columns':
      return {
        columns: block.columns.map((column, index) => ({
          stack: column.map((item, itemIndex) =>
            node(item, `${where}.columns[${index}][${itemIndex}]`, data, seal, format),
          ),
        })),
        columnGap: 12,
      };
  }
}

export interface RenderOptions {
  readonly template: Template;
  readonly data: DocumentData;
  /** The seal's text (createSeal); without it a seal block prints a "specimen" box. */
  readonly seal?: string;
  /** Written as the PDF's creation date; fixing it makes the bytes reproducible. */
  readonly createdAt: Date;
  /** The language of formatted values (`{{date|date}}`); default the template's, else `fr`. */
  readonly language?: Language;
  /** The app's words for codes (a record type's value labels); the template's own add to them. */
  readonly labels?: ValueLabels;
}

/** The formatting a render uses: the template's labels override the app's, field by field. */
export function formatOptionsOf(options: Pick<RenderOptions, 'template' | 'language' | 'labels'>) {
  const labels: Record<string, ValueLabels[string]> = { ...options.labels };
  for (const [field, codes] of Object.entries(options.template.labels ?? {}))
    labels[field] = { ...labels[field], ...codes };
  return { language: options.language ?? options.template.language ?? 'fr', labels };
}

/** The pdfmake document definition: placeholders filled, every missing field reported by place. */
export function documentDefinition(options: RenderOptions): PdfNode {
  const { template, data, seal } = options;
  const format = formatOptionsOf(options);
  const watermark = template.watermark
    ? fillPlaceholders(template.watermark, data, '$.watermark', format)
    : undefined;
  return {
    pageSize: template.page.size,
    pageOrientation: template.page.orientation,
    pageMargins: [...template.page.margins],
    defaultStyle: { font: 'Roboto', fontSize: template.fontSize },
    ...(watermark ? { watermark: { text: watermark, opacity: 0.06, bold: true } } : {}),
    info: {
      title: fillPlaceholders(template.title, data, '$.title', format),
      creator: `XMcomm ${template.id} v${template.version}`,
      producer: 'XMcomm',
      creationDate: options.createdAt,
      modDate: options.createdAt,
    },
    content: template.blocks.map((block, index) => node(block, `$.blocks[${index}]`, data, seal, format)),
  };
}

/** Renders a PDF. Throws DocumentsError `missing-field` or `render-failed`; returns complete bytes only. */
export async function renderPdf(options: RenderOptions): Promise<Uint8Array> {
  const definition = documentDefinition(options);
  try {
    return new Uint8Array(await pdfmake().createPdf(definition).getBuffer());
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new DocumentsError('render-failed', { detail: `${options.template.id}: ${detail}`, cause });
  }
}
