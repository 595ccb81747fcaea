import { randomBytes, randomFillSync } from 'node:crypto';

/**
 * Fresh random bytes for content keys, nonces and container ids, drawn from a pool that the
 * CSPRNG refills 4 KiB at a time (as Node's own randomUUID does): a `randomBytes` call costs
 * ~6 us whatever its size, and sealing one container needed four. Every byte is handed out once,
 * then wiped from the pool.
 */
const POOL_BYTES = 4096;
const MAX_FROM_POOL = 256;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

function reserve(n: number): number {
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += n;
  return start;
}

/** n random bytes in a new Buffer. */
export function freshRandomBytes(n: number): Buffer {
  if (n > MAX_FROM_POOL) return randomBytes(n);
  const start = reserve(n);
  const out = Buffer.allocUnsafe(n);
  pool.copy(out, 0, start, start + n);
  pool.fill(0, start, start + n);
  return out;
}

/** Fills target[from, to) with random bytes. */
export function fillRandom(target: Uint8Array, from: number, to: number): void {
  const n = to - from;
  if (n > MAX_FROM_POOL) {
    randomFillSync(target, from, n);
    return;
  }
  const start = reserve(n);
  target.set(pool.subarray(start, start + n), from);
  pool.fill(0, start, start + n);
}
