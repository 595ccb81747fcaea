import type { CborReader, CborWriter } from '../cbor.js';
import { SdcError } from '../errors.js';
import type { SdcLimits } from '../limits.js';
import { isCanonicalUuid, uuidToBytes, uuidToString } from '../uuid.js';

// The body of a receipt (docs/sdc-format.md §4.2): which rows of a container were accepted.

export type ReceiptResult =
  | { numero: number; accepted: true }
  | { numero: number; accepted: false; reason: string };

export interface Receipt {
  /** The container id this receipt answers. */
  acknowledges: string;
  results: readonly ReceiptResult[];
}

export function writeReceipt(out: CborWriter, receipt: Receipt): void {
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

export function readReceipt(reader: CborReader, limits: SdcLimits): Receipt {
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
