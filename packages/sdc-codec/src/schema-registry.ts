import { type AnyTable, exchangedTables, findTable, transportedColumns, validateRow } from '@xmcomm/contract';
import type { ContractTable, TableRegistry } from './contract.js';

const tables = exchangedTables as unknown as readonly AnyTable[];

/**
 * The exchanged tables of @xmcomm/contract (births, marriages, deaths): what encoders and
 * decoders use unless given another registry.
 */
export const schemaTables: TableRegistry = {
  findTable: (name) => findTable<AnyTable>(name, tables),
  transportedColumns: (table) => transportedColumns(table as AnyTable),
  validateRow: (table: ContractTable, row: Readonly<Record<string, unknown>>) =>
    validateRow(table as AnyTable, row),
};
