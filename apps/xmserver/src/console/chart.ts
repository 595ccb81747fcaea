import { type Html, html, raw } from '@xmcomm/web-kit';

/**
 * Bars as an inline SVG drawn here (no chart library, no script): one bar per value, scaled to the
 * largest; `label` is the accessible name.
 */
export function barChart(values: readonly number[], label: string, kind = '', minimumSlots = 1): Html {
  const width = 600;
  const height = 60;
  const max = Math.max(1, ...values);
  // At least `minimumSlots` bar widths: one month alone is a bar, not the whole chart.
  const step = width / Math.max(1, minimumSlots, values.length);
  const bars = values
    .map((value, index) => {
      const h = Math.round((value / max) * (height - 2));
      return `<rect x="${(index * step).toFixed(1)}" y="${height - h}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h}"></rect>`;
    })
    .join('');
  return html`<svg class="chart ${kind}" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="${label}">${raw(bars)}</svg>`;
}

/**
 * A bar for one row of a table, scaled to `max`: the row's label and figure are the table's own
 * cells beside it, so a bar never stands without saying what it counts. SVG attributes, not a
 * style: the console's CSP allows no inline style.
 */
export function barCell(value: number, max: number): Html {
  const width = max > 0 ? Math.max(value > 0 ? 1 : 0, Math.round((value / max) * 100)) : 0;
  return html`<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect width="${width}" height="10"></rect></svg>`;
}
