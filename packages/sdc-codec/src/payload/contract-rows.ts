import { type CborReader, CborWriter } from '../cbor.js';
import {
  type ContractColumn,
  type ContractTable,
  columnsThatTravel,
  ORIGIN_COLUMNS,
  type TableRegistry,
} from '../contract.js';
import { SdcError } from '../errors.js';
import type { SdcLimits } from '../limits.js';
import type { Vocabulary } from '../vocabulary.js';
import { readColumn, writeColumn } from './columns.js';
import { headerFingerprint, type PayloadHeader } from './header.js';
import { readOrigins, writeOrigin, writeOrigins } from './origins.js';
import { own, type Row } from './row.js';
import { rowFactories } from './row-factories.js';
import type { ReadStreams, WriteStreams } from './streams.js';
import { readBareValue, writeSingleValue } from './values.js';

// Rows of a contract table (docs/sdc-format.md §4.3): column by column, without field names, checked
// against the contract on both sides.

/** The rows mode of a contract table. */
export const ROWS_CONTRACT = 0;

function checkRow(
  registry: TableRegistry,
  table: ContractTable,
  data: Record<string, unknown>,
  where: string,
): void {
  if (!registry.validateRow) return;
  const result = registry.validateRow(table, data);
  if (!result.ok) {
    const detail = result.errors
      .slice(0, 3)
      .map((error) => `${error.field}: ${error.message}`)
      .join('; ');
    throw new SdcError('schema-mismatch', `${where}: ${detail}`);
  }
}

export function writeContractRows(
  out: CborWriter,
  table: ContractTable,
  names: readonly string[],
  rows: readonly Row[],
  registry: TableRegistry,
  createdAt: number,
  vocabulary: Vocabulary,
): void {
  const known = new Set(names);
  for (const name of ORIGIN_COLUMNS) known.add(name);
  known.add('status');
  for (const [index, row] of rows.entries()) {
    if (typeof row !== 'object' || row === null)
      throw new SdcError('invalid-input', `row ${index} is not an object`);
    const data: Record<string, unknown> = {};
    for (const key of Object.keys(row)) {
      if (!known.has(key)) {
        throw new SdcError('schema-mismatch', `row ${index}: table ${table.name} has no column "${key}"`);
      }
    }
    for (const name of names) if (own(row, name) !== undefined) data[name] = own(row, name);
    checkRow(registry, table, data, `row ${index}`);
  }
  // Column-major: values of one column sit together, so they compress far better than row by row.
  let last = names.length - 1;
  while (last >= 0 && rows.every((row) => (own(row, names[last] as string) ?? null) === null)) last--;
  const single = rows.length === 1;
  // [0, 1, origin, columns…] for one row; [0, n, bits, strings, origins, columns…] for a batch.
  out.head(4, last + (single ? 4 : 6));
  out.integer(ROWS_CONTRACT);
  out.integer(rows.length);
  // Each row's timestamp anchor (§4.3): the creation time, then its latest date or timestamp.
  const anchors: number[] = new Array(rows.length).fill(createdAt);
  if (single) {
    // With a single row, every column is its bare value: no array around one element.
    writeOrigin(out, rows[0] as Row, 0);
    for (let i = 0; i <= last; i++) {
      const name = names[i] as string;
      const column = table.columns[name] as ContractColumn;
      writeSingleValue(out, column, own(rows[0] as Row, name) ?? null, `column ${name}`, anchors, vocabulary);
    }
    return;
  }
  // Packed columns and text items gather in two streams ahead of the columns (§4.3): brotli then
  // sees one run of dense bits and one run of text instead of both interleaved.
  const streams: WriteStreams = { bits: [], strings: [] };
  const columns = new CborWriter();
  writeOrigins(columns, rows, streams);
  for (let i = 0; i <= last; i++) {
    const name = names[i] as string;
    const column = table.columns[name] as ContractColumn;
    const values = rows.map((row) => own(row, name) ?? null);
    if (values.every((value) => value === null)) columns.simple(null);
    else writeColumn(columns, column, values, name, anchors, streams, vocabulary);
  }
  out.bytes(Buffer.concat(streams.bits));
  out.text(streams.strings.join(''));
  out.raw(columns.finish());
}

/** The rest of a contract rows array whose length (`count`) and mode the caller has read. */
export function readContractRows(
  reader: CborReader,
  count: number,
  header: PayloadHeader,
  registry: TableRegistry,
  limits: SdcLimits,
  senderNumero: boolean,
  vocabulary: Vocabulary,
): Row[] {
  if (header.fingerprint === null) throw new SdcError('malformed', 'contract rows without a fingerprint');
  const contract = registry.findTable(header.table as string);
  if (!contract) throw new SdcError('schema-mismatch', `table ${header.table} is not in the local contract`);
  if (headerFingerprint(contract.fingerprint) !== header.fingerprint) {
    throw new SdcError('schema-mismatch', `table ${header.table} has a different contract fingerprint`);
  }
  const names = columnsThatTravel(registry, contract);
  if (count < 3) throw new SdcError('malformed', 'contract rows without a row count');
  const rowCount = reader.uint();
  if (rowCount > limits.maxRows) throw new SdcError('too-large', `more than ${limits.maxRows} rows`);
  if (header.kind === 'rows' && rowCount === 0) throw new SdcError('malformed', 'no rows');
  const single = rowCount === 1;
  const columnCount = count - (single ? 3 : 5);
  if (columnCount < 0 || columnCount > names.length) {
    throw new SdcError('schema-mismatch', `${columnCount} columns, the contract has ${names.length}`);
  }
  const streams: ReadStreams = single
    ? { bits: new Uint8Array(0), bitOffset: 0, strings: '', stringOffset: 0 }
    : { bits: reader.bytesValue(), bitOffset: 0, strings: reader.textValue(), stringOffset: 0 };
  // Read column by column into arrays, then each row is built at once from its contract's factory.
  const matricules: (string | null)[] = new Array(rowCount);
  const numeros: (number | null)[] = new Array(rowCount);
  readOrigins(reader, matricules, numeros, header.sender, streams);
  const anchors: number[] = new Array(rowCount).fill(header.createdAt.getTime());
  const columns: (readonly unknown[])[] = new Array(names.length);
  let nulls: unknown[] | undefined;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (i >= columnCount || (!single && reader.isNull())) {
      nulls ??= new Array(rowCount).fill(null);
      columns[i] = nulls;
      continue;
    }
    const column = contract.columns[name] as ContractColumn;
    columns[i] = single
      ? [readBareValue(reader, column, limits, name, anchors, 0, vocabulary)]
      : readColumn(reader, column, rowCount, limits, name, anchors, streams, vocabulary);
  }
  if (streams.bitOffset !== streams.bits.length || streams.stringOffset !== streams.strings.length) {
    throw new SdcError('malformed', 'bytes left over in the streams');
  }
  const factories = rowFactories(contract, names);
  if (registry.validateRow) {
    for (let r = 0; r < rowCount; r++) checkRow(registry, contract, factories.data(columns, r), `row ${r}`);
  }
  const rows: Record<string, unknown>[] = new Array(rowCount);
  const sender = header.sender;
  for (let r = 0; r < rowCount; r++) {
    const matricule = matricules[r] as string | null;
    rows[r] =
      senderNumero && matricule === sender
        ? factories.ownRow(matricule, numeros[r] as number | null, columns, r)
        : factories.row(matricule, numeros[r] as number | null, columns, r);
  }
  return rows;
}
