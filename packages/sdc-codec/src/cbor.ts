/**
 * A strict, minimal CBOR (RFC 8949) for the payload's closed set of types.
 * Written here rather than taken from a library because the payload needs only
 * definite lengths, integers, float64, text, bytes, arrays, string-keyed maps and
 * tag 1 (dates), and the decoder must refuse everything else with hard limits
 * (depth, item count) before allocating: hostile bytes reach it after decryption
 * only, but a signer can still be buggy.
 */

export type CborValue =
  | null
  | undefined
  | boolean
  | number
  | string
  | Uint8Array
  | Date
  | readonly CborValue[]
  | { readonly [key: string]: CborValue };

export class CborError extends Error {
  override name = 'CborError';
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A writer's buffer goes back here when it finishes, for the next writer to take: encoding one
 * container makes several writers, and allocating each its buffer cost more than a receipt's
 * writing. Buffers larger than SPARE_MAX_BYTES are left to the garbage collector.
 */
let spare: { buffer: Uint8Array; view: DataView } | undefined;
const SPARE_MAX_BYTES = 1024 * 1024;
const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);

export class CborWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor() {
    if (spare) {
      this.buffer = spare.buffer;
      this.view = spare.view;
      spare = undefined;
    } else {
      this.buffer = new Uint8Array(256);
      this.view = new DataView(this.buffer.buffer);
    }
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let size = Math.max(256, this.buffer.length * 2);
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  head(major: number, value: number): void {
    const m = major << 5;
    this.reserve(9);
    if (value < 24) {
      this.buffer[this.length++] = m | value;
    } else if (value < 0x100) {
      this.buffer[this.length++] = m | 24;
      this.buffer[this.length++] = value;
    } else if (value < 0x10000) {
      this.buffer[this.length++] = m | 25;
      this.view.setUint16(this.length, value);
      this.length += 2;
    } else if (value < 0x100000000) {
      this.buffer[this.length++] = m | 26;
      this.view.setUint32(this.length, value);
      this.length += 4;
    } else {
      this.buffer[this.length++] = m | 27;
      this.view.setBigUint64(this.length, BigInt(value));
      this.length += 8;
    }
  }

  integer(value: number): void {
    if (value >= 0) this.head(0, value);
    else this.head(1, -1 - value);
  }

  float(value: number): void {
    this.reserve(9);
    this.buffer[this.length++] = 0xfb;
    this.view.setFloat64(this.length, value);
    this.length += 8;
  }

