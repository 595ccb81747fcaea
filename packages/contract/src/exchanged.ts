import { civilRegistrationTables } from './tables/civil-registration.js';
import { issuedDocuments } from './tables/issued-documents.js';

/** The exchanged tables known to this contract: civil registration's, and the documents issued from them. */
export const exchangedTables = [...civilRegistrationTables, issuedDocuments] as const;

export type ExchangedTableName = (typeof exchangedTables)[number]['name'];

/** Looks up an exchanged table by name among `tables` (the civil registration tables by default). */
export function findTable<T extends { readonly name: string }>(
  name: string,
  tables: readonly T[] = exchangedTables as unknown as readonly T[],
): T | undefined {
  return tables.find((table) => table.name === name);
}
