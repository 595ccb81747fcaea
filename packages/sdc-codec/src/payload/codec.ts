import { CborReader, type CborValue, CborWriter, writeNullableText } from '../cbor.js';
import { type Compression, compressBody, decompressBody } from '../compression.js';
import { type ContractTable, columnsThatTravel, type TableRegistry } from '../contract.js';
import { fail, SdcError, type SdcResult } from '../errors.js';
import { resolveLimits, type SdcLimits } from '../limits.js';
import { schemaTables } from '../schema-registry.js';
import { isCanonicalUuid, uuidToBytes, uuidToString } from '../uuid.js';
import {
  CAMEROON_VOCABULARY,
  NO_VOCABULARY,
  type SdcDictionary,
  shelfOf,
  type Vocabulary,
  vocabularyOf,
} from '../vocabulary.js';
import { ROWS_CONTRACT, readContractRows, writeContractRows } from './contract-rows.js';
import { type ImportFilter, readFilter, writeFilter } from './filters.js';
import { ROWS_GENERIC, readGenericRows, writeGenericRows } from './generic-rows.js';
import {
  type OpenedPayload,
  type PayloadHeader,
  type PayloadHeaderInput,
  readPayloadFrame,
  resolveHeaderInput,
  writePayloadFrame,
} from './header.js';
import { type Receipt, readReceipt, writeReceipt } from './receipts.js';
import type { Row } from './row.js';

// The payload as a whole (docs/sdc-format.md §4): its header, then a body by kind (§4.2).

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
  /**
   * On encode: the deployment's dictionary the words are packed with (§4.6). Default: the Cameroon
   * list (written as format 2, as before dictionaries); null: none (every value as text).
   */
  dictionary?: SdcDictionary | null;
  /**
   * On decode: the dictionaries this receiver holds, for version 3 headers that name one (default:
   * the Cameroon list). Version 2 always reads with the Cameroon list, held or not.
   */
  dictionaries?: readonly SdcDictionary[];
}

/**
 * Encodes a payload: the inner bytes that get signed and encrypted.
 * Throws SdcError (invalid-input, schema-mismatch, too-large) when the input is wrong:
 * encoding is the caller's own data, not hostile bytes.
 */
export function encodePayload(input: PayloadInput, options: PayloadOptions = {}): Uint8Array {
  const limits = resolveLimits(options.limits);
  const { containerId, createdAt } = resolveHeaderInput(input);
  const vocabulary = vocabularyOf(options.dictionary);

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
          vocabulary,
        );
      else writeGenericRows(body, input.rows, vocabulary);
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
  writePayloadFrame(out, {
    kind: input.kind,
    containerId,
    sender: input.sender,
    recipient: input.recipient ?? null,
    sequence: input.sequence,
    table,
    contractFingerprint: contract ? contract.fingerprint : null,
    // Version 2 where it says all there is: rows packed with the Cameroon list, or no rows at all.
    dictionaryFingerprint:
      table === null || vocabulary === CAMEROON_VOCABULARY ? undefined : vocabulary.fingerprint,
    compression,
    body: bodyBytes,
  });
  return out.finish();
}

/** Reads only the header: cheap, for routing and replay checks before the body is decompressed. */
export function decodePayloadHeader(bytes: Uint8Array): SdcResult<PayloadHeader> {
  const opened = openPayload(bytes);
  return opened.ok ? { ok: true, value: opened.value.header } : opened;
}

/**
 * Reads the header and checks that nothing follows the body, without decompressing it: the
 * container decoder checks the header against the signer, then finishes with `decodeOpenedPayload`
 * (one pass over the bytes instead of a header parse followed by a full parse).
 */
export function openPayload(bytes: Uint8Array): SdcResult<OpenedPayload> {
  try {
    const reader = new CborReader(bytes);
    const opened = readPayloadFrame(reader);
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
    // Before decompressing: a body packed with words this receiver does not hold is never read.
    const vocabulary = vocabularyFor(header, options.dictionaries);
    const plain = decompressBody(opened.body, opened.compression, limits.maxDecompressedBytes);
    const bodyReader = new CborReader(plain, { maxDepth: 32, maxItems: limits.maxRows * 4096 + 1024 });
    const decoded = readBody(
      bodyReader,
      header,
      options.tables ?? schemaTables,
      limits,
      options.senderNumero === true,
      vocabulary,
    );
    bodyReader.end();
    return { ok: true, value: { header, body: decoded } };
  } catch (error) {
    return asFailure(error);
  }
}

/**
 * Decodes a payload; never throws. Fails with malformed, unsupported-version, unknown-dictionary,
 * schema-mismatch, too-large or decompression-limit.
 */
export function decodePayload(bytes: Uint8Array, options: PayloadOptions = {}): SdcResult<Payload> {
  const opened = openPayload(bytes);
  return opened.ok ? decodeOpenedPayload(opened.value, options) : opened;
}

/** The words a payload's body indexes: format 2's Cameroon list, none, or a dictionary held. */
function vocabularyFor(
  header: PayloadHeader,
  dictionaries: readonly SdcDictionary[] | undefined,
): Vocabulary {
  if (header.version === 2) return CAMEROON_VOCABULARY;
  if (header.dictionary === null) return NO_VOCABULARY;
  const vocabulary = shelfOf(dictionaries).get(header.dictionary);
  if (!vocabulary) throw new SdcError('unknown-dictionary', `dictionary ${header.dictionary}`);
  return vocabulary;
}

function asFailure(error: unknown): { ok: false; error: SdcError } {
  if (SdcError.isInstance(error)) return { ok: false, error };
  return fail('malformed', error instanceof Error ? error.message : undefined, error);
}

function readBody(
  reader: CborReader,
  header: PayloadHeader,
  tables: TableRegistry,
  limits: SdcLimits,
  senderNumero: boolean,
  vocabulary: Vocabulary,
): PayloadBody {
  switch (header.kind) {
    case 'rows':
      return { kind: 'rows', rows: readRows(reader, header, tables, limits, senderNumero, vocabulary) };
    case 'import-response': {
      if (reader.arrayHead() !== 3)
        throw new SdcError('malformed', 'import response must have rows, a cursor and a request id');
      const rows = readRows(reader, header, tables, limits, false, vocabulary);
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

/** Rows (§4.3 or §4.4): the array's length and mode, then the rest by mode. */
function readRows(
  reader: CborReader,
  header: PayloadHeader,
  registry: TableRegistry,
  limits: SdcLimits,
  senderNumero: boolean,
  vocabulary: Vocabulary,
): Row[] {
  const count = reader.arrayHead();
  if (count < 1) throw new SdcError('malformed', 'rows without a mode');
  const mode = reader.uint();
  if (mode === ROWS_CONTRACT)
    return readContractRows(reader, count, header, registry, limits, senderNumero, vocabulary);
  if (mode === ROWS_GENERIC) return readGenericRows(reader, count, header, limits, vocabulary);
  throw new SdcError('unsupported-version', `unknown rows mode ${mode}`);
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
