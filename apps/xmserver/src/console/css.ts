/** The console's additions to the web layer's stylesheet (no inline style: the CSP forbids it). */
export const consoleCss = `
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
.filters .field { margin: 0; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; }
.figure strong { font-size: 1.8rem; display: block; }
svg.chart { width: 100%; height: 4.5rem; display: block; }
svg.chart rect { fill: #2b6cb0; }
svg.chart.rows rect { fill: #2f855a; }
td.bar-cell, th.bar-cell { width: 45%; }
svg.bar { width: 100%; height: .9rem; display: block; }
svg.bar rect { fill: #2b6cb0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.negative { color: #b00020; font-weight: 600; }
.inline { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; }
.inline .field { margin: 0; }
.two-columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
`;
