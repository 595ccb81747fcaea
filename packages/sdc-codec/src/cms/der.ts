/** Thrown inside the CMS layer when the structure is not what the standard says; turned into `malformed`. */
export class StructureError extends Error {
  override name = 'StructureError';
}

/**
 * One BER element, as offsets into the received bytes. Parsing is done here rather than with
 * asn1js: on the decode path asn1js's object model cost more than the ECDH and the ECDSA
 * verification together (profiled), and this reader bounds depth and never copies content.
 */
export interface Node {
  readonly tagClass: number;
  readonly tagNumber: number;
  readonly constructed: boolean;
  /** The whole input. */
  readonly input: Uint8Array;
  /** Where the element starts (its tag) and ends. */
  readonly start: number;
  readonly end: number;
  /** Where its content starts and ends (for an indefinite length: before the end-of-contents octets). */
  readonly contentStart: number;
  readonly contentEnd: number;
  children?: Node[];
}

export const UNIVERSAL = 0;
export const CONTEXT = 2;
const MAX_DEPTH = 32;

function readElement(input: Uint8Array, offset: number, limit: number, depth: number): Node {
  if (depth > MAX_DEPTH) throw new StructureError('nested too deeply');
  const start = offset;
  if (offset >= limit) throw new StructureError('truncated');
  const first = input[offset++] as number;
  const tagClass = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    let byte: number;
    let count = 0;
    do {
      if (offset >= limit || ++count > 4) throw new StructureError('bad tag');
      byte = input[offset++] as number;
      tagNumber = tagNumber * 128 + (byte & 0x7f);
    } while (byte & 0x80);
  }
  if (offset >= limit) throw new StructureError('truncated');
  const lengthByte = input[offset++] as number;
  if (lengthByte === 0x80) {
    // Indefinite length (BER, e.g. streamed OpenSSL output): children up to the end-of-contents octets.
    if (!constructed) throw new StructureError('indefinite length on a primitive');
    const children: Node[] = [];
    const contentStart = offset;
    for (;;) {
      if (offset + 2 > limit) throw new StructureError('truncated');
      if (input[offset] === 0 && input[offset + 1] === 0) break;
      const child = readElement(input, offset, limit, depth + 1);
      children.push(child);
      offset = child.end;
    }
    return {
      tagClass,
      tagNumber,
      constructed,
      input,
      start,
      end: offset + 2,
      contentStart,
      contentEnd: offset,
      children,
    };
  }
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count > 4 || count === 0x7f) throw new StructureError('length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      if (offset >= limit) throw new StructureError('truncated');
      length = length * 256 + (input[offset++] as number);
    }
  }
  const end = offset + length;
  if (end > limit) throw new StructureError('truncated');
  return { tagClass, tagNumber, constructed, input, start, end, contentStart: offset, contentEnd: end };
}

/** Parses BER/DER; the whole input must be one element. */
export function parse(bytes: Uint8Array): Node {
  const node = readElement(bytes, 0, bytes.length, 0);
  if (node.end !== bytes.length) throw new StructureError('trailing bytes after the structure');
  return node;
}

export function isContext(node: Node | undefined, tag: number): boolean {
  return node !== undefined && node.tagClass === CONTEXT && node.tagNumber === tag;
}

export function isUniversal(node: Node | undefined, tag: number): boolean {
  return node !== undefined && node.tagClass === UNIVERSAL && node.tagNumber === tag;
}

function depthOf(node: Node): number {
  return (node as { depth?: number }).depth ?? 0;
}

/** The elements of a constructed node (SEQUENCE, SET, or a constructed context tag). */
export function children(node: Node | undefined, what: string): Node[] {
  if (!node?.constructed) throw new StructureError(`${what}: expected a constructed element`);
  if (!node.children) {
    const list: Node[] = [];
    const depth = depthOf(node) + 1;
    let offset = node.contentStart;
    while (offset < node.contentEnd) {
      const child = readElement(node.input, offset, node.contentEnd, depth);
      (child as { depth?: number }).depth = depth;
      list.push(child);
      offset = child.end;
    }
    node.children = list;
  }
  return node.children;
}

