/**
 * A small strict CBOR (RFC 8949) codec for what seals and trust lists hold: integers, byte and
 * text strings, arrays, maps, tags, true/false/null. It encodes deterministically (shortest
 * arguments, map keys sorted by their encoding: core deterministic encoding) and decodes only
 * that: definite lengths, shortest arguments, sorted unique keys, no floats, bounded depth.
 * Written here because cbor2 took 100-200 µs to decode a 250-byte seal payload, the whole budget
 * of 5,000 verifications a second; this one takes a few µs.
 */

export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

export type CborValue =
  | number
  | string
  | boolean
  | null
  | Uint8Array
  | CborTag
  | readonly CborValue[]
  | ReadonlyMap<number | string, CborValue>;

export class CborError extends Error {
  override readonly name = 'CborError';
}

const MAX_DEPTH = 16;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

class Writer {
  #chunks: Uint8Array[] = [];
  #length = 0;

  push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  head(major: number, argument: number): void {
    if (!Number.isSafeInteger(argument) || argument < 0) throw new CborError(`cannot encode ${argument}`);
    const type = major << 5;
    if (argument < 24) this.push(Uint8Array.of(type | argument));
    else if (argument < 0x100) this.push(Uint8Array.of(type | 24, argument));
    else if (argument < 0x10000) this.push(Uint8Array.of(type | 25, argument >> 8, argument & 0xff));
    else if (argument < 0x100000000) {
      const bytes = new Uint8Array(5);
      bytes[0] = type | 26;
      new DataView(bytes.buffer).setUint32(1, argument);
      this.push(bytes);
    } else {
      const bytes = new Uint8Array(9);
      bytes[0] = type | 27;
      new DataView(bytes.buffer).setBigUint64(1, BigInt(argument));
      this.push(bytes);
    }
  }

  result(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function compareBytes(left: Uint8Array, right: Uint8Array): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    if (left[index] !== right[index]) return left[index]! - right[index]!;
  }
  return left.length - right.length;
}

function write(writer: Writer, value: CborValue): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CborError(`only safe integers are encoded, not ${value}`);
    if (value >= 0) writer.head(0, value);
    else writer.head(1, -1 - value);
  } else if (typeof value === 'string') {
    const bytes = textEncoder.encode(value);
    writer.head(3, bytes.length);
    writer.push(bytes);
  } else if (typeof value === 'boolean') writer.push(Uint8Array.of(value ? 0xf5 : 0xf4));
  else if (value === null) writer.push(Uint8Array.of(0xf6));
  else if (value instanceof Uint8Array) {
    writer.head(2, value.length);
    writer.push(value);
  } else if (value instanceof CborTag) {
    writer.head(6, value.tag);
    write(writer, value.value);
  } else if (Array.isArray(value)) {
    writer.head(4, value.length);
    for (const item of value as readonly CborValue[]) write(writer, item);
  } else {
    const map = value as ReadonlyMap<number | string, CborValue>;
    const entries = [...map].map(([key, item]) => [encodeCbor(key), item] as const);
    entries.sort(([left], [right]) => compareBytes(left, right));
    writer.head(5, entries.length);
    for (const [key, item] of entries) {
      writer.push(key);
      write(writer, item);
    }
  }
}

/** The deterministic encoding of a value. Throws CborError for what CBOR here does not carry. */
export function encodeCbor(value: CborValue): Uint8Array {
  const writer = new Writer();
  write(writer, value);
  return writer.result();
}

class Reader {
  offset = 0;
  readonly #view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(count: number): void {
    if (this.offset + count > this.bytes.length) throw new CborError('truncated');
  }

  /** The major type and argument, refusing indefinite lengths and non-shortest arguments. */
  head(): [major: number, argument: number, info: number] {
    this.need(1);
    const initial = this.bytes[this.offset++]!;
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (info < 24) return [major, info, info];
    let argument: number;
    let minimum: number;
    if (info === 24) {
      this.need(1);
      argument = this.bytes[this.offset]!;
      minimum = 24;
      this.offset += 1;
    } else if (info === 25) {
      this.need(2);
      argument = this.#view.getUint16(this.offset);
      minimum = 0x100;
      this.offset += 2;
    } else if (info === 26) {
      this.need(4);
      argument = this.#view.getUint32(this.offset);
      minimum = 0x10000;
      this.offset += 4;
    } else if (info === 27) {
      this.need(8);
      const big = this.#view.getBigUint64(this.offset);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new CborError('integer too large');
      argument = Number(big);
      minimum = 0x100000000;
      this.offset += 8;
    } else throw new CborError('indefinite length or reserved value');
    if (major !== 7 && argument < minimum) throw new CborError('not the shortest encoding');
    return [major, argument, info];
  }

  slice(length: number): Uint8Array {
    this.need(length);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
}

function read(reader: Reader, depth: number): CborValue {
  if (depth > MAX_DEPTH) throw new CborError('nested too deep');
  const start = reader.offset;
  const [major, argument, info] = reader.head();
  switch (major) {
    case 0:
      return argument;
    case 1:
      return -1 - argument;
    case 2:
      return reader.slice(argument);
    case 3:
      try {
        return textDecoder.decode(reader.slice(argument));
      } catch (cause) {
        throw new CborError('text is not UTF-8', { cause });
      }
    case 4: {
      if (argument > reader.bytes.length) throw new CborError('truncated');
      const items: CborValue[] = [];
      for (let index = 0; index < argument; index += 1) items.push(read(reader, depth + 1));
      return items;
    }
    case 5: {
      if (argument > reader.bytes.length) throw new CborError('truncated');
      const map = new Map<number | string, CborValue>();
      let previous: Uint8Array | null = null;
      for (let index = 0; index < argument; index += 1) {
        const keyStart = reader.offset;
        const key = read(reader, depth + 1);
        if (typeof key !== 'number' && typeof key !== 'string')
          throw new CborError('a map key is an integer or a text');
        const keyBytes = reader.bytes.subarray(keyStart, reader.offset);
        if (previous && compareBytes(previous, keyBytes) >= 0)
          throw new CborError('map keys out of order or repeated');
        previous = keyBytes;
        map.set(key, read(reader, depth + 1));
      }
      return map;
    }
    case 6:
      return new CborTag(argument, read(reader, depth + 1));
    default:
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      throw new CborError(`unsupported simple value or float at byte ${start}`);
  }
}

/** Decodes exactly one value filling `bytes`. Throws CborError for anything else. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const reader = new Reader(bytes);
  const value = read(reader, 0);
  if (reader.offset !== bytes.length) throw new CborError('bytes after the value');
  return value;
}
