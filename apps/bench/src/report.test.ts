import { describe, expect, it } from 'vitest';
import { figure, markdownTable, percentile } from './report.js';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('figure and markdownTable', () => {
  it('formats numbers and aligns columns', () => {
    expect(figure(12345.678, 1)).toBe('12,345.7');
    expect(figure(Number.NaN)).toBe('n/a');
    expect(markdownTable(['a', 'bb'], [['1', '22222']])).toBe('| a | bb    |\n| - | ----- |\n| 1 | 22222 |');
  });
});
