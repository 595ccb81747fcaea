/**
 * A seal's QR code drawn as one filled path. pdfmake's own `qr` node draws one rectangle per dark
 * module (about 2,000 for a birth extract), each written by pdfkit with its own line width, dash,
 * join, cap, colour and opacity operators and one buffer per operator: a fifth of a PDF's time.
 * Here the dark modules of each row are merged into runs, written as `re` operators in one piece
 * and filled once (`drawRuns`, installed into pdfmake's renderer by pdfmake-engine.ts), at the
 * same place and size as pdfmake's (a whole number of points per module, white background, no
 * quiet zone: the page margin gives it).
 */
import type { PdfNode } from './pdfmake-engine.js';
import { qrModules } from './qr.js';

/** Dark runs as [column, row, length] triples. */
function runsOf(size: number, dark: Uint8Array): number[] {
  const runs: number[] = [];
  for (let row = 0; row < size; row += 1) {
    let column = 0;
    while (column < size) {
      if (dark[row * size + column] !== 1) {
        column += 1;
        continue;
      }
      const start = column;
      while (column < size && dark[row * size + column] === 1) column += 1;
      runs.push(start, row, column - start);
    }
  }
  return runs;
}

/**
 * A canvas shape pdfmake measures and moves as an empty rectangle at (x, y), drawn by `drawRuns`.
 * Were the renderer not to know it, it would draw nothing (an empty rectangle), never a black square.
 */
export interface RunsVector {
  type: 'rect';
  x: number;
  y: number;
  w: 0;
  h: 0;
  unit: number;
  runs: readonly number[];
  color: string;
}

export function isRunsVector(vector: Record<string, unknown>): boolean {
  return Array.isArray(vector.runs) && typeof vector.unit === 'number';
}

/** pdfkit's number format (6 decimals at most, no exponent). */
function pdfNumber(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** The content operators of a runs vector: one `re` per run, then one fill. */
export function runsContent(vector: RunsVector): string {
  const { x, y, unit, runs } = vector;
  const parts: string[] = [];
  for (let index = 0; index < runs.length; index += 3) {
    const column = runs[index] ?? 0;
    const row = runs[index + 1] ?? 0;
    const length = runs[index + 2] ?? 0;
    parts.push(`${pdfNumber(x + column * unit)} ${pdfNumber(y + row * unit)} ${length * unit} ${unit} re`);
  }
  return parts.join('\n');
}

/** The pdfmake canvas of `text`'s QR code at level M, `fit` points wide at most. */
export function qrCanvas(text: string, fit: number): PdfNode[] {
  const { size: modules, dark } = qrModules(text);
  const unit = Math.max(1, Math.floor(fit / modules));
  const size = modules * unit;
  const runs: RunsVector = {
    type: 'rect',
    x: 0,
    y: 0,
    w: 0,
    h: 0,
    unit,
    runs: runsOf(modules, dark),
    color: '#000000',
  };
  return [{ type: 'rect', x: 0, y: 0, w: size, h: size, lineWidth: 0, color: '#ffffff' }, { ...runs }];
}
