import { type CborReader, type CborWriter, writeNullableText } from '../cbor.js';
import { SdcError } from '../errors.js';
import { isUuidV7, uuidToBytes, uuidToString, uuidV7Time, uuidv7 } from '../uuid.js';
import { CAMEROON_VOCABULARY } from '../vocabulary.js';

// The payload's outer array (docs/sdc-format.md §4.1): the header fields, then the compressed body.

/**
 * The newest payload version: 3 names the dictionary in the header. Encoders still write 2 where it
 * says all there is (rows packed with the Cameroon list, bodies without rows); decoders read both.
 */
export const PAYLOAD_VERSION = 3;
/** Version 2: no dictionary field, the Cameroon list implied. */
const PAYLOAD_VERSION_2 = 2;

export const PAYLOAD_KINDS = ['rows', 'import-request', 'import-response', 'receipt', 'control'] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

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
  /**
   * The first 8 bytes (16 hex digits) of the fingerprint of the dictionary the words index (§4.6):
   * the header's (version 3, null for none), or the Cameroon list's, which version 2 implies.
   */
  dictionary: string | null;
}

export interface PayloadHeaderInput {
  containerId?: string;
  sender: string;
  recipient?: string | null;
  createdAt?: Date;
  sequence: number;
}

/** A payload whose header is read and whose body is not yet decompressed nor decoded. */
export interface OpenedPayload {
  header: PayloadHeader;
  compression: number;
  body: Uint8Array;
}

const FINGERPRINT_BYTES = 8;

/** The part of a contract's or dictionary's fingerprint (hex) the header carries, as `PayloadHeader` reads it. */
export function headerFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, FINGERPRINT_BYTES * 2);
}

/** The Cameroon list's fingerprint as a header carries it: what version 2 implies. */
const CAMEROON_HEADER_FINGERPRINT = headerFingerprint(CAMEROON_VOCABULARY.fingerprint as string);

/**
 * Checks the caller's header fields and settles the container id and creation time: the creation
 * time is the UUIDv7's timestamp, carried once, in the id.
 */
export function resolveHeaderInput(input: PayloadHeaderInput): { containerId: string; createdAt: Date } {
  if (typeof input.sender !== 'string' || input.sender.length === 0) {
    throw new SdcError('invalid-input', 'sender (matricule) is required');
  }
  if (!Number.isSafeInteger(input.sequence) || input.sequence < 0) {
    throw new SdcError('invalid-input', 'sequence must be a non-negative integer');
  }
  if (input.containerId !== undefined) {
    if (!isUuidV7(input.containerId))
      throw new SdcError('invalid-input', 'containerId must be a lower-case UUIDv7');
    const containerId = input.containerId;
    const createdAt = new Date(uuidV7Time(uuidToBytes(containerId)));
    if (input.createdAt !== undefined && input.createdAt.getTime() !== createdAt.getTime()) {
      throw new SdcError('invalid-input', "createdAt differs from the containerId's timestamp");
    }
    return { containerId, createdAt };
  }
  const createdAt = input.createdAt ?? new Date();
  if (Number.isNaN(createdAt.getTime()) || createdAt.getTime() < 0 || createdAt.getTime() >= 2 ** 48) {
    throw new SdcError('invalid-input', 'createdAt must be a valid date after 1970');
  }
  return { containerId: uuidv7(createdAt.getTime()), createdAt };
}

/** What the outer array holds besides the version: the header as written, then the body. */
export interface PayloadFrame {
  kind: PayloadKind;
  containerId: string;
  sender: string;
  recipient: string | null;
  sequence: number;
  table: string | null;
  /** The contract's full fingerprint (hex), or null for a table that travels generically. */
  contractFingerprint: string | null;
  /**
   * Version 3: the dictionary's full fingerprint (hex), or null for none; undefined writes version 2,
   * whose vocabulary is the Cameroon list.
   */
  dictionaryFingerprint: string | null | undefined;
  compression: number;
  body: Uint8Array;
}

export function writePayloadFrame(out: CborWriter, frame: PayloadFrame): void {
  const v2 = frame.dictionaryFingerprint === undefined;
  out.head(4, v2 ? 10 : 11);
  out.integer(v2 ? PAYLOAD_VERSION_2 : PAYLOAD_VERSION);
  out.integer(PAYLOAD_KINDS.indexOf(frame.kind));
  out.bytes(uuidToBytes(frame.containerId));
  out.text(frame.sender);
  writeNullableText(out, frame.recipient);
  out.integer(frame.sequence);
  writeNullableText(out, frame.table);
  if (frame.contractFingerprint !== null)
    out.bytes(Buffer.from(headerFingerprint(frame.contractFingerprint), 'hex'));
  else out.simple(null);
  if (!v2) {
    if (frame.dictionaryFingerprint)
      out.bytes(Buffer.from(headerFingerprint(frame.dictionaryFingerprint), 'hex'));
    else out.simple(null);
  }
  out.integer(frame.compression);
  out.bytes(frame.body);
}

export function readPayloadFrame(reader: CborReader): OpenedPayload {
  const fields = reader.arrayHead();
  if (fields < 1) throw new SdcError('malformed', 'empty payload');
  const version = reader.uint();
  if (version !== PAYLOAD_VERSION && version !== PAYLOAD_VERSION_2)
    throw new SdcError('unsupported-version', `payload version ${version}`);
  if (fields !== (version === PAYLOAD_VERSION_2 ? 10 : 11))
    throw new SdcError('malformed', 'payload header has the wrong length');
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
  const fingerprint = readFingerprint(reader, 'fingerprint');
  const dictionary =
    version === PAYLOAD_VERSION_2 ? CAMEROON_HEADER_FINGERPRINT : readFingerprint(reader, 'dictionary');
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
      dictionary,
    },
    compression,
    body,
  };
}

function readFingerprint(reader: CborReader, what: string): string | null {
  if (reader.isNull()) return null;
  const bytes = reader.bytesValue();
  if (bytes.length !== FINGERPRINT_BYTES) throw new SdcError('malformed', `${what} must be 8 bytes`);
  return Buffer.from(bytes).toString('hex');
}
