import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseKind } from '@xmcomm/schema';
import { usageError } from './errors.js';

// Small pieces every site CLI's commands use.

/** A whole number typed on the command line (at most nine digits). */
export function integerOption(value: string): number {
  if (!/^\d{1,9}$/.test(value))
    throw usageError(`${value} is not a whole number.`, `${value} n'est pas un nombre entier.`);
  return Number(value);
}

/** A repeatable option's values, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The folder of an embedded database named by a path or a `file://` URL; undefined for PostgreSQL or memory. */
export function embeddedDatabaseFolder(url: string): string | undefined {
  if (databaseKind(url) === 'postgres' || url === '' || url === 'memory://') return undefined;
  if (url.startsWith('file://')) return fileURLToPath(url);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? undefined : resolvePath(url);
}
