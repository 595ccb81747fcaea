/**
 * pdfmake, loaded once per process with its Roboto fonts in its virtual file system (no system
 * font, no file or URL read while rendering) and the parsing and shaping of those fonts shared
 * between documents.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { canWriteSubsets, type SubsetSource, type TrueTypeSubset, writeSubset } from './font-subset.js';
import { isRunsVector, type RunsVector, runsContent } from './qr-vector.js';

export type PdfNode = Record<string, unknown>;

export interface PdfMake {
  virtualfs: { existsSync(name: string): boolean; writeFileSync(name: string, content: Buffer): void };
  setFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(policy: (url: string) => boolean): void;
  setLocalAccessPolicy(policy: (path: string) => boolean): void;
  createPdf(definition: PdfNode): { getBuffer(): Promise<Buffer> };
}

const require = createRequire(import.meta.url);
let engine: PdfMake | undefined;

const FONT_FILES = {
  normal: 'Roboto-Regular.ttf',
  bold: 'Roboto-Medium.ttf',
  italics: 'Roboto-Italic.ttf',
  bolditalics: 'Roboto-MediumItalic.ttf',
} as const;

interface GlyphRun {
  readonly positions: readonly object[];
}

interface FontkitFont {
  layout(text: string, ...more: unknown[]): GlyphRun;
  createSubset(): unknown;
  directory?: { tables?: Record<string, { offset: number; length: number } | undefined> };
  head?: { indexToLocFormat?: number };
  _variationProcessor?: unknown;
}

interface FontkitModule {
  create(buffer: Uint8Array, postscriptName?: string): FontkitFont;
}

/** Most shaped strings kept per font; labels and common words repeat from one document to the next. */
const MAX_CACHED_RUNS = 20_000;

/** A copy pdfkit may scale in place: its positions are fresh, its glyphs (read only) shared. */
function copyOf<T extends object>(value: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(value)) as T, value);
}

/**
 * Text shaping (fontkit's layout) is the other half of a page's time, the same labels shaped again
 * for every document: runs are kept per text, and each caller gets a copy whose positions it may
 * scale (pdfkit does, in place).
 */
function cacheLayouts(font: FontkitFont): FontkitFont {
  const layout = font.layout.bind(font);
  const runs = new Map<string, GlyphRun>();
  font.layout = (text: string, ...more: unknown[]): GlyphRun => {
    if (more.some((item) => item !== undefined)) return layout(text, ...more);
    let run = runs.get(text);
    if (!run) {
      if (runs.size >= MAX_CACHED_RUNS) runs.clear();
      run = layout(text);
      runs.set(text, run);
    }
    const copy = copyOf(run);
    (copy as { positions: object[] }).positions = run.positions.map((position) => copyOf(position));
    return copy;
  };
  return font;
}

/**
 * Each document embeds a subset of each face it uses; fontkit's writer costs about 1 ms a face
 * (font-subset.ts). TrueType subsets of a plain (not variable) font are written by
 * `writeSubset` instead, which gives the same bytes.
 */
function writeSubsetsFaster(font: FontkitFont, file: Uint8Array): FontkitFont {
  const tables = font.directory?.tables;
  const locaVersion = font.head?.indexToLocFormat;
  if (!tables || locaVersion === undefined || font._variationProcessor) return font;
  const source: SubsetSource = { file, tables, locaVersion };
  if (!canWriteSubsets(source)) return font;
  const createSubset = font.createSubset.bind(font);
  font.createSubset = () => {
    const subset = createSubset() as TrueTypeSubset & { glyphEncoder?: unknown };
    if (typeof subset.includeGlyph === 'function' && subset.glyphEncoder !== undefined)
      subset.encode = () => writeSubset(subset, source);
    return subset;
  };
  return font;
}

/**
 * pdfkit parses the font file again for every document (fontkit.create on the same bytes), over
 * half the time of a one-page PDF. Before pdfkit is first loaded, its `fontkit` module is replaced
 * in the CommonJS cache by a copy whose `create` keeps one parsed font per font buffer: the fonts
 * live for the process in pdfmake's virtual file system, so the same buffer comes back each time.
 * The bytes out are the same (the tests compare them); if pdfkit was loaded before, nothing changes.
 */
function shareParsedFonts(): void {
  const pdfkitPath = require.resolve('pdfkit', { paths: [dirname(require.resolve('pdfmake/package.json'))] });
  if (require.cache[pdfkitPath]) return;
  const fontkitPath = require.resolve('fontkit', { paths: [dirname(pdfkitPath)] });
  const fontkit = require(fontkitPath) as FontkitModule;
  const parsed = new WeakMap<Uint8Array, FontkitFont>();
  const cached = require.cache[fontkitPath];
  if (!cached) return;
  cached.exports = {
    ...fontkit,
    create(buffer: Uint8Array, postscriptName?: string): FontkitFont {
      const key = postscriptName === undefined ? buffer : undefined;
      const known = key && parsed.get(key);
      if (known) return known;
      const font = writeSubsetsFaster(cacheLayouts(fontkit.create(buffer, postscriptName)), buffer);
      if (key) parsed.set(key, font);
      return font;
    },
  };
}

interface PdfKitDocument {
  fillColor(color: string, opacity?: number): PdfKitDocument;
  addContent(operators: string): PdfKitDocument;
  fill(): PdfKitDocument;
}

interface PdfmakeRenderer {
  pdfDocument: PdfKitDocument;
  renderVector(vector: Record<string, unknown>): void;
}

/**
 * pdfmake's renderer writes each canvas shape through a dozen pdfkit calls; a QR code's runs
 * (qr-vector.ts) are written as one block of `re` operators and filled once. pdfmake's Renderer
 * class is patched in place, whenever pdfmake was loaded: its other shapes go through as before.
 */
function drawRunsInOnePiece(): void {
  const folder = dirname(require.resolve('pdfmake/package.json'));
  const renderer = (require(join(folder, 'js', 'Renderer.js')) as { default: { prototype: PdfmakeRenderer } })
    .default.prototype;
  const renderVector = renderer.renderVector;
  if ((renderVector as { drawsRuns?: boolean }).drawsRuns) return;
  const patched = function (this: PdfmakeRenderer, vector: Record<string, unknown>): void {
    if (!isRunsVector(vector)) {
      renderVector.call(this, vector);
      return;
    }
    const runs = vector as unknown as RunsVector;
    this.pdfDocument.fillColor(runs.color, 1).addContent(runsContent(runs)).fill();
  };
  renderer.renderVector = Object.assign(patched, { drawsRuns: true });
}

export function pdfmake(): PdfMake {
  if (engine) return engine;
  shareParsedFonts();
  drawRunsInOnePiece();
  const loaded = require('pdfmake') as PdfMake;
  const fontFolder = join(dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
  for (const file of Object.values(FONT_FILES)) {
    if (!loaded.virtualfs.existsSync(file))
      loaded.virtualfs.writeFileSync(file, readFileSync(join(fontFolder, file)));
  }
  loaded.setFonts({ Roboto: { ...FONT_FILES } });
  // Templates are data from sites: nothing in one may make the renderer fetch a URL or read a file.
  loaded.setUrlAccessPolicy(() => false);
  loaded.setLocalAccessPolicy(() => false);
  engine = loaded;
  return loaded;
}
