import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ensureDirectory, writeDurably } from '@xmcomm/mail-transport';
import { mediumError, T2dError } from '../errors.js';
import {
  batchDirectory,
  containerFileName,
  isValidParty,
  manifestFileName,
  TEMPORARY_PREFIX,
} from './layout.js';
import { type MediumLimits, resolveMediumLimits } from './limits.js';
import {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestFile,
  type ManifestSigner,
  serialiseSignedManifest,
  signManifest,
} from './manifest.js';

export interface WriteBatchOptions {
  /** The mount point (or any directory standing for the medium). */
  medium: string;
  sender: string;
  recipient: string;
  /** Container bytes, in the order the recipient must apply them. */
  containers: readonly Uint8Array[];
  signer: ManifestSigner;
  batchId?: string;
  createdAt?: Date;
  limits?: Partial<MediumLimits>;
  /** Called after each file; `total` counts the containers plus the manifest. */
  onProgress?: (done: number, total: number) => void;
}

export interface WriteBatchResult {
  batchId: string;
  /** Path of the manifest, relative to the medium. */
  manifest: string;
  files: readonly ManifestFile[];
  /** Files written now. */
  written: number;
  /** Files already on the medium with the right content (an earlier export of the same items). */
  alreadyPresent: number;
  /** Temporary files of an earlier interrupted write by this sender, removed. */
  removedTemporary: number;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function holdsExactly(path: string, sha256: string, size: number): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size !== size) return false;
    return sha256Hex(await readFile(path)) === sha256;
  } catch {
    return false;
  }
}

/**
 * Puts one batch on the medium: each container under `<sha256>.sdc`, then a signed manifest listing
 * them. The manifest goes last, so a batch cut short is seen as unlisted files (skipped, sent again
 * next time), never as a complete batch. Throws T2dError when the medium cannot be written.
 */
export async function writeBatch(options: WriteBatchOptions): Promise<WriteBatchResult> {
  const { medium, sender, recipient } = options;
  if (!isValidParty(sender))
    throw new T2dError('invalid-matricule', `invalid sender ${sender}`, { params: { value: sender } });
  if (!isValidParty(recipient)) {
    throw new T2dError('invalid-matricule', `invalid recipient ${recipient}`, {
      params: { value: recipient },
    });
  }
  if (options.containers.length === 0)
    throw new T2dError('invalid-argument', 'a batch needs at least one container', {
      params: { name: 'containers', nameFr: 'nombre de conteneurs', value: 0 },
    });
  const limits = resolveMediumLimits(options.limits);
  if (options.containers.length > limits.maxManifestFiles) {
    throw new T2dError('invalid-argument', `at most ${limits.maxManifestFiles} containers per batch`, {
      params: { name: 'containers', nameFr: 'nombre de conteneurs', value: options.containers.length },
    });
  }

  const directory = batchDirectory(medium, recipient, sender);
  try {
    const mount = await stat(medium);
    if (!mount.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (error) {
    throw mediumError(error, medium);
  }

  const total = options.containers.length + 1;
  let done = 0;
  let written = 0;
  let alreadyPresent = 0;
  let removedTemporary = 0;
  const files: ManifestFile[] = [];
  const seen = new Set<string>();
  try {
    await ensureDirectory(medium, directory);
    for (const entry of await readdir(directory)) {
      if (entry.startsWith(TEMPORARY_PREFIX)) {
        await unlink(join(directory, entry));
        removedTemporary += 1;
      }
    }
    for (const bytes of options.containers) {
      if (bytes.length === 0 || bytes.length > limits.maxContainerBytes) {
        throw new T2dError('invalid-argument', `container of ${bytes.length} bytes`, {
          params: { name: 'container size', nameFr: 'taille de conteneur', value: bytes.length },
        });
      }
      const sha256 = sha256Hex(bytes);
      const name = containerFileName(sha256);
      if (!seen.has(sha256)) {
        seen.add(sha256);
        files.push({ name, sha256, size: bytes.length });
        if (await holdsExactly(join(directory, name), sha256, bytes.length)) alreadyPresent += 1;
        else {
          await writeDurably(directory, name, bytes);
          written += 1;
        }
      }
      done += 1;
      options.onProgress?.(done, total);
    }
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      batchId: options.batchId ?? randomUUID(),
      sender,
      recipient,
      createdAt: (options.createdAt ?? new Date()).toISOString(),
      files,
    };
    const signed = await signManifest(manifest, options.signer);
    const manifestName = manifestFileName(manifest.batchId);
    await writeDurably(directory, manifestName, serialiseSignedManifest(signed));
    options.onProgress?.(total, total);
    return {
      batchId: manifest.batchId,
      manifest: relative(medium, join(directory, manifestName)),
      files,
      written,
      alreadyPresent,
      removedTemporary,
    };
  } catch (error) {
    if (T2dError.isInstance(error)) throw error;
    throw mediumError(error, medium);
  }
}
