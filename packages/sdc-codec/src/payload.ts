import { CborReader, type CborValue, CborWriter } from './cbor.js';
import { type Compression, compressBody, decompressBody } from './compression.js';
import {
  type ContractColumn,
  type ContractTable,
  columnsThatTravel,
  ORIGIN_COLUMNS,
  type TableRegistry,
} from './contract.js';
import { fail, SdcError, type SdcResult } from './errors.js';
import { resolveLimits, type SdcLimits } from './limits.js';
import { packColumn, unpackColumnAt } from './packed.js';
import { schemaTables } from './schema-registry.js';
import { isCanonicalUuid, isUuidV7, uuidToBytes, uuidToString, uuidV7Time, uuidv7 } from './uuid.js';
import { VOCABULARY, vocabularyIndex } from './vocabulary.js';

export const PAYLOAD_VERSION = 2;

export const PAYLOAD_KINDS = ['rows', 'import-request', 'import-response', 'receipt', 'control'] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

/**
 * One row: fields by name. For a contract table the origin travels in its own slot: `numero` (the
 * sender's own row) or `origin_matricule` + `origin_numero` (a relayed row); decoded rows always carry
 * `origin_matricule` and `origin_numero` as the receiver should store them.
 */
export type Row = Readonly<Record<string, unknown>>;

