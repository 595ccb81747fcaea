import { describe, expect, test } from 'vitest';
import { XmServerError } from './errors.js';
import { parseStatisticsFilter, type StatisticsLine, statisticsCsv, totalsBy } from './statistics.js';

const line = (table: string, month: string, region: string, sex: StatisticsLine['sex'], acts: number) => ({
  table,
  month,
  region,
  sex,
  acts,
});

describe('totals along an axis', () => {
  const cube = [
    line('births', '2026-10', 'Centre', 'female', 2),
    line('births', '2026-11', '', 'male', 1),
    line('deaths', '2026-11', 'Adamaoua, Nord', 'male', 4),
    line('marriages', '', 'Centre', 'not-recorded', 1),
  ];

  test('sums the cube, "not recorded" (empty) last, every sex listed even at 0', () => {
    expect(totalsBy(cube, 'region')).toEqual([
      ['Adamaoua, Nord', 4],
      ['Centre', 3],
      ['', 1],
    ]);
    expect(totalsBy([cube[0] as StatisticsLine], 'sex')).toEqual([
      ['male', 0],
      ['female', 2],
      ['not-recorded', 0],
    ]);
    expect(totalsBy(cube, 'month').map(([key]) => key)).toEqual(['2026-10', '2026-11', '']);
  });

  test('CSV quotes a region with a comma or a quote', () => {
    expect(statisticsCsv('region', totalsBy(cube, 'region'))).toBe(
      'region,acts\n"Adamaoua, Nord",4\nCentre,3\n,1\n',
    );
    expect(statisticsCsv('region', [['Say "hi"', 1]])).toBe('region,acts\n"Say ""hi""",1\n');
  });
});

describe('the filter', () => {
  test('months YYYY-MM, in order, and a table with acts', () => {
    expect(parseStatisticsFilter({ from: '2026-01', to: '2026-12', table: 'deaths' })).toEqual({
      from: '2026-01',
      to: '2026-12',
      table: 'deaths',
    });
    for (const wrong of [
      { from: '2026-1' },
      { to: '2026-13' },
      { from: '2026-05', to: '2026-04' },
      { table: 'issued_documents' },
    ]) {
      expect(() => parseStatisticsFilter(wrong)).toThrow(XmServerError);
    }
  });
});

test('a region typed as a formula stays text in the CSV (CSV injection)', () => {
  expect(
    statisticsCsv('region', [
      ['=HYPERLINK("http://x")', 2],
      ['Centre', 1],
    ]),
  ).toBe('region,acts\n"\'=HYPERLINK(""http://x"")",2\nCentre,1\n');
});