export function sequence(node: Node | undefined, what: string): Node[] {
  if (!isUniversal(node, 16)) throw new StructureError(`${what}: expected a SEQUENCE`);
  return children(node, what);
}

export function setOf(node: Node | undefined, what: string): Node[] {
  if (!isUniversal(node, 17)) throw new StructureError(`${what}: expected a SET`);
  return children(node, what);
}

function content(node: Node): Uint8Array {
  return node.input.subarray(node.contentStart, node.contentEnd);
}

export function oid(node: Node | undefined, what: string): string {
  if (!node || !isUniversal(node, 6) || node.constructed)
    throw new StructureError(`${what}: expected an OID`);
  // Read in place and built as text directly: every container has a dozen OIDs to read.
  const input = node.input;
  const end = node.contentEnd;
  const length = end - node.contentStart;
  if (length === 0 || length > 64) throw new StructureError(`${what}: bad OID`);
  let text = '';
  let value = 0;
  for (let i = node.contentStart; i < end; i++) {
    const byte = input[i] as number;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new StructureError(`${what}: OID arc too large`);
    if (!(byte & 0x80)) {
      if (text === '') {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        text = `${first}.${value - first * 40}`;
      } else text += `.${value}`;
      value = 0;
    } else if (i === end - 1) throw new StructureError(`${what}: truncated OID`);
  }
  return text;
}

export function integer(node: Node | undefined, what: string): number {
  if (!node || !isUniversal(node, 2) || node.constructed)
    throw new StructureError(`${what}: expected an INTEGER`);
  const bytes = content(node);
  if (bytes.length === 0 || bytes.length > 6) throw new StructureError(`${what}: integer out of range`);
  let value = 0;
  for (const byte of bytes) value = value * 256 + byte;
  // Two's complement: a leading 1 bit makes it negative.
  return (bytes[0] as number) & 0x80 ? value - 2 ** (8 * bytes.length) : value;
}

/** The content octets of a primitive element, or of a constructed one (BER chunks) joined. */
export function octets(node: Node | undefined, what: string): Uint8Array {
  if (!node) throw new StructureError(`${what}: missing`);
  if (!node.constructed) return content(node);
  return Buffer.concat(children(node, what).map((child) => octets(child, what)));
}

export function octetString(node: Node | undefined, what: string): Uint8Array {
  if (!isUniversal(node, 4)) throw new StructureError(`${what}: expected an OCTET STRING`);
  return octets(node, what);
}

/** The bytes of a BIT STRING with no unused bits. */
export function bitString(node: Node | undefined, what: string): Uint8Array {
  if (!node || !isUniversal(node, 3) || node.constructed)
    throw new StructureError(`${what}: expected a BIT STRING`);
  const bytes = content(node);
  if (bytes.length === 0 || bytes[0] !== 0) throw new StructureError(`${what}: unused bits`);
  return bytes.subarray(1);
}

/** The element exactly as it was received (needed to hash signed attributes and compare names). */
export function raw(node: Node): Uint8Array {
  return node.input.subarray(node.start, node.end);
}

export interface AlgorithmIdentifier {
  oid: string;
  parameters: Node | undefined;
}

export function algorithm(node: Node | undefined, what: string): AlgorithmIdentifier {
  const parts = sequence(node, what);
  if (parts.length < 1 || parts.length > 2) throw new StructureError(`${what}: bad AlgorithmIdentifier`);
  const parameters = parts[1];
  // An explicit NULL is the same as absent parameters.
  return {
    oid: oid(parts[0], what),
    parameters: parameters && !isUniversal(parameters, 5) ? parameters : undefined,
  };
}

// ---- building ---------------------------------------------------------------------------------
// DER written by concatenation: asn1js's object model cost more than the signature on encode (profiled).

