import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canWriteSubsets, type TrueTypeSubset, writeSubset } from '../src/font-subset.js';

const require = createRequire(import.meta.url);
const pdfmakeFolder = dirname(require.resolve('pdfmake/package.json'));
const pdfkitFolder = dirname(require.resolve('pdfkit', { paths: [pdfmakeFolder] }));

interface Font {
  layout(text: string): { glyphs: { id: number }[] };
  createSubset(): TrueTypeSubset & { includeGlyph(id: number): number };
  directory: { tables: Record<string, { offset: number; length: number }> };
  head: { indexToLocFormat: number };
}
const fontkit = require(require.resolve('fontkit', { paths: [pdfkitFolder] })) as {
  create(file: Uint8Array): Font;
};

const FACES = ['Roboto-Regular.ttf', 'Roboto-Medium.ttf', 'Roboto-Italic.ttf', 'Roboto-MediumItalic.ttf'];
const TEXTS = [
  'ÉTAT CIVIL — Centre d’état civil de Thiès — Médina',
  'Aïssatou Hélène NDIAYE, née le 14 mars 2026 à Thiès, Hôpital régional',
  'Œuvre, cœur, ça, où, Noël, ﬁ fi ffl, « guillemets », 0123456789 %/:.-+*$',
  'Ĉ ĝ ŝ Ł ł Ş ş Ž ž ı ŀ Ő ő Ű ű ŷ Ÿ',
  'x',
];

function subsetOf(font: Font, text: string): TrueTypeSubset {
  const subset = font.createSubset();
  for (const glyph of font.layout(text).glyphs) subset.includeGlyph(glyph.id);
  return subset;
}

describe('font subsets written directly', () => {
  it.each(FACES)('gives fontkit’s bytes for %s, composite glyphs included', (face) => {
    const file = readFileSync(join(pdfmakeFolder, 'fonts', 'Roboto', face));
    const font = fontkit.create(file);
    const source = { file, tables: font.directory.tables, locaVersion: font.head.indexToLocFormat };
    expect(canWriteSubsets(source)).toBe(true);
    let components = 0;
    for (const text of TEXTS) {
      const theirs = subsetOf(font, text);
      const included = theirs.glyphs.length;
      // fontkit's own writer, from the class, whatever an engine may have set on instances.
      const expected = Buffer.from(Object.getPrototypeOf(theirs).encode.call(theirs) as Uint8Array);
      components += theirs.glyphs.length - included;
      const ours = writeSubset(subsetOf(font, text), source);
      expect(ours.equals(expected)).toBe(true);
    }
    expect(components).toBeGreaterThan(0);
  });
});
