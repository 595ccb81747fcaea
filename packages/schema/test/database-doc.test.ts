import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { allTables, databaseDocument } from '../scripts/database-document.js';

/** Table padding is a formatter's business, not the contract's. */
const normalise = (markdown: string) => markdown.replace(/[ \t]+/g, '').replace(/-{3,}/g, '---');

test('docs/database.md describes the contract as it is (regenerate: npm run docs:database -w @xmcomm/schema)', () => {
  const written = readFileSync(new URL('../../../docs/database.md', import.meta.url), 'utf8');
  expect(normalise(written)).toBe(normalise(databaseDocument()));
});

test('every table the package exports has a distinct qualified name', () => {
  const names = allTables().map((table) => table.qualifiedName);
  expect(names.length).toBeGreaterThanOrEqual(14);
  expect(new Set(names).size).toBe(names.length);
});
