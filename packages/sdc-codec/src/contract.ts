/**
 * The part of @xmcomm/contract's table contract the codec reads, declared here as a small
 * structural interface so that any table definition with this shape can be encoded
 * (integrators may bring their own registry).
 */

export type ContractColumnType =
  | 'text'
  | 'integer'
  | 'bigint'
  | 'smallint'
  | 'boolean'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'numeric'
  | 'bytes'
  | 'json'
  | 'uuid'
  | 'enum';

export interface ContractColumn {
  readonly type: ContractColumnType;
  readonly required: boolean;
  readonly maxLength?: number;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

export interface ContractTable {
  readonly name: string;
  /** Every column in declaration order. */
  readonly columns: Readonly<Record<string, ContractColumn>>;
  /** Hex SHA-256 of the canonical definition. */
  readonly fingerprint: string;
}

/** Finds the contract of a table by name; `undefined` means the table travels generically. */
export interface TableRegistry {
  findTable(name: string): ContractTable | undefined;
  /** The columns that travel in a container, in contract order. Defaults to every column but `numero` and `status`. */
  transportedColumns?(table: ContractTable): readonly string[];
  /** Checks a row's data columns against the contract's rules (lengths, ranges, patterns); run on encode and decode. */
  validateRow?(
    table: ContractTable,
    row: Readonly<Record<string, unknown>>,
  ):
    | { readonly ok: true }
    | {
        readonly ok: false;
        readonly errors: readonly { readonly field: string; readonly message: string }[];
      };
}

/**
 * Columns that never travel as data: `numero` and the origin pair travel in the row's origin slot,
 * `status` is local to each database.
 */
export const ORIGIN_COLUMNS = ['numero', 'origin_matricule', 'origin_numero'] as const;
const LOCAL_COLUMNS = new Set<string>([...ORIGIN_COLUMNS, 'status']);

/**
 * Cached per registry and table: decoding asks for every container, and a registry's answer for a
 * table does not change (the contract's fingerprint would).
 */
const travelling = new WeakMap<TableRegistry, WeakMap<ContractTable, readonly string[]>>();
const withoutRegistry = new WeakMap<ContractTable, readonly string[]>();

export function columnsThatTravel(
  registry: TableRegistry | undefined,
  table: ContractTable,
): readonly string[] {
  let cache = registry ? travelling.get(registry) : withoutRegistry;
  if (!cache) {
    cache = new WeakMap();
    travelling.set(registry as TableRegistry, cache);
  }
  let names = cache.get(table);
  if (!names) {
    const listed = registry?.transportedColumns?.(table);
    names = (listed ?? Object.keys(table.columns)).filter((name) => !LOCAL_COLUMNS.has(name));
    cache.set(table, names);
  }
  return names;
}
