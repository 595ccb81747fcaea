import { loadForms, serverFormsMigrations } from '@xmcomm/forms';
import { type AnyTable, migrateToLatest } from '@xmcomm/schema';
import type { ServerDb } from './database.js';
import { serverTables } from './restricted-tables.js';

/**
 * The exchanged tables the service accepts: the contract's, the criminal record's, and those of the forms installed
 * (`xmserver forms install`). One array, which the codec and status-sync read at each container;
 * `refresh` (run at housekeeping) adds a form installed meanwhile, or its new version's table.
 */
export async function acceptedTables(
  db: ServerDb,
): Promise<{ readonly tables: readonly AnyTable[]; refresh(): Promise<void> }> {
  await migrateToLatest(db, serverFormsMigrations);
  const tables: AnyTable[] = [...serverTables];
  const refresh = async () => {
    for (const form of await loadForms(db, 'server')) {
      const index = tables.findIndex((table) => table.name === form.table.name);
      if (index < 0) tables.push(form.table);
      else if (tables[index]?.fingerprint !== form.table.fingerprint) tables[index] = form.table;
    }
  };
  await refresh();
  return { tables, refresh };
}
