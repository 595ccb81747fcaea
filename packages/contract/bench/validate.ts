// Times validateRow on births rows shaped as status-sync's planRows gives them (a fresh object per row,
// built field by field). Run: npm run bench -w @xmcomm/contract (ROUNDS=n to change the 12 rounds).
import { births } from '../src/tables/civil-registration.js';
import { sampleBirth } from '../src/testing.js';
import { validateRow } from '../src/validate.js';

const count = 3200;
const rounds = Number(process.env.ROUNDS ?? 12);
const rows = Array.from({ length: count }, (_, i) => {
  const source: Record<string, unknown> = { ...sampleBirth, niu: `B-${i}` };
  const row: Record<string, unknown> = {};
  for (const field of Object.keys(source)) row[field] = source[field];
  return row;
});

const wall: number[] = [];
const cpu: number[] = [];
let accepted = 0;
for (let round = 0; round < rounds; round++) {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  for (const row of rows) if (validateRow(births, row).ok) accepted++;
  const used = process.cpuUsage(startCpu);
  wall.push(((performance.now() - start) * 1000) / count);
  cpu.push((used.user + used.system) / count);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
console.log(
  `validateRow(births): ${median(wall).toFixed(2)} µs/row wall, ${median(cpu).toFixed(2)} µs/row CPU` +
    ` (medians of ${rounds} rounds of ${count} rows, ${accepted} accepted)`,
);
