import { join } from 'node:path';

/**
 * Where containers live on a medium: `XMCOMM/v1/<recipient>/<sender>/`. The version is a folder so
 * a future layout can sit beside this one on the same stick.
 */
export const MEDIUM_ROOT = 'XMCOMM';
export const LAYOUT_VERSION = 'v1';

/** A container file is named by the SHA-256 of its bytes: the name is its own integrity check. */
export const CONTAINER_NAME = /^([0-9a-f]{64})\.sdc$/;
/** One manifest per batch, named by the batch id (a UUID). */
export const MANIFEST_NAME =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.manifest\.json$/;
/** Files being written (the shared durable writer's prefix); one left after the writer ended is an interrupted write. */
export { TEMPORARY_PREFIX } from '@xmcomm/mail-transport';

/**
 * Matricules name folders, so they must be safe on FAT and NTFS and must not climb out of the tree.
 * Same rule as xmserver: 1-32 letters, digits, dots, dashes or underscores, not starting with a dot.
 */
const PARTY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,31}$/;

export function isValidParty(name: string): boolean {
  return PARTY.test(name);
}

export function layoutRoot(mediumDirectory: string): string {
  return join(mediumDirectory, MEDIUM_ROOT, LAYOUT_VERSION);
}

export function batchDirectory(mediumDirectory: string, recipient: string, sender: string): string {
  return join(layoutRoot(mediumDirectory), recipient, sender);
}

export function containerFileName(sha256: string): string {
  return `${sha256}.sdc`;
}

export function manifestFileName(batchId: string): string {
  return `${batchId}.manifest.json`;
}
