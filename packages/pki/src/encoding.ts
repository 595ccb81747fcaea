import * as asn1js from 'asn1js';
import { PkiError } from './errors.js';

/** Bytes (DER, or PEM text as bytes) or PEM text: what every reader of this package accepts. */
export type PemOrDer = Uint8Array | string;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

/** DER bytes as PEM text with the given label, 64 characters a line, ending with a newline. */
export function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** True when the input looks like PEM text (starts, after blanks, with "-----BEGIN"). */
export function isPem(input: PemOrDer): boolean {
  if (typeof input === 'string') return true;
  let index = 0;
  while (
    index < input.length &&
    (input[index] === 0x20 || (input[index]! >= 0x09 && input[index]! <= 0x0d))
  ) {
    index += 1;
  }
  return input[index] === 0x2d; // '-', as DER never starts with it
}

/** Every PEM block of a text, in order; explanatory text between blocks is ignored, as OpenSSL does. */
function readPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const [, label, body, endLabel] = match;
    if (label !== endLabel)
      throw new PkiError('malformed-pem', { detail: `BEGIN ${label} closed by END ${endLabel}` });
    // RFC 1421 headers (Proc-Type, DEK-Info) mark legacy OpenSSL encryption, which we do not read.
    if (/^\s*[A-Za-z-]+:/.test(body!)) {
      throw new PkiError('unsupported-algorithm', {
        detail: 'legacy PEM encryption (Proc-Type/DEK-Info): convert with `openssl pkcs8 -topk8`',
      });
    }
    if (!BASE64_BODY.test(body!))
      throw new PkiError('malformed-pem', { detail: `invalid base64 in ${label}` });
    const der = new Uint8Array(Buffer.from(body!.replace(/\s+/g, ''), 'base64'));
    if (der.length === 0) throw new PkiError('malformed-pem', { detail: `empty ${label} block` });
    blocks.push({ label: label!, der });
  }
  if (blocks.length === 0) throw new PkiError('malformed-pem', { detail: 'no PEM block found' });
  return blocks;
}

function asText(input: PemOrDer): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
}

/**
 * The DER of the first block whose label is one of `labels` (PEM input), or the input itself (DER).
 * Throws PkiError `malformed-pem` when PEM holds no such block.
 */
export function readDer(input: PemOrDer, labels: readonly string[]): { der: Uint8Array; label?: string } {
  if (!isPem(input)) return { der: input as Uint8Array };
  const blocks = readPemBlocks(asText(input));
  const block = blocks.find((candidate) => labels.includes(candidate.label));
  if (!block) {
    throw new PkiError('malformed-pem', {
      detail: `expected ${labels.join(' or ')}, found ${blocks.map((b) => b.label).join(', ')}`,
    });
  }
  return block;
}

/** Every DER block with one of the labels (PEM input, possibly a bundle), or the input itself (DER). */
export function readAllDer(input: PemOrDer, labels: readonly string[]): Uint8Array[] {
  if (!isPem(input)) return [input as Uint8Array];
  const found = readPemBlocks(asText(input))
    .filter((block) => labels.includes(block.label))
    .map((block) => block.der);
  if (found.length === 0) throw new PkiError('malformed-pem', { detail: `no ${labels.join(' or ')} block` });
  return found;
}

/** Parses DER that must be one complete ASN.1 value; throws PkiError `malformed-der` otherwise. */
export function parseAsn1(der: Uint8Array, what: string): asn1js.AsnType {
  if (der.length === 0) throw new PkiError('malformed-der', { detail: `${what}: empty input` });
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1) {
    throw new PkiError('malformed-der', { detail: `${what}: ${parsed.result.error || 'not ASN.1'}` });
  }
  if (parsed.offset !== der.length) {
    throw new PkiError('malformed-der', { detail: `${what}: ${der.length - parsed.offset} trailing bytes` });
  }
  return parsed.result;
}

/** Lower-case hexadecimal. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A copy of a view's bytes as a standalone Uint8Array. */
export function copyBytes(view: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (view instanceof ArrayBuffer) return new Uint8Array(view.slice(0));
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

export function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && Buffer.compare(left, right) === 0;
}
