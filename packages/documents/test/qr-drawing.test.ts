import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultTemplatePath, loadTemplateFile, renderPdf } from '../src/index.js';
import { qrModules } from '../src/qr.js';
import { ISSUED_AT, sampleData } from './fixtures.js';

/** A seal-like text (prefix and Base45 alphabet) long enough for a version 12 code. */
const SEAL = `XM1:${'6BF*ZD-/J0+A2$%C 9Q.:'.repeat(19)}`;
const A4_WIDTH = 595.28;

/** The operator lines of every compressed stream of a PDF that draws something. */
function contentLines(pdf: Uint8Array): string[] {
  const text = Buffer.from(pdf).toString('latin1');
  const lines: string[] = [];
  for (const match of text.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let inflated: string;
    try {
      inflated = inflateSync(Buffer.from(match[1] ?? '', 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    if (/\bre$/m.test(inflated)) lines.push(...inflated.split('\n'));
  }
  return lines;
}

describe('the seal drawn as one path', () => {
  it('fills the QR once, one rectangle per run of dark modules, exactly the code of the seal, aligned right', async () => {
    const template = loadTemplateFile(defaultTemplatePath('birth-extract'));
    const data = {
      ...sampleData('birth'),
      niu: 'N',
      documentId: 'D',
      issuer: 'CEC-0042',
      issuedOn: '2026-12-01',
    };
    const pdf = await renderPdf({ template, data, seal: SEAL, createdAt: ISSUED_AT });
    const lines = contentLines(pdf);
    const fit = 150; // the birth extract's seal block, version 12: 65 modules of 2 points
    const unit = Math.floor(fit / 65);
    const isModuleRow = (line: string) => line.endsWith(' re') && line.split(' ')[3] === String(unit);
    // pdfmake's own QR wrote one rectangle and one fill per dark module (about 2,000 fills).
    const isState = (line: string) => / (cs|scn|gs)$/.test(line);
    const filledPath = (index: number) => {
      let before = index - 1;
      while (before > 0 && isState(lines[before] ?? '')) before -= 1;
      return lines[before] ?? '';
    };
    const qrFills = lines.filter((line, index) => line === 'f' && isModuleRow(filledPath(index))).length;
    expect(qrFills).toBe(1);

    const { size, dark } = qrModules(SEAL);
    expect(size).toBe(65);
    const rectangles = lines
      .filter((line) => line.endsWith(' re'))
      .map((line) => line.split(' ').slice(0, 4).map(Number) as [number, number, number, number])
      .filter(([, , width, height]) => height === unit && width % unit === 0);
    const left = Math.min(...rectangles.map(([x]) => x));
    const top = Math.min(...rectangles.map(([, y]) => y));
    const right = Math.max(...rectangles.map(([x, , width]) => x + width));
    // Right-aligned in the page's right margin (50 pt), the finder patterns touching both edges.
    expect(right).toBeCloseTo(A4_WIDTH - template.page.margins[2], 6);
    expect(right - left).toBeCloseTo(size * unit, 6);

    const drawn = new Uint8Array(size * size);
    let runs = 0;
    for (const [x, y, width] of rectangles) {
      const row = Math.round((y - top) / unit);
      const column = Math.round((x - left) / unit);
      for (let step = 0; step < width / unit; step += 1) drawn[row * size + column + step] = 1;
      runs += 1;
    }
    expect(Buffer.from(drawn).equals(Buffer.from(dark))).toBe(true);
    // Runs, not modules.
    const darkModules = dark.reduce((sum, module) => sum + module, 0);
    expect(runs).toBeLessThan(darkModules * 0.7);
  });
});
