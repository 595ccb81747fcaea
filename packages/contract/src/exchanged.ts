import { civilRegistrationTables } from './tables/civil-registration.js';

/** The exchanged tables known to this contract, by name. */
export const exchangedTables = civilRegistrationTables;

export type ExchangedTableName = (typeof exchangedTables)[number]['name'];

/** Looks up an exchanged table by name among `tables` (the civil registration tables by default). */
export function findTable<T extends { readonly name: string }>(
  name: string,
  tables: readonly T[] = exchangedTables as unknown as readonly T[],
): T | undefined {
  return tables.find((table) => table.name === name);
}