export const FILTER_OPERATORS = [
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'like',
  'in',
  'between',
  'is-null',
  'not-null',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface FilterOrder {
  field: string;
  direction: 'asc' | 'desc';
}

/**
 * A structured import filter: never SQL. The server checks it against the table contract. `in` takes
 * an array of values, `between` an array of two (inclusive bounds), `is-null` and `not-null` none.
 */
export interface ImportFilter {
  table: string;
  where: readonly { field: string; op: FilterOperator; value?: unknown }[];
  /** Sort keys, first one first (empty or absent: the server's order). */
  order?: readonly FilterOrder[];
  limit?: number | null;
  cursor?: string | null;
}

export type ReceiptResult =
  | { numero: number; accepted: true }
  | { numero: number; accepted: false; reason: string };

export interface Receipt {
  /** The container id this receipt answers. */
  acknowledges: string;
  results: readonly ReceiptResult[];
}

/** The header fields replay protection and routing need; readable without the body. */
export interface PayloadHeader {
  version: number;
  kind: PayloadKind;
  /** Unique per container (UUIDv7 by default). */
  containerId: string;
  /** The sender's matricule. */
  sender: string;
  /** The recipient's matricule, or null for "the server". */
  recipient: string | null;
  createdAt: Date;
  /** Per-sender sequence number. */
  sequence: number;
  /** For rows and import responses: the table. */
  table: string | null;
  /** The first 8 bytes (16 hex digits) of the contract fingerprint, or null when the table travels generically. */
  fingerprint: string | null;
}

export type PayloadBody =
  | { kind: 'rows'; rows: Row[] }
  | {
      kind: 'import-response';
      rows: Row[];
      cursor: string | null;
      /** The container id of the import request this page answers (null: not said). */
      request: string | null;
    }
  | { kind: 'import-request'; filter: ImportFilter }
  | { kind: 'receipt'; receipt: Receipt }
  | { kind: 'control'; message: Readonly<Record<string, unknown>> };

export interface Payload {
  header: PayloadHeader;
  body: PayloadBody;
}

export interface PayloadHeaderInput {
  containerId?: string;
  sender: string;
  recipient?: string | null;
  createdAt?: Date;
  sequence: number;
}

export type PayloadInput = PayloadHeaderInput &
  (
    | { kind: 'rows'; table: string; rows: readonly Row[] }
    | {
        kind: 'import-response';
        table: string;
        rows: readonly Row[];
        cursor?: string | null;
        /** The container id of the import request answered. */
        request?: string | null;
      }
    | { kind: 'import-request'; filter: ImportFilter }
    | { kind: 'receipt'; receipt: Receipt }
    | { kind: 'control'; message: Readonly<Record<string, unknown>> }
  );

export interface PayloadOptions {
  /** Where contract tables are found; a table it does not know travels generically (field names included). */
  tables?: TableRegistry;
  limits?: Partial<SdcLimits>;
  /** Body compression on encode (default brotli); decoding reads the method from the header. */
  compression?: Compression;
  /**
   * On decode of a `rows` body: a contract row whose origin is the container's sender (its
   * `origin_matricule` is the header's sender) also carries `numero`, equal to its `origin_numero`
   * and after the columns: the number the sender gave its own row. Off by default.
   */
  senderNumero?: boolean;
}

const ROWS_CONTRACT = 0;
const ROWS_GENERIC = 1;
/** CBOR tag 25 (stringref): the nth string already sent in the same generic column. */
const STRINGREF_TAG = 25;

const FINGERPRINT_BYTES = 8;
const DAY_MS = 86_400_000;

/**
 * Encodes a payload: the inner bytes that get signed and encrypted.
 * Throws SdcError (invalid-input, schema-mismatch, too-large) when the input is wrong:
 * encoding is the caller's own data, not hostile bytes.
 */
export function encodePayload(input: PayloadInput, options: PayloadOptions = {}): Uint8Array {
  const limits = resolveLimits(options.limits);
  if (typeof input.sender !== 'string' || input.sender.length === 0) {
    throw new SdcError('invalid-input', 'sender (matricule) is required');
  }
  if (!Number.isSafeInteger(input.sequence) || input.sequence < 0) {
    throw new SdcError('invalid-input', 'sequence must be a non-negative integer');
  }
  // The creation time is the UUIDv7's timestamp: carried once, in the id.
  let containerId: string;
  let createdAt: Date;
  if (input.containerId !== undefined) {
    if (!isUuidV7(input.containerId))
      throw new SdcError('invalid-input', 'containerId must be a lower-case UUIDv7');
    containerId = input.containerId;
    createdAt = new Date(uuidV7Time(uuidToBytes(containerId)));
    if (input.createdAt !== undefined && input.createdAt.getTime() !== createdAt.getTime()) {
      throw new SdcError('invalid-input', "createdAt differs from the containerId's timestamp");
    }
  } else {
    createdAt = input.createdAt ?? new Date();
    if (Number.isNaN(createdAt.getTime()) || createdAt.getTime() < 0 || createdAt.getTime() >= 2 ** 48) {
      throw new SdcError('invalid-input', 'createdAt must be a valid date after 1970');
    }
    containerId = uuidv7(createdAt.getTime());
  }

  let table: string | null = null;
  let contract: ContractTable | undefined;
  const body = new CborWriter();
  switch (input.kind) {
    case 'rows':
    case 'import-response': {
      table = input.table;
      if (typeof table !== 'string' || table.length === 0)
        throw new SdcError('invalid-input', 'table is required');
      if (input.rows.length > limits.maxRows) {
        throw new SdcError('too-large', `${input.rows.length} rows, at most ${limits.maxRows}`);
      }
      if (input.kind === 'rows' && input.rows.length === 0) throw new SdcError('invalid-input', 'no rows');
      const registry = options.tables ?? schemaTables;
      contract = registry.findTable(table);
      if (input.kind === 'import-response') {
        // Checked before the rows are written: a bad request id is the caller's mistake, said early.
        if (input.request != null && !isCanonicalUuid(input.request))
          throw new SdcError('invalid-input', 'request must be the container id of an import request');
        body.head(4, 3);
      }
      if (contract)
        writeContractRows(
          body,
          contract,
          columnsThatTravel(registry, contract),
          input.rows,
          registry,
          createdAt.getTime(),
        );
      else writeGenericRows(body, input.rows);
      if (input.kind === 'import-response') {
        writeNullableText(body, input.cursor ?? null);
        if (input.request == null) body.simple(null);
        else body.bytes(uuidToBytes(input.request));
      }
      break;
    }
    case 'import-request':
      writeFilter(body, input.filter);
      break;
    case 'receipt':
      writeReceipt(body, input.receipt);
      break;
    case 'control':
      if (typeof input.message !== 'object' || input.message === null || Array.isArray(input.message)) {
        throw new SdcError('invalid-input', 'control message must be an object');
      }
      body.value(input.message);
      break;
    default:
      throw new SdcError('invalid-input', 'unknown payload kind');
  }
  const plain = body.finish();
  const { compression, body: bodyBytes } = compressBody(plain, options.compression ?? 'brotli');

  const out = new CborWriter();
  out.head(4, 10);
  out.integer(PAYLOAD_VERSION);
  out.integer(PAYLOAD_KINDS.indexOf(input.kind));
  out.bytes(uuidToBytes(containerId));
  out.text(input.sender);
  writeNullableText(out, input.recipient ?? null);
  out.integer(input.sequence);
  writeNullableText(out, table);
  if (contract) out.bytes(Buffer.from(contract.fingerprint.slice(0, FINGERPRINT_BYTES * 2), 'hex'));
  else out.simple(null);
  out.integer(compression);
  out.bytes(bodyBytes);
  return out.finish();
}

/** Reads only the header: cheap, for routing and replay checks before the body is decompressed. */
export function decodePayloadHeader(bytes: Uint8Array): SdcResult<PayloadHeader> {
  const opened = openPayload(bytes);
  return opened.ok ? { ok: true, value: opened.value.header } : opened;
}

/** A payload whose header is read and whose body is not yet decompressed nor decoded. */
export interface OpenedPayload {
  header: PayloadHeader;
  compression: number;
  body: Uint8Array;
}

/**
 * Reads the header and checks that nothing follows the body, without decompressing it: the
 * container decoder checks the header against the signer, then finishes with `decodeOpenedPayload`
 * (one pass over the bytes instead of a header parse followed by a full parse).
 */
export function openPayload(bytes: Uint8Array): SdcResult<OpenedPayload> {
  try {
    const reader = new CborReader(bytes);
    const opened = readHeader(reader);
    reader.end();
    return { ok: true, value: opened };
  } catch (error) {
    return asFailure(error);
  }
}

/** Decompresses and decodes the body of an opened payload; never throws. */
export function decodeOpenedPayload(opened: OpenedPayload, options: PayloadOptions = {}): SdcResult<Payload> {
  try {
    const limits = resolveLimits(options.limits);
    const { header } = opened;
    const plain = decompressBody(opened.body, opened.compression, limits.maxDecompressedBytes);
    const bodyReader = new CborReader(plain, { maxDepth: 32, maxItems: limits.maxRows * 4096 + 1024 });
    const decoded = readBody(
      bodyReader,
      header,
      options.tables ?? schemaTables,
      limits,
      options.senderNumero === true,
    );
    bodyReader.end();
    return { ok: true, value: { header, body: decoded } };
  } catch (error) {
    return asFailure(error);
  }
}

/** Decodes a payload; never throws. Fails with malformed, unsupported-version, schema-mismatch, too-large or decompression-limit. */
export function decodePayload(bytes: Uint8Array, options: PayloadOptions = {}): SdcResult<Payload> {
  const opened = openPayload(bytes);
  return opened.ok ? decodeOpenedPayload(opened.value, options) : opened;
}

function asFailure(error: unknown): { ok: false; error: SdcError } {
  if (SdcError.isInstance(error)) return { ok: false, error };
  return fail('malformed', error instanceof Error ? error.message : undefined, error);
}

function readHeader(reader: CborReader): { header: PayloadHeader; compression: number; body: Uint8Array } {
  const fields = reader.arrayHead();
  if (fields < 1) throw new SdcError('malformed', 'empty payload');
  const version = reader.uint();
  if (version !== PAYLOAD_VERSION) throw new SdcError('unsupported-version', `payload version ${version}`);
  if (fields !== 10) throw new SdcError('malformed', 'payload header has the wrong length');
  const kind = PAYLOAD_KINDS[reader.uint()];
  if (!kind) throw new SdcError('unsupported-version', 'unknown payload kind');
  const id = reader.bytesValue();
  if (id.length !== 16 || (id[6] as number) >> 4 !== 7)
    throw new SdcError('malformed', 'container id must be a UUIDv7');
  const createdAt = new Date(uuidV7Time(id));
  const sender = reader.textValue();
  const recipient = reader.isNull() ? null : reader.textValue();
  const sequence = reader.uint();
  const table = reader.isNull() ? null : reader.textValue();
  let fingerprint: string | null = null;
  if (!reader.isNull()) {
    const bytes = reader.bytesValue();
    if (bytes.length !== FINGERPRINT_BYTES) throw new SdcError('malformed', 'fingerprint must be 8 bytes');
    fingerprint = Buffer.from(bytes).toString('hex');
  }
  const compression = reader.uint();
  const body = reader.bytesValue();
  if ((kind === 'rows' || kind === 'import-response') && table === null) {
    throw new SdcError('malformed', 'rows without a table');
  }
  return {
    header: {
      version,
      kind,
      containerId: uuidToString(id),
      sender,
      recipient,
      createdAt,
      sequence,
      table,
      fingerprint,
    },
    compression,
    body,
  };
}

function readBody(
  reader: CborReader,
  header: PayloadHeader,
  tables: TableRegistry,
  limits: SdcLimits,
  senderNumero: boolean,
): PayloadBody {
  switch (header.kind) {
    case 'rows':
      return { kind: 'rows', rows: readRows(reader, header, tables, limits, senderNumero) };
    case 'import-response': {
      if (reader.arrayHead() !== 3)
        throw new SdcError('malformed', 'import response must have rows, a cursor and a request id');
      const rows = readRows(reader, header, tables, limits, false);
      const cursor = reader.isNull() ? null : reader.textValue();
      let request: string | null = null;
      if (!reader.isNull()) {
        const id = reader.bytesValue();
        if (id.length !== 16) throw new SdcError('malformed', 'import response request id');
        request = uuidToString(id);
      }
      return { kind: 'import-response', rows, cursor, request };
    }
    case 'import-request':
      return { kind: 'import-request', filter: readFilter(reader) };
    case 'receipt':
      return { kind: 'receipt', receipt: readReceipt(reader, limits) };
    case 'control': {
      const message = reader.value();
      if (!isPlainMap(message)) throw new SdcError('malformed', 'control message must be a map');
      return { kind: 'control', message };
    }
  }
}

function isPlainMap(value: CborValue): value is { readonly [key: string]: CborValue } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  );
}

