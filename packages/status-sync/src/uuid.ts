import { randomBytes } from 'node:crypto';

/** A UUIDv7 (RFC 9562): time-ordered, so container ids sort by creation and carry their creation time. */
export function uuidv7(ms: number = Date.now()): string {
  const bytes = randomBytes(16);
  let time = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
