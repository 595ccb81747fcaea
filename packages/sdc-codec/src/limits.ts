/** Bounds that every decoder enforces before allocating; all configurable per call. */
export interface SdcLimits {
  /** Largest container accepted, in bytes as received (DER, or text armour). */
  maxContainerBytes: number;
  /** Largest body once decompressed: the decompression-bomb guard. */
  maxDecompressedBytes: number;
  /** Most rows in one container. */
  maxRows: number;
  /** Largest single field value (text in UTF-16 units, bytes in bytes). */
  maxFieldBytes: number;
}

export const DEFAULT_LIMITS: Readonly<SdcLimits> = Object.freeze({
  maxContainerBytes: 8 * 1024 * 1024,
  maxDecompressedBytes: 32 * 1024 * 1024,
  maxRows: 10_000,
  maxFieldBytes: 1024 * 1024,
});

/** Limits already resolved: passed again (an encoder or decoder does, per container), they are returned as they are. */
const resolved = new WeakSet<object>([DEFAULT_LIMITS]);

export function resolveLimits(limits: Partial<SdcLimits> | undefined): SdcLimits {
  if (!limits) return DEFAULT_LIMITS;
  if (resolved.has(limits)) return limits as SdcLimits;
  const full = { ...DEFAULT_LIMITS, ...limits };
  resolved.add(full);
  return full;
}