function header(tag: number, length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(tag, length);
  if (length < 0x100) return Uint8Array.of(tag, 0x81, length);
  if (length < 0x10000) return Uint8Array.of(tag, 0x82, length >> 8, length & 0xff);
  if (length < 0x1000000) return Uint8Array.of(tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff);
  return Uint8Array.of(tag, 0x84, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

/** One element: tag byte, DER length, then the parts as content. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const head = header(tag, length);
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  let offset = head.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export const derSequence = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
export const derSet = (...parts: Uint8Array[]) => tlv(0x31, ...parts);
export const derOctetString = (bytes: Uint8Array) => tlv(0x04, bytes);
export const derBitString = (bytes: Uint8Array) => tlv(0x03, Uint8Array.of(0), bytes);
export const derNull = () => Uint8Array.of(0x05, 0x00);
/** [n] constructed: EXPLICIT tagging, or IMPLICIT over a constructed type. */
export const derContext = (tag: number, ...parts: Uint8Array[]) => tlv(0xa0 | tag, ...parts);
/** [n] IMPLICIT over a primitive type (e.g. an OCTET STRING). */
export const derContextPrimitive = (tag: number, bytes: Uint8Array) => tlv(0x80 | tag, bytes);

/** A small non-negative INTEGER. */
export function derInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new StructureError('only small non-negative integers');
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if ((bytes[0] as number) & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

const oidCache = new Map<string, Uint8Array>();
export function derOid(dotted: string): Uint8Array {
  let encoded = oidCache.get(dotted);
  if (!encoded) {
    const arcs = dotted.split('.').map(Number);
    const values = [(arcs[0] as number) * 40 + (arcs[1] as number), ...arcs.slice(2)];
    const bytes: number[] = [];
    for (const value of values) {
      const chunk = [value & 0x7f];
      let rest = Math.floor(value / 128);
      while (rest > 0) {
        chunk.unshift((rest & 0x7f) | 0x80);
        rest = Math.floor(rest / 128);
      }
      bytes.push(...chunk);
    }
    encoded = tlv(0x06, Uint8Array.from(bytes));
    oidCache.set(dotted, encoded);
  }
  return encoded;
}

export function derAlgorithm(identifier: string, parameters?: Uint8Array): Uint8Array {
  return parameters ? derSequence(derOid(identifier), parameters) : derSequence(derOid(identifier));
}

// ---- one-allocation building ----------------------------------------------------------------------
// The CMS layers nest the payload four or five elements deep: built with tlv, it was copied once per
// level. A DerTree is measured first, then written into a single buffer.

/** An element to build: its tag and its content, made of bytes as they are and nested elements. */
export interface DerTree {
  readonly tag: number;
  readonly parts: readonly (Uint8Array | DerTree)[];
  /** Content length, set when measured. */
  length: number;
}

export function der(tag: number, ...parts: (Uint8Array | DerTree)[]): DerTree {
  return { tag, parts, length: 0 };
}

function headerLength(length: number): number {
  return length < 0x80 ? 2 : length < 0x100 ? 3 : length < 0x10000 ? 4 : length < 0x1000000 ? 5 : 6;
}

function measure(tree: DerTree): number {
  let length = 0;
  for (const part of tree.parts) {
    if (part instanceof Uint8Array) length += part.length;
    else {
      const inner = measure(part);
      length += headerLength(inner) + inner;
    }
  }
  tree.length = length;
  return length;
}

function writeTree(tree: DerTree, out: Uint8Array, start: number): number {
  let at = start;
  const length = tree.length;
  out[at++] = tree.tag;
  // The same lengths as `header`: short form below 128, else the fewest big-endian bytes.
  const bytes = headerLength(length) - 2;
  if (bytes > 0) out[at++] = 0x80 | bytes;
  for (let shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
    out[at++] = Math.floor(length / 2 ** shift) & 0xff;
  if (bytes === 0) out[at++] = length;
  for (const part of tree.parts) {
    if (part instanceof Uint8Array) {
      out.set(part, at);
      at += part.length;
    } else at = writeTree(part, out, at);
  }
  return at;
}

/** The DER of `tree`, written in one allocation (byte for byte what nested tlv calls give). */
export function buildDer(tree: DerTree): Uint8Array {
  const length = measure(tree);
  const out = new Uint8Array(headerLength(length) + length);
  writeTree(tree, out, 0);
  return out;
}
