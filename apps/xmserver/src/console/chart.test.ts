import { expect, test } from 'vitest';
import { barCell, barChart } from './chart.js';

test('bars are scaled to the largest; one value alone takes one slot of the minimum, not the chart', () => {
  const svg = barChart([1], 'acts', '', 12).toString();
  expect(svg).toContain('width="49.0"');
  const two = barChart([5, 10], 'rows').toString();
  expect(two).toMatch(
    /<rect x="0.0" y="31" width="299.0" height="29"><\/rect><rect x="300.0" y="2" width="299.0" height="58">/,
  );
  expect(barChart([], 'none').toString()).toContain('aria-label="none"');
});

test("a table row's bar is its share of the largest row; a zero is no bar, a small count at least a sliver", () => {
  expect(barCell(3, 3).toString()).toContain('<rect width="100" height="10">');
  expect(barCell(1, 4).toString()).toContain('<rect width="25" height="10">');
  expect(barCell(0, 4).toString()).toContain('<rect width="0" height="10">');
  expect(barCell(1, 1000).toString()).toContain('<rect width="1" height="10">');
  expect(barCell(0, 0).toString()).toContain('aria-hidden="true"');
});