// ---- rows -------------------------------------------------------------------------------------

function writeContractRows(
  out: CborWriter,
  table: ContractTable,
  names: readonly string[],
  rows: readonly Row[],
  registry: TableRegistry,
  createdAt: number,
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
  // Each row's timestamp anchor (§4.4): the creation time, then its latest date or timestamp.
  const anchors: number[] = new Array(rows.length).fill(createdAt);
  if (single) {
    // With a single row, every column is its bare value: no array around one element.
    writeOrigin(out, rows[0] as Row, 0);
    for (let i = 0; i <= last; i++) {
      const name = names[i] as string;
      const column = table.columns[name] as ContractColumn;
      writeSingleValue(out, column, own(rows[0] as Row, name) ?? null, `column ${name}`, anchors);
    }
    return;
  }
  // Packed columns and text items gather in two streams ahead of the columns (§4.4): brotli then
  // sees one run of dense bits and one run of text instead of both interleaved (3% smaller).
  const streams: WriteStreams = { bits: [], strings: [] };
  const columns = new CborWriter();
  writeOrigins(columns, rows, streams);
  for (let i = 0; i <= last; i++) {
    const name = names[i] as string;
    const column = table.columns[name] as ContractColumn;
    const values = rows.map((row) => own(row, name) ?? null);
    if (values.every((value) => value === null)) columns.simple(null);
    else writeColumn(columns, column, values, name, anchors, streams);
  }
  out.bytes(Buffer.concat(streams.bits));
  out.text(streams.strings.join(''));
  out.raw(columns.finish());
}

/** What the columns of a batch put in the streams: packed columns, and text items each ended by a line feed. */
interface WriteStreams {
  bits: Uint8Array[];
  strings: string[];
}

/**
 * Origins of a batch: packed row numbers when every row is the sender's own (or unknown), the
 * usual case, where consecutive numbers cost nothing; an array of origins otherwise.
 */
function writeOrigins(out: CborWriter, rows: readonly Row[], streams: WriteStreams): void {
  const numbers: (number | null)[] = [];
  for (const [index, row] of rows.entries()) {
    if ((own(row, 'origin_matricule') ?? null) !== null) break;
    const numero = own(row, 'numero') ?? null;
    if (numero !== null && !isNumber(numero))
      throw new SdcError('invalid-input', `row ${index}: numero must be a non-negative integer`);
    numbers.push(numero);
  }
  const packed = numbers.length === rows.length ? packColumn(numbers) : undefined;
  if (packed) {
    streams.bits.push(packed);
    out.integer(0);
    return;
  }
  out.head(4, rows.length);
  for (const [index, row] of rows.entries()) writeOrigin(out, row, index);
}

/**
 * The number a packable value stands for (§4.3): enum index, 0/1, the integer, days, seconds, or
 * for a timestamp its absolute milliseconds; undefined when it must travel as text (an enum value
 * outside the contract, a date or time not in canonical form). Throws for a value of the wrong type.
 */
