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
