import { fillRandom } from './random.js';

/** A UUIDv7 (RFC 9562): time-ordered, so container ids sort by creation and index well. */
export function uuidv7(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  fillRandom(bytes, 6, 16);
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  return uuidToString(bytes);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isCanonicalUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

export function uuidToBytes(value: string): Uint8Array {
  return Buffer.from(value.replaceAll('-', ''), 'hex');
}

export function uuidToString(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function isUuidV7(value: string): boolean {
  return UUID_PATTERN.test(value) && value[14] === '7';
}

/** The Unix time in milliseconds that a UUIDv7 carries in its first 48 bits. */
export function uuidV7Time(bytes: Uint8Array): number {
  let ms = 0;
  for (let i = 0; i < 6; i++) ms = ms * 256 + (bytes[i] as number);
  return ms;
}