function numberOf(column: ContractColumn, value: unknown, where: string): number | undefined {
  switch (column.type) {
    case 'enum': {
      if (typeof value !== 'string') throw valueMismatch(where, 'a string');
      const index = column.values?.indexOf(value) ?? -1;
      return index >= 0 ? index : undefined;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw valueMismatch(where, 'a boolean');
      return value ? 1 : 0;
    case 'integer':
    case 'smallint':
    case 'bigint':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw valueMismatch(where, 'an integer');
      return value;
    case 'date':
      if (typeof value !== 'string') throw valueMismatch(where, 'a YYYY-MM-DD string');
      return dateToDays(value);
    case 'time':
      if (typeof value !== 'string') throw valueMismatch(where, 'an HH:MM:SS string');
      return timeToSeconds(value);
    case 'timestamp': {
      const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
      if (!date || Number.isNaN(date.getTime())) throw valueMismatch(where, 'a Date');
      return date.getTime();
    }
    default:
      return undefined;
  }
}

const PACKABLE = new Set(['enum', 'boolean', 'integer', 'smallint', 'bigint', 'date', 'time', 'timestamp']);

/** One row's value (§4.3): the bare item. */
function writeSingleValue(
  out: CborWriter,
  column: ContractColumn,
  value: unknown,
  where: string,
  anchors: number[],
): void {
  if (value === null) {
    out.simple(null);
    return;
  }
  if (column.type === 'text' || column.type === 'numeric') {
    if (typeof value !== 'string') throw valueMismatch(where, 'a string');
    const word = vocabularyIndex(value);
    if (word === undefined) out.text(value);
    else out.integer(-1 - word);
    return;
  }
  if (PACKABLE.has(column.type)) {
    const number = numberOf(column, value, where);
    if (number === undefined) {
      out.text(value as string);
      return;
    }
    if (column.type === 'boolean') out.simple(number === 1);
    else if (column.type === 'timestamp') {
      out.integer(number - (anchors[0] as number));
      anchors[0] = number;
    } else {
      if (column.type === 'date') anchors[0] = number * DAY_MS;
      out.integer(number);
    }
    return;
  }
  writeOpaqueValue(out, column, value, where);
}

/** A column of a batch (§4.4): packed when it can be, else an array of bare values. */
function writeColumn(
  out: CborWriter,
  column: ContractColumn,
  values: readonly unknown[],
  name: string,
  anchors: number[],
  streams: WriteStreams,
): void {
  const n = values.length;
  if (column.type === 'text' || column.type === 'numeric') {
    writeTextColumn(out, values, name, streams);
    return;
  }
  if (PACKABLE.has(column.type)) {
    const numbers: (number | null)[] = new Array(n);
    let packable = true;
    for (let r = 0; r < n; r++) {
      const value = values[r];
      const number = value === null ? null : numberOf(column, value, `row ${r}, column ${name}`);
      if (number === undefined) packable = false;
      numbers[r] = number ?? null;
    }
    // Dates and timestamps also try marker 1: relative to the day of the row's anchor (days, or
    // milliseconds from that midnight). A declaration a few days after the birth then costs 5 bits
    // instead of 9; a timestamp, the time of its day. The shorter one is kept.
    let marker = 0;
    let packed: Uint8Array | undefined;
    if (column.type === 'timestamp' || column.type === 'date') {
      const scale = column.type === 'date' ? DAY_MS : 1;
      const chained = numbers.map((number, r) =>
        number === null || number === undefined
          ? null
          : column.type === 'date'
            ? number
            : number - (anchors[r] as number),
      );
      const dayRelative = numbers.map((number, r) =>
        number === null || number === undefined
          ? null
          : number - Math.floor((anchors[r] as number) / DAY_MS) * (column.type === 'date' ? 1 : DAY_MS),
      );
      packed = packable ? packColumn(chained) : undefined;
      const other = packable ? packColumn(dayRelative) : undefined;
      if (other && (!packed || other.length < packed.length)) {
        packed = other;
        marker = 1;
      }
      for (let r = 0; r < n; r++) {
        const number = numbers[r];
        if (number !== null && number !== undefined) anchors[r] = number * scale;
      }
      if (!packed) {
        // Not packable (out of range): bare values, timestamps relative to their anchor as for one row.
        for (let r = 0; r < n; r++) numbers[r] = chained[r] ?? null;
      }
    } else if (packable) packed = packColumn(numbers);
    if (packed) {
      streams.bits.push(packed);
      out.integer(marker);
      return;
    }
    out.head(4, n);
    for (let r = 0; r < n; r++) {
      const value = values[r];
      const number = numbers[r];
      if (value === null) out.simple(null);
      else if (number === null || number === undefined) out.text(value as string);
      else out.integer(number);
    }
    return;
  }
  out.head(4, n);
  for (let r = 0; r < n; r++) {
    const value = values[r];
    if (value === null) out.simple(null);
    else writeOpaqueValue(out, column, value, `row ${r}, column ${name}`);
  }
}

/**
 * A text column of a batch (§4.4): its distinct values in order of first appearance (the items),
 * and one packed entry per row. An entry below the item count names an item, one above names a
 * vocabulary word directly. Items travel in the strings stream (the column says how many), or in
 * the column as an array where an item may also be a word (a negative integer): few distinct
 * words spread over the vocabulary are cheaper listed once with narrow entries. The encoder keeps
 * the shortest way; an item holding a line feed or U+0001 forces the array (measured: a line feed
 * as terminator compresses better than CBOR's length prefixes or U+0000).
 */
function writeTextColumn(
  out: CborWriter,
  values: readonly unknown[],
  name: string,
  streams: WriteStreams,
): void {
  const distinct: string[] = [];
  const seen = new Set<string>();
  let terminated = true;
  for (let r = 0; r < values.length; r++) {
    const value = values[r];
    if (value === null) continue;
    if (typeof value !== 'string') throw valueMismatch(`row ${r}, column ${name}`, 'a string');
    if (!seen.has(value)) {
      seen.add(value);
      distinct.push(value);
      if ((value.includes('\n') || value.includes('\u0001')) && vocabularyIndex(value) === undefined) {
        terminated = false;
      }
    }
  }
  let best = textColumnVariant(values, distinct, true, false);
  const direct = textColumnVariant(values, distinct, false, false);
  if (direct.cost < best.cost) best = direct;
  if (terminated) {
    const inStream = textColumnVariant(values, distinct, false, true);
    if (inStream.cost <= best.cost) best = inStream;
  }
  out.raw(best.column);
  if (best.strings) streams.strings.push(...best.strings);
  streams.bits.push(best.bits);
}

const utf8 = new TextEncoder();

/** The text with its trailing decimal number plus one, zero-padded to its width; undefined without one. */
function incremented(text: string): string | undefined {
  let start = text.length;
  while (start > 0 && text.charCodeAt(start - 1) >= 0x30 && text.charCodeAt(start - 1) <= 0x39) start--;
  const digits = text.length - start;
  if (digits === 0 || digits > 15) return undefined;
  return text.slice(0, start) + String(Number(text.slice(start)) + 1).padStart(digits, '0');
}

function textColumnVariant(
  values: readonly unknown[],
  distinct: readonly string[],
  listWords: boolean,
  inStream: boolean,
): { column: Uint8Array; strings: string[] | undefined; bits: Uint8Array; cost: number } {
  const items: string[] = [];
  const itemIndex = new Map<string, number>();
  for (const value of distinct) {
    if (listWords || vocabularyIndex(value) === undefined) {
      itemIndex.set(value, items.length);
      items.push(value);
    }
  }
  const entries: (number | null)[] = new Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const value = values[r] as string | null;
    if (value === null) entries[r] = null;
    else entries[r] = itemIndex.get(value) ?? items.length + (vocabularyIndex(value) as number);
  }
  const bits = packColumn(entries) as Uint8Array;
  const column = new CborWriter();
  if (inStream) {
    column.integer(items.length);
    // U+0001 alone: the item before with its trailing number plus one (identifiers in sequence).
    const strings = items.map((item, k) =>
      k > 0 && item === incremented(items[k - 1] as string) ? '\u0001\n' : `${item}\n`,
    );
    let cost = bits.length;
    for (const item of strings) cost += utf8.encode(item).length;
    const written = column.finish();
    return { column: written, strings, bits, cost: cost + written.length };
  }
  column.head(4, items.length);
  for (const item of items) {
    const word = vocabularyIndex(item);
    if (word !== undefined) column.integer(-1 - word);
    else column.text(item);
  }
  const written = column.finish();
  return { column: written, strings: undefined, bits, cost: written.length + bits.length };
}

