/** Bounds a reader enforces before reading a file whole: a stick is hostile input. */
export interface MediumLimits {
  /** Largest container file read (the same bound as sdc-codec's `maxContainerBytes`). */
  maxContainerBytes: number;
  /** Largest manifest file read. */
  maxManifestBytes: number;
  /** Most files one manifest may list. */
  maxManifestFiles: number;
}

export const DEFAULT_MEDIUM_LIMITS: Readonly<MediumLimits> = Object.freeze({
  maxContainerBytes: 8 * 1024 * 1024,
  maxManifestBytes: 16 * 1024 * 1024,
  maxManifestFiles: 100_000,
});

export function resolveMediumLimits(limits: Partial<MediumLimits> | undefined): MediumLimits {
  return limits ? { ...DEFAULT_MEDIUM_LIMITS, ...limits } : DEFAULT_MEDIUM_LIMITS;
}