  number(value: number): void {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) this.integer(value);
    else this.float(value);
  }

  text(value: string): void {
    // Most field values are short ASCII: encode straight into the buffer when they are.
    const n = value.length;
    let ascii = n < 256;
    if (ascii) {
      for (let i = 0; i < n; i++) {
        if (value.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
    }
    if (ascii) {
      this.head(3, n);
      this.reserve(n);
      for (let i = 0; i < n; i++) this.buffer[this.length++] = value.charCodeAt(i);
      return;
    }
    const bytes = utf8Encoder.encode(value);
    this.head(3, bytes.length);
    this.raw(bytes);
  }

  bytes(value: Uint8Array): void {
    this.head(2, value.length);
    this.raw(value);
  }

  raw(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  simple(value: null | undefined | boolean): void {
    this.reserve(1);
    this.buffer[this.length++] = value === null ? 0xf6 : value === undefined ? 0xf7 : value ? 0xf5 : 0xf4;
  }

  /** Any supported value, recursively (used for generic tables and json columns). */
  value(value: unknown, depth = 0): void {
    if (depth > 64) throw new CborError('value nested too deeply');
    if (value === null || value === undefined || typeof value === 'boolean') {
      this.simple(value);
      return;
    }
    if (typeof value === 'number') {
      this.number(value);
      return;
    }
    if (typeof value === 'string') {
      this.text(value);
      return;
    }
    if (value instanceof Uint8Array) {
      this.bytes(value);
      return;
    }
    if (value instanceof Date) {
      const ms = value.getTime();
      if (Number.isNaN(ms)) throw new CborError('invalid date');
      this.head(6, 1);
      this.number(ms / 1000);
      return;
    }
    if (Array.isArray(value)) {
      this.head(4, value.length);
      for (const item of value) this.value(item, depth + 1);
      return;
    }
    if (typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      this.head(5, entries.length);
      for (const [key, item] of entries) {
        this.text(key);
        this.value(item, depth + 1);
      }
      return;
    }
    throw new CborError(`cannot encode a ${typeof value}`);
  }

  /** The bytes written; the writer is then spent (its buffer serves the next writer). */
  finish(): Uint8Array {
    const out = this.buffer.slice(0, this.length);
    if (this.buffer.length <= SPARE_MAX_BYTES && (!spare || spare.buffer.length < this.buffer.length)) {
      spare = { buffer: this.buffer, view: this.view };
    }
    this.buffer = EMPTY;
    this.view = EMPTY_VIEW;
    this.length = 0;
    return out;
  }
}

/** A text, or null in its place. */
export function writeNullableText(out: CborWriter, value: string | null): void {
  if (value === null) out.simple(null);
  else out.text(value);
}

export interface CborReadLimits {
  /** Deepest nesting of arrays and maps accepted. */
  maxDepth: number;
  /** Most items (array elements, map entries) in the whole input. */
  maxItems: number;
}

export class CborReader {
  private offset = 0;
  private items = 0;
  private readonly view: DataView;
  /** The input as a Buffer (the same memory), for ASCII text. */
  private readonly latin1: Buffer;

  constructor(
    private readonly input: Uint8Array,
    private readonly limits: CborReadLimits = { maxDepth: 32, maxItems: 1_000_000 },
  ) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    this.latin1 = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  }

  get done(): boolean {
    return this.offset >= this.input.length;
  }

  /** Fails unless every byte was consumed: trailing garbage is malformed, not ignored. */
  end(): void {
    if (this.offset !== this.input.length) throw new CborError('trailing bytes');
  }

  private byte(): number {
    if (this.offset >= this.input.length) throw new CborError('truncated');
    return this.input[this.offset++] as number;
  }

  private argument(info: number): number {
    if (info < 24) return info;
    const at = this.offset;
    switch (info) {
      case 24:
        return this.byte();
      case 25:
        if (at + 2 > this.input.length) throw new CborError('truncated');
        this.offset += 2;
        return this.view.getUint16(at);
      case 26:
        if (at + 4 > this.input.length) throw new CborError('truncated');
        this.offset += 4;
        return this.view.getUint32(at);
      case 27: {
        if (at + 8 > this.input.length) throw new CborError('truncated');
        this.offset += 8;
        const big = this.view.getBigUint64(at);
        if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new CborError('integer too large');
        return Number(big);
      }
      default:
        throw new CborError('indefinite length or reserved value');
    }
  }

  /**
   * Reads the head of the next item and returns its argument, failing with `message` unless its
   * major type is `major` (no [major, argument] pair allocated: this runs for every field).
   */
  private headOf(major: number, message: string): number {
    const initial = this.byte();
    const actual = initial >> 5;
    if (actual === 7) {
      if (major !== 7) throw new CborError(message);
      return initial & 0x1f;
    }
    const n = this.argument(initial & 0x1f);
    if (actual !== major) throw new CborError(message);
    return n;
  }

  private count(n: number): void {
    this.items += n;
    if (this.items > this.limits.maxItems) throw new CborError('too many items');
    // Each item takes at least one byte: a claimed count beyond the input is a lie.
    if (n > this.input.length - this.offset) throw new CborError('truncated');
  }

  private take(n: number): Uint8Array {
    if (n > this.input.length - this.offset) throw new CborError('truncated');
    const out = this.input.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  arrayHead(): number {
    const n = this.headOf(4, 'expected an array');
    this.count(n);
    return n;
  }

  uint(): number {
    const n = this.headOf(0, 'expected an unsigned integer');
    return n;
  }

  textValue(): string {
    const n = this.headOf(3, 'expected text');
    return this.decodeText(n);
  }

  bytesValue(): Uint8Array {
    const n = this.headOf(2, 'expected bytes');
    return this.take(n);
  }

  private decodeText(n: number): string {
    if (n > this.input.length - this.offset) throw new CborError('truncated');
    const start = this.offset;
    const end = start + n;
    const input = this.input;
    for (let i = start; i < end; i++) {
      if ((input[i] as number) > 0x7f) {
        const bytes = this.take(n);
        try {
          return utf8Decoder.decode(bytes);
        } catch {
          throw new CborError('invalid UTF-8');
        }
      }
    }
    this.offset = end;
    // Short ASCII (most fields: names, codes, places) built in JS: cheaper than a native call per string.
    if (n <= 8) {
      let text = '';
      for (let i = start; i < end; i++) text += String.fromCharCode(input[i] as number);
      return text;
    }
    // Longer ASCII: latin1 reads it byte for byte, without a subarray per string.
    return this.latin1.toString('latin1', start, end);
  }

  /** When the next item is tag 25 (stringref) around an integer: that integer (both consumed). */
  stringRef(): number | undefined {
    if (this.input[this.offset] !== 0xd8 || this.input[this.offset + 1] !== 25) return undefined;
    this.offset += 2;
    const major = this.nextMajor();
    if (major === 1) return -1 - this.headOf(1, 'expected an integer');
    return this.uint();
  }

  /** The major type of the next item (not consumed), or -1 at the end of the input. */
  nextMajor(): number {
    return this.offset < this.input.length ? (this.input[this.offset] as number) >> 5 : -1;
  }

  /** True (and consumed) when the next item is null. */
  isNull(): boolean {
    if (this.input[this.offset] !== 0xf6) return false;
    this.offset++;
    return true;
  }

  value(depth = 0): CborValue {
    if (depth > this.limits.maxDepth) throw new CborError('nested too deeply');
    const initial = this.byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) {
      switch (info) {
        case 20:
          return false;
        case 21:
          return true;
        case 22:
          return null;
        case 23:
          return undefined;
        case 25: {
          const at = this.take(2);
          return halfToNumber((at[0] as number) * 256 + (at[1] as number));
        }
        case 26: {
          const at = this.offset;
          this.take(4);
          return this.view.getFloat32(at);
        }
        case 27: {
          const at = this.offset;
          this.take(8);
          return this.view.getFloat64(at);
        }
        default:
          throw new CborError('unsupported simple value');
      }
    }
    const n = this.argument(info);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
        // A copy: the caller gets a plain Uint8Array that does not pin the whole input.
        return new Uint8Array(this.take(n));
      case 3:
        return this.decodeText(n);
      case 4: {
        this.count(n);
        const out: CborValue[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
        return out;
      }
      case 5: {
        this.count(n);
        const out: Record<string, CborValue> = {};
        for (let i = 0; i < n; i++) {
          const key = this.value(depth + 1);
          if (typeof key !== 'string') throw new CborError('map key is not text');
          if (Object.hasOwn(out, key)) throw new CborError('duplicate map key');
          // defineProperty so that a "__proto__" key stays data, never a prototype.
          Object.defineProperty(out, key, {
            value: this.value(depth + 1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
      case 6: {
        if (n !== 1) throw new CborError('unsupported tag');
        const seconds = this.value(depth + 1);
        if (typeof seconds !== 'number' || !Number.isFinite(seconds)) throw new CborError('bad date');
        const date = new Date(Math.round(seconds * 1000));
        if (Number.isNaN(date.getTime())) throw new CborError('bad date');
        return date;
      }
      default:
        throw new CborError('unreachable');
    }
  }
}

function halfToNumber(half: number): number {
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 31) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

export function encodeCbor(value: unknown): Uint8Array {
  const writer = new CborWriter();
  writer.value(value);
  return writer.finish();
}

export function decodeCbor(input: Uint8Array, limits?: CborReadLimits): CborValue {
  const reader = new CborReader(input, limits);
  const value = reader.value();
  reader.end();
  return value;
}