/** uuid, bytes and json columns: the same item alone and in a batch. */
function writeOpaqueValue(out: CborWriter, column: ContractColumn, value: unknown, where: string): void {
  switch (column.type) {
    case 'uuid':
      if (typeof value !== 'string') throw valueMismatch(where, 'a UUID string');
      if (isCanonicalUuid(value)) out.bytes(uuidToBytes(value));
      else out.text(value);
      return;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw valueMismatch(where, 'bytes');
      out.bytes(value);
      return;
    case 'json':
      try {
        out.value(value);
      } catch (error) {
        throw new SdcError('invalid-input', `${where}: not encodable`, { cause: error });
      }
      return;
    default:
      throw new SdcError('schema-mismatch', `${where}: unknown column type`);
  }
}

/** A row's own field: never something inherited such as `toString`. */
function own(row: Row, name: string): unknown {
  return Object.hasOwn(row, name) ? row[name] : undefined;
}

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

/**
 * The origin slot: the sender's own `numero` for a row created at the sender, or
 * [origin_matricule, origin_numero] for a row the sender relays (the server answering an import).
 */
function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function writeOrigin(out: CborWriter, row: Row, index: number): void {
  const matricule = own(row, 'origin_matricule') ?? null;
  const originNumero = own(row, 'origin_numero') ?? null;
  const numero = own(row, 'numero') ?? null;
  if (matricule !== null) {
    if (typeof matricule !== 'string' || !isNumber(originNumero)) {
      throw new SdcError('invalid-input', `row ${index}: origin_matricule needs an integer origin_numero`);
    }
    out.head(4, 2);
    out.text(matricule);
    out.integer(originNumero);
  } else if (numero !== null) {
    if (!isNumber(numero))
      throw new SdcError('invalid-input', `row ${index}: numero must be a non-negative integer`);
    out.integer(numero);
  } else out.simple(null);
}

function readOrigin(
  reader: CborReader,
  sender: string,
  matricules: (string | null)[],
  numeros: (number | null)[],
  r: number,
): void {
  if (reader.isNull()) {
    matricules[r] = null;
    numeros[r] = null;
    return;
  }
  const value = reader.value(1);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    matricules[r] = sender;
    numeros[r] = value;
    return;
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'number' &&
    Number.isSafeInteger(value[1]) &&
    value[1] >= 0
  ) {
    matricules[r] = value[0];
    numeros[r] = value[1];
    return;
  }
  throw new SdcError('malformed', 'bad row origin');
}

function valueMismatch(where: string, expected: string): SdcError {
  return new SdcError('schema-mismatch', `${where}: expected ${expected}`);
}

