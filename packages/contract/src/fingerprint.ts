import { createHash } from 'node:crypto';
import type { ColumnSpec } from './columns.js';

const fingerprintVersion = 1;

/** The parts of a column that decide which rows are valid and how they are shaped. Labels and defaults do not. */
function canonicalColumn(name: string, spec: ColumnSpec): unknown[] {
  return [
    name,
    spec.type,
    spec.required,
    spec.maxLength ?? null,
    spec.values ?? null,
    spec.min ?? null,
    spec.max ?? null,
    spec.pattern ?? null,
  ];
}

/**
 * SHA-256 over a canonical JSON array: stable across runs and platforms (no object key order involved),
 * and different as soon as a column is added, removed, renamed, reordered or changes its rules.
 */
export function fingerprintOf(table: {
  name: string;
  kind: string;
  columns: Readonly<Record<string, ColumnSpec>>;
}): string {
  const canonical = [
    'xmcomm-table',
    fingerprintVersion,
    table.name,
    table.kind,
    Object.entries(table.columns).map(([name, spec]) => canonicalColumn(name, spec)),
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