function writeGenericRows(out: CborWriter, rows: readonly Row[]): void {
  // Field names once per container, in order of first appearance; absent fields are CBOR undefined.
  const names: string[] = [];
  const seen = new Set<string>();
  for (const [index, row] of rows.entries()) {
    if (typeof row !== 'object' || row === null)
      throw new SdcError('invalid-input', `row ${index} is not an object`);
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  out.head(4, names.length + 3);
  out.integer(ROWS_GENERIC);
  out.integer(rows.length);
  out.head(4, names.length);
  for (const name of names) out.text(name);
  const single = rows.length === 1;
  try {
    for (const name of names) {
      if (!single) out.head(4, rows.length);
      const strings = new Map<string, number>();
      for (const row of rows) {
        const value = own(row, name);
        if (typeof value === 'string') {
          // A string already sent in this column goes as tag 25 (stringref) + its index, a word
          // of the vocabulary as tag 25 + a negative integer.
          const index = strings.get(value);
          if (index !== undefined) {
            out.head(6, STRINGREF_TAG);
            out.integer(index);
            continue;
          }
          const word = vocabularyIndex(value);
          if (word !== undefined) {
            out.head(6, STRINGREF_TAG);
            out.integer(-1 - word);
            continue;
          }
          strings.set(value, strings.size);
        }
        out.value(value);
      }
    }
  } catch (error) {
    throw SdcError.isInstance(error)
      ? error
      : new SdcError('invalid-input', 'a value is not encodable', { cause: error });
  }
}

function readRows(
  reader: CborReader,
  header: PayloadHeader,
  registry: TableRegistry,
  limits: SdcLimits,
  senderNumero: boolean,
): Row[] {
  const count = reader.arrayHead();
  if (count < 1) throw new SdcError('malformed', 'rows without a mode');
  const mode = reader.uint();
  if (mode === ROWS_CONTRACT) {
    if (header.fingerprint === null) throw new SdcError('malformed', 'contract rows without a fingerprint');
    const contract = registry.findTable(header.table as string);
    if (!contract)
      throw new SdcError('schema-mismatch', `table ${header.table} is not in the local contract`);
    if (contract.fingerprint.slice(0, FINGERPRINT_BYTES * 2) !== header.fingerprint) {
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
        ? [readBareValue(reader, column, limits, name, anchors, 0)]
        : readColumn(reader, column, rowCount, limits, name, anchors, streams);
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
  if (mode === ROWS_GENERIC) {
    if (header.fingerprint !== null) throw new SdcError('malformed', 'generic rows with a fingerprint');
    if (count < 3) throw new SdcError('malformed', 'generic rows without names');
    const rowCount = reader.uint();
    if (rowCount > limits.maxRows) throw new SdcError('too-large', `more than ${limits.maxRows} rows`);
    if (header.kind === 'rows' && rowCount === 0) throw new SdcError('malformed', 'no rows');
    const nameCount = reader.arrayHead();
    if (nameCount !== count - 3) throw new SdcError('malformed', 'generic rows: names and columns differ');
    const names: string[] = [];
    const unique = new Set<string>();
    for (let i = 0; i < nameCount; i++) {
      const name = reader.textValue();
      if (unique.has(name)) throw new SdcError('malformed', 'duplicate field name');
      unique.add(name);
      names.push(name);
    }
    const rows: Record<string, unknown>[] = new Array(rowCount);
    for (let r = 0; r < rowCount; r++) rows[r] = {};
    const single = rowCount === 1;
    for (const name of names) {
      if (!single && reader.arrayHead() !== rowCount)
        throw new SdcError('malformed', `column ${name} length`);
      const strings: string[] = [];
      for (let r = 0; r < rowCount; r++) {
        const reference = reader.stringRef();
        let value: CborValue;
        if (reference !== undefined) {
          if (reference < 0) {
            if (-1 - reference >= VOCABULARY.length) throw new SdcError('malformed', 'word out of range');
            value = VOCABULARY[-1 - reference] as string;
          } else if (reference >= strings.length) {
            throw new SdcError('malformed', 'string reference out of range');
          } else value = strings[reference] as string;
        } else {
          value = reader.value(1);
          if (typeof value === 'string') strings.push(value);
        }
        checkFieldSize(value, limits, name);
        // defineProperty: a field named "__proto__" stays a field.
        if (value !== undefined) {
          Object.defineProperty(rows[r], name, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
      }
    }
    return rows;
  }
  throw new SdcError('unsupported-version', `unknown rows mode ${mode}`);
}

/**
 * Builds the decoded rows of one contract and column list: `row` (origin first, then the columns in
 * contract order), `ownRow` (the same, then `numero`: a row of the sender's own, see `senderNumero`)
 * and `data` (the columns alone, what validateRow sees). Generated once as object literals: V8 then
 * creates each row from a boilerplate in fast mode, where filling 46 properties by name cost ~5 us a
 * row (and spreading such a row ~6 us more). Without code generation (--disallow-code-generation-
 * from-strings) the same objects are built property by property. A column named "__proto__" stays
 * a plain field either way.
 */
type RowFactory = (
  matricule: string | null,
  numero: number | null,
  columns: readonly (readonly unknown[])[],
  r: number,
) => Record<string, unknown>;
interface RowFactories {
  names: readonly string[];
  row: RowFactory;
  ownRow: RowFactory;
  data: (columns: readonly (readonly unknown[])[], r: number) => Record<string, unknown>;
}
const factoryCache = new WeakMap<ContractTable, RowFactories>();
function rowFactories(contract: ContractTable, names: readonly string[]): RowFactories {
  let factories = factoryCache.get(contract);
  if (!factories || !sameNames(factories.names, names)) {
    factories = buildRowFactories(names);
    factoryCache.set(contract, factories);
  }
  return factories;
}

/** Exported for tests: `generate` false builds the fallback used where code generation is disallowed. */
export function buildRowFactories(names: readonly string[], generate = true): RowFactories {
  const copy = [...names];
  if (generate) {
    try {
      return { names: copy, ...generatedFactories(copy) };
    } catch {
      // Code generation from strings is disallowed: fall through to the property-by-property builders.
    }
  }
  const define = (target: Record<string, unknown>, name: string, value: unknown) =>
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  const data = (columns: readonly (readonly unknown[])[], r: number) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < copy.length; i++) define(out, copy[i] as string, (columns[i] as unknown[])[r]);
    return out;
  };
  const row: RowFactory = (matricule, numero, columns, r) => {
    const out: Record<string, unknown> = { origin_matricule: matricule, origin_numero: numero };
    for (let i = 0; i < copy.length; i++) define(out, copy[i] as string, (columns[i] as unknown[])[r]);
    return out;
  };
  const ownRow: RowFactory = (matricule, numero, columns, r) => {
    const out = row(matricule, numero, columns, r);
    out.numero = numero;
    return out;
  };
  return { names: copy, row, ownRow, data };
}

function generatedFactories(names: readonly string[]): Omit<RowFactories, 'names'> {
  // Names are the local contract's, written as JSON string literals; "__proto__" as a computed key,
  // which defines a field where the plain literal key would set the prototype.
  const fields = names
    .map((name, i) => `${name === '__proto__' ? '["__proto__"]' : JSON.stringify(name)}: c[${i}][r]`)
    .join(', ');
  const columns = fields === '' ? '' : `, ${fields}`;
  const make = (parameters: string[], body: string) =>
    new Function(...parameters, `"use strict"; return ${body};`);
  return {
    row: make(['m', 'n', 'c', 'r'], `{ origin_matricule: m, origin_numero: n${columns} }`) as RowFactory,
    ownRow: make(
      ['m', 'n', 'c', 'r'],
      `{ origin_matricule: m, origin_numero: n${columns}, numero: n }`,
    ) as RowFactory,
    data: make(['c', 'r'], `{ ${fields} }`) as RowFactories['data'],
  };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkFieldSize(value: CborValue, limits: SdcLimits, name: string): void {
  if ((typeof value === 'string' || value instanceof Uint8Array) && value.length > limits.maxFieldBytes) {
    throw new SdcError('too-large', `field ${name} is larger than ${limits.maxFieldBytes}`);
  }
}

/** Module-level (not a closure per value): decoding calls it for every column of every row. */
function columnMismatch(name: string): SdcError {
  return new SdcError('schema-mismatch', `column ${name} has a value of the wrong type`);
}

/** Where a batch's columns take their packed bits and text items from (§4.4). */
interface ReadStreams {
  bits: Uint8Array;
  bitOffset: number;
  strings: string;
  stringOffset: number;
}

function nextPacked(streams: ReadStreams, n: number): (number | null)[] {
  const { values, end } = unpackColumnAt(streams.bits, streams.bitOffset, n);
  streams.bitOffset = end;
  return values;
}

function nextString(streams: ReadStreams, name: string): string {
  const end = streams.strings.indexOf('\n', streams.stringOffset);
  if (end < 0) throw new SdcError('malformed', `column ${name}: strings stream truncated`);
  const item = streams.strings.slice(streams.stringOffset, end);
  streams.stringOffset = end + 1;
  return item;
}

function readOrigins(
  reader: CborReader,
  matricules: (string | null)[],
  numeros: (number | null)[],
  sender: string,
  streams: ReadStreams,
): void {
  const n = matricules.length;
  if (n === 1) {
    readOrigin(reader, sender, matricules, numeros, 0);
    return;
  }
  if (reader.nextMajor() === 0) {
    if (reader.uint() !== 0) throw new SdcError('malformed', 'bad origin column');
    const numbers = nextPacked(streams, n);
    for (let r = 0; r < n; r++) {
      const numero = numbers[r] as number | null;
      if (numero !== null && numero < 0) throw new SdcError('malformed', 'bad row origin');
      matricules[r] = numero === null ? null : sender;
      numeros[r] = numero;
    }
    return;
  }
  if (reader.arrayHead() !== n) throw new SdcError('malformed', 'origin column length');
  for (let r = 0; r < n; r++) readOrigin(reader, sender, matricules, numeros, r);
}

/**
 * A column of a batch (§4.4): for text, the item count (items in the strings stream) or the items
 * as an array, then packed entries; for other packable types 0 (packed) or an array of bare values.
 */
function readColumn(
  reader: CborReader,
  column: ContractColumn,
  n: number,
  limits: SdcLimits,
  name: string,
  anchors: number[],
  streams: ReadStreams,
): unknown[] {
  const values: unknown[] = new Array(n);
  if (column.type === 'text' || column.type === 'numeric') {
    let items: string[];
    if (reader.nextMajor() === 0) {
      const count = reader.uint();
      // Each item takes at least its terminator: a larger count is a lie, refused before allocating.
      if (count > streams.strings.length - streams.stringOffset)
        throw new SdcError('malformed', `column ${name}: too many items`);
      items = new Array(count);
      for (let k = 0; k < count; k++) {
        const item = nextString(streams, name);
        if (item !== '\u0001') items[k] = item;
        else {
          const next = k > 0 ? incremented(items[k - 1] as string) : undefined;
          if (next === undefined) throw new SdcError('malformed', `column ${name}: nothing to increment`);
          items[k] = next;
        }
      }
    } else {
      const count = reader.arrayHead();
      items = new Array(count);
      for (let k = 0; k < count; k++) {
        const item = reader.value(1);
        if (typeof item === 'string') items[k] = item;
        else if (
          typeof item === 'number' &&
          Number.isInteger(item) &&
          item < 0 &&
          -1 - item < VOCABULARY.length
        ) {
          items[k] = VOCABULARY[-1 - item] as string;
        } else throw new SdcError('malformed', `column ${name}: bad item`);
      }
    }
    for (const item of items) checkFieldSize(item, limits, name);
    const count = items.length;
    const entries = nextPacked(streams, n);
    for (let r = 0; r < n; r++) {
      const entry = entries[r] as number | null;
      if (entry === null) values[r] = null;
      else if (entry >= 0 && entry < count) values[r] = items[entry];
      else if (entry >= count && entry - count < VOCABULARY.length) values[r] = VOCABULARY[entry - count];
      else throw new SdcError('malformed', `column ${name}: index out of range`);
    }
    return values;
  }
  if (PACKABLE.has(column.type) && reader.nextMajor() === 0) {
    const marker = reader.uint();
    if (marker > 1 || (marker === 1 && column.type !== 'date' && column.type !== 'timestamp'))
      throw new SdcError('malformed', `column ${name}: bad packed marker`);
    const entries = nextPacked(streams, n);
    for (let r = 0; r < n; r++) {
      const entry = entries[r] as number | null;
      if (entry === null) values[r] = null;
      else {
        // Marker 1: days, or milliseconds, from the day of the row's anchor.
        const anchor = anchors[r] as number;
        let number = entry;
        if (marker === 1 && column.type === 'date') number = entry + Math.floor(anchor / DAY_MS);
        // fromNumber adds the anchor to a timestamp: give it the offset from the anchor.
        if (marker === 1 && column.type === 'timestamp')
          number = entry + Math.floor(anchor / DAY_MS) * DAY_MS - anchor;
        values[r] = fromNumber(column, number, name, anchors, r);
      }
    }
    return values;
  }
  if (reader.arrayHead() !== n) throw new SdcError('malformed', `column ${name} length`);
  for (let r = 0; r < n; r++) values[r] = readBareValue(reader, column, limits, name, anchors, r);
  return values;
}

/** One bare value: a single row's, or one in an unpacked column of a batch. */
function readBareValue(
  reader: CborReader,
  column: ContractColumn,
  limits: SdcLimits,
  name: string,
  anchors: number[],
  r: number,
): unknown {
  const value = reader.value(1);
  if (value === null) return null;
  checkFieldSize(value, limits, name);
  switch (column.type) {
    case 'text':
    case 'numeric':
      if (typeof value === 'string') return value;
      // A word of the vocabulary, by index.
      if (
        typeof value === 'number' &&
        Number.isInteger(value) &&
        value < 0 &&
        -1 - value < VOCABULARY.length
      ) {
        return VOCABULARY[-1 - value];
      }
      throw columnMismatch(name);
    case 'enum':
    case 'date':
    case 'time':
      // Outside the contract's list, or not in canonical form: the text as it was given.
      if (typeof value === 'string') return value;
      if (typeof value !== 'number') throw columnMismatch(name);
      return fromNumber(column, value, name, anchors, r);
    case 'boolean':
      if (typeof value !== 'boolean') throw columnMismatch(name);
      return value;
    case 'integer':
    case 'smallint':
    case 'bigint':
    case 'timestamp':
      if (typeof value !== 'number') throw columnMismatch(name);
      return fromNumber(column, value, name, anchors, r);
    case 'uuid':
      if (typeof value === 'string') return value;
      if (value instanceof Uint8Array && value.length === 16) return uuidToString(value);
      throw columnMismatch(name);
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw columnMismatch(name);
      return new Uint8Array(value);
    case 'json':
      return value instanceof Uint8Array ? new Uint8Array(value) : value;
    default:
      throw columnMismatch(name);
  }
}

/** The value a number stands for in a column of this type (the inverse of `numberOf`); moves the row's anchor. */
function fromNumber(column: ContractColumn, n: number, name: string, anchors: number[], r: number): unknown {
  if (!Number.isSafeInteger(n)) throw columnMismatch(name);
  switch (column.type) {
    case 'enum':
      if (column.values && n >= 0 && n < column.values.length) return column.values[n] as string;
      throw columnMismatch(name);
    case 'boolean':
      if (n === 0 || n === 1) return n === 1;
      throw columnMismatch(name);
    case 'integer':
    case 'smallint':
    case 'bigint':
      return n;
    case 'date':
      if (Math.abs(n) >= 100_000_000) throw columnMismatch(name);
      anchors[r] = n * DAY_MS;
      return daysToDate(n);
    case 'time':
      if (n < 0 || n >= 86_400) throw columnMismatch(name);
      return secondsToTime(n);
    case 'timestamp': {
      const ms = (anchors[r] as number) + n;
      const date = new Date(ms);
      if (Number.isNaN(date.getTime())) throw columnMismatch(name);
      anchors[r] = ms;
      return date;
    }
    default:
      throw columnMismatch(name);
  }
}

// ---- dates ------------------------------------------------------------------------------------

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^(\d{2}):(\d{2}):(\d{2})$/;

/** Days since 1970-01-01 when the text is a canonical valid date, else undefined (it then travels as text). */
function dateToDays(value: string): number | undefined {
  const match = DATE_PATTERN.exec(value);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (daysToDate(ms / DAY_MS) !== value) return undefined;
  return ms / DAY_MS;
}

/**
 * Dates already written out, by day number: a batch repeats the same few dates (declarations,
 * births of the same weeks), and formatting one costs more than looking it up. Emptied when full.
 */
const DATE_CACHE_ENTRIES = 8192;
const dateCache = new Map<number, string>();

/** The proleptic Gregorian date `days` after 1970-01-01 (YYYY-MM-DD, or 'invalid' outside years 0-9999). */
function daysToDate(days: number): string {
  let text = dateCache.get(days);
  if (text === undefined) {
    text = civilFromDays(days);
    if (dateCache.size >= DATE_CACHE_ENTRIES) dateCache.clear();
    dateCache.set(days, text);
  }
  return text;
}

/** Computed without a Date (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return 'invalid';
  return `${year < 1000 ? String(year).padStart(4, '0') : year}-${pad(month)}-${pad(day)}`;
}

function timeToSeconds(value: string): number | undefined {
  const match = TIME_PATTERN.exec(value);
  if (!match) return undefined;
  const h = Number(match[1]);
  const m = Number(match[2]);
  const s = Number(match[3]);
  if (h > 23 || m > 59 || s > 59) return undefined;
  return h * 3600 + m * 60 + s;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function secondsToTime(seconds: number): string {
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

// ---- requests and receipts --------------------------------------------------------------------

function writeNullableText(out: CborWriter, value: string | null): void {
  if (value === null) out.simple(null);
  else out.text(value);
}

const ORDER_DIRECTIONS = ['asc', 'desc'] as const;

function writeFilter(out: CborWriter, filter: ImportFilter): void {
  if (!filter || typeof filter.table !== 'string' || !Array.isArray(filter.where)) {
    throw new SdcError('invalid-input', 'an import filter needs a table and a where list');
  }
  const order = filter.order ?? [];
  if (!Array.isArray(order)) throw new SdcError('invalid-input', 'order must be a list');
  out.head(4, 5);
  out.text(filter.table);
  out.head(4, filter.where.length);
  for (const condition of filter.where) {
    if (!FILTER_OPERATORS.includes(condition.op) || typeof condition.field !== 'string') {
      throw new SdcError('invalid-input', `bad condition on ${String(condition.field)}`);
    }
    out.head(4, condition.value === undefined ? 2 : 3);
    out.text(condition.field);
    out.text(condition.op);
    if (condition.value !== undefined) out.value(condition.value);
  }
  out.head(4, order.length);
  for (const key of order) {
    if (!key || typeof key.field !== 'string' || !ORDER_DIRECTIONS.includes(key.direction)) {
      throw new SdcError('invalid-input', `bad order on ${String(key?.field)}`);
    }
    out.head(4, 2);
    out.text(key.field);
    out.text(key.direction);
  }
  if (filter.limit === undefined || filter.limit === null) out.simple(null);
  else out.integer(filter.limit);
  writeNullableText(out, filter.cursor ?? null);
}

function readFilter(reader: CborReader): ImportFilter {
  if (reader.arrayHead() !== 5) throw new SdcError('malformed', 'import filter');
  const table = reader.textValue();
  const count = reader.arrayHead();
  const where: { field: string; op: FilterOperator; value?: unknown }[] = [];
  for (let i = 0; i < count; i++) {
    const width = reader.arrayHead();
    if (width !== 2 && width !== 3) throw new SdcError('malformed', 'import filter condition');
    const field = reader.textValue();
    const op = reader.textValue() as FilterOperator;
    if (!FILTER_OPERATORS.includes(op)) throw new SdcError('malformed', `unknown operator ${op}`);
    where.push(width === 3 ? { field, op, value: reader.value(1) } : { field, op });
  }
  const keys = reader.arrayHead();
  const order: FilterOrder[] = [];
  for (let i = 0; i < keys; i++) {
    if (reader.arrayHead() !== 2) throw new SdcError('malformed', 'import filter order');
    const field = reader.textValue();
    const direction = reader.textValue() as FilterOrder['direction'];
    if (!ORDER_DIRECTIONS.includes(direction))
      throw new SdcError('malformed', `unknown order direction ${direction}`);
    order.push({ field, direction });
  }
  const limit = reader.isNull() ? null : reader.uint();
  const cursor = reader.isNull() ? null : reader.textValue();
  return { table, where, order, limit, cursor };
}

function writeReceipt(out: CborWriter, receipt: Receipt): void {
  if (!receipt || !isCanonicalUuid(receipt.acknowledges) || !Array.isArray(receipt.results)) {
    throw new SdcError('invalid-input', 'a receipt needs the acknowledged container id and results');
  }
  out.head(4, 2);
  out.bytes(uuidToBytes(receipt.acknowledges));
  out.head(4, receipt.results.length);
  for (const result of receipt.results) {
    if (!Number.isSafeInteger(result.numero) || result.numero < 0) {
      throw new SdcError('invalid-input', 'receipt numero must be a non-negative integer');
    }
    // An accepted row is its number alone; a rejected one is [number, reason].
    if (result.accepted) out.integer(result.numero);
    else {
      out.head(4, 2);
      out.integer(result.numero);
      out.text(result.reason);
    }
  }
}

function readReceipt(reader: CborReader, limits: SdcLimits): Receipt {
  if (reader.arrayHead() !== 2) throw new SdcError('malformed', 'receipt');
  const id = reader.bytesValue();
  if (id.length !== 16) throw new SdcError('malformed', 'receipt container id');
  const count = reader.arrayHead();
  if (count > limits.maxRows) throw new SdcError('too-large', `more than ${limits.maxRows} results`);
  const results: ReceiptResult[] = [];
  for (let i = 0; i < count; i++) {
    const value = reader.value(1);
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      results.push({ numero: value, accepted: true });
    } else if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'number' &&
      Number.isSafeInteger(value[0]) &&
      value[0] >= 0 &&
      typeof value[1] === 'string'
    ) {
      results.push({ numero: value[0], accepted: false, reason: value[1] });
    } else throw new SdcError('malformed', 'receipt result');
  }
  return { acknowledges: uuidToString(id), results };
}
