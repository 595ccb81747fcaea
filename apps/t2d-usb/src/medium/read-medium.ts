import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { mediumError } from '../errors.js';
import { CONTAINER_NAME, isValidParty, layoutRoot, MANIFEST_NAME, TEMPORARY_PREFIX } from './layout.js';
import { type MediumLimits, resolveMediumLimits } from './limits.js';
import {
  MANIFEST_PROBLEMS,
  type ManifestVerifier,
  manifestBytes,
  parseSignedManifest,
  type SignedManifest,
} from './manifest.js';

export const MEDIUM_ISSUE_KINDS = [
  /** The bytes do not hash to the file's name. */
  'corrupt',
  /** Shorter than its manifest says: a write cut short, or a damaged stick. */
  'truncated',
  /** A temporary file left by a write that never finished. */
  'interrupted-write',
  /** Not something XMcomm writes: another program's file, a folder, a link. */
  'foreign',
  /** A well-formed container that no valid manifest lists: its batch never completed. */
  'unlisted',
  /** Listed by a manifest but not on the medium. */
  'missing',
  /** A manifest that cannot be read, or that names another sender, recipient or batch. */
  'bad-manifest',
  /** A manifest whose signature does not verify against the sender's known keys. */
  'bad-signature',
  /** Larger than the limits allow; not read. */
  'too-large',
  /** The file system refused to read it. */
  'unreadable',
] as const;
export type MediumIssueKind = (typeof MEDIUM_ISSUE_KINDS)[number];

/** What more an issue can say than its kind; each a stable code, worded in English or French by the CLI. */
export const MEDIUM_ISSUE_DETAILS = [
  'not-a-regular-file',
  'not-a-folder',
  'not-a-matricule',
  /** values: `max`, and `bytes` when the size was known before reading. */
  'larger-than-limit',
  /** values: `error`, the system's code (EACCES, EIO, ...). */
  'system-error',
  /** A manifest naming another sender, recipient or batch than its place; values: what it says. */
  'addressed-elsewhere',
  /** values: `bytes` read, `listed` in the manifest. */
  'shorter-than-listed',
  'content-does-not-match-name',
  /** Why a manifest could not be read (see MANIFEST_PROBLEMS). */
  ...MANIFEST_PROBLEMS,
] as const;
export type MediumIssueDetailCode = (typeof MEDIUM_ISSUE_DETAILS)[number];

export interface MediumIssueDetail {
  readonly code: MediumIssueDetailCode;
  readonly values?: Readonly<Record<string, string | number>>;
}

export interface MediumIssue {
  kind: MediumIssueKind;
  /** Relative to the medium, with `/` separators. */
  path: string;
  sender?: string;
  batchId?: string;
  detail?: MediumIssueDetail;
}

/** A container that passed every check: named by its hash, listed by a manifest the sender signed. */
export interface MediumContainer {
  sender: string;
  recipient: string;
  sha256: string;
  bytes: Uint8Array;
  path: string;
  batchId: string;
}

export interface MediumBatch {
  batchId: string;
  sender: string;
  recipient: string;
  createdAt: string;
  listed: number;
}

export interface ReadMediumResult {
  /** In application order: batches by creation time, files in manifest order; each hash once. */
  containers: MediumContainer[];
  batches: MediumBatch[];
  issues: MediumIssue[];
}

export interface ReadMediumOptions {
  medium: string;
  /** Only the folder addressed to this party is read. */
  recipient: string;
  verifier: ManifestVerifier;
  /** Read only these senders (default: every sender folder). */
  senders?: readonly string[];
  limits?: Partial<MediumLimits>;
  /** Called after each file checked. */
  onProgress?: (done: number, total: number) => void;
}

type ReadOutcome =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; kind: 'too-large' | 'unreadable'; detail: MediumIssueDetail };

const systemError = (error: unknown): MediumIssueDetail => ({
  code: 'system-error',
  values: { error: String((error as NodeJS.ErrnoException).code ?? error) },
});

/** Reads a regular file no larger than `max` without trusting its size before opening it. */
async function readBounded(path: string, max: number): Promise<ReadOutcome> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, kind: 'unreadable', detail: { code: 'not-a-regular-file' } };
    if (info.size > max)
      return {
        ok: false,
        kind: 'too-large',
        detail: { code: 'larger-than-limit', values: { bytes: info.size, max } },
      };
    const buffer = Buffer.alloc(info.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > max)
      return { ok: false, kind: 'too-large', detail: { code: 'larger-than-limit', values: { max } } };
    return { ok: true, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, length) };
  } catch (error) {
    return { ok: false, kind: 'unreadable', detail: systemError(error) };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function listDirectory(path: string): Promise<Dirent[] | undefined> {
  try {
    return (await readdir(path, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads everything addressed to `recipient` on a medium and checks it before anyone uses it: each
 * manifest's shape, placement and signature, each file's size and hash. Whatever fails is reported
 * in `issues` and skipped; the rest is returned. Reading never changes the medium, so reading twice
 * gives the same answer. Throws T2dError only when the medium itself is not there.
 */
export async function readMedium(options: ReadMediumOptions): Promise<ReadMediumResult> {
  const { medium, recipient, verifier } = options;
  const limits = resolveMediumLimits(options.limits);
  try {
    const info = await stat(medium);
    if (!info.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (error) {
    throw mediumError(error, medium);
  }
  const result: ReadMediumResult = { containers: [], batches: [], issues: [] };
  const rel = (path: string) => relative(medium, path).split(/[\\/]/).join('/');
  const recipientDirectory = join(layoutRoot(medium), recipient);
  let senderEntries: Dirent[] | undefined;
  try {
    senderEntries = await listDirectory(recipientDirectory);
  } catch (error) {
    throw mediumError(error, medium);
  }
  if (!senderEntries) return result;

  interface SenderWork {
    sender: string;
    directory: string;
    manifests: string[];
    containers: Map<string, string>;
  }
  const work: SenderWork[] = [];
  for (const entry of senderEntries) {
    const path = join(recipientDirectory, entry.name);
    if (!entry.isDirectory() || !isValidParty(entry.name)) {
      result.issues.push({
        kind: 'foreign',
        path: rel(path),
        detail: { code: entry.isDirectory() ? 'not-a-matricule' : 'not-a-folder' },
      });
      continue;
    }
    if (options.senders && !options.senders.includes(entry.name)) continue;
    const item: SenderWork = { sender: entry.name, directory: path, manifests: [], containers: new Map() };
    let files: Dirent[] | undefined;
    try {
      files = (await listDirectory(path)) ?? [];
    } catch (error) {
      result.issues.push({
        kind: 'unreadable',
        path: rel(path),
        sender: entry.name,
        detail: systemError(error),
      });
      continue;
    }
    for (const file of files) {
      const filePath = join(path, file.name);
      if (file.name.startsWith(TEMPORARY_PREFIX)) {
        result.issues.push({ kind: 'interrupted-write', path: rel(filePath), sender: entry.name });
      } else if (!file.isFile()) {
        result.issues.push({
          kind: 'foreign',
          path: rel(filePath),
          sender: entry.name,
          detail: { code: 'not-a-regular-file' },
        });
      } else if (MANIFEST_NAME.test(file.name)) {
        item.manifests.push(filePath);
      } else {
        const match = CONTAINER_NAME.exec(file.name);
        if (match?.[1]) item.containers.set(match[1], filePath);
        else result.issues.push({ kind: 'foreign', path: rel(filePath), sender: entry.name });
      }
    }
    work.push(item);
  }

  const total = work.reduce((sum, item) => sum + item.manifests.length + item.containers.size, 0);
  let done = 0;
  const tick = () => {
    done += 1;
    options.onProgress?.(done, total);
  };

  for (const item of work) {
    const valid: SignedManifest[] = [];
    for (const path of item.manifests) {
      const batchId = MANIFEST_NAME.exec(path.slice(item.directory.length + 1))?.[1];
      const read = await readBounded(path, limits.maxManifestBytes);
      tick();
      if (!read.ok) {
        result.issues.push({ kind: read.kind, path: rel(path), sender: item.sender, detail: read.detail });
        continue;
      }
      const parsed = parseSignedManifest(read.bytes, limits.maxManifestFiles);
      if (!parsed.ok) {
        result.issues.push({
          kind: 'bad-manifest',
          path: rel(path),
          sender: item.sender,
          detail: parsed.error,
        });
        continue;
      }
      const { manifest, signature } = parsed.value;
      if (
        manifest.sender !== item.sender ||
        manifest.recipient !== recipient ||
        manifest.batchId !== batchId
      ) {
        result.issues.push({
          kind: 'bad-manifest',
          path: rel(path),
          sender: item.sender,
          detail: {
            code: 'addressed-elsewhere',
            values: { sender: manifest.sender, recipient: manifest.recipient, batchId: manifest.batchId },
          },
        });
        continue;
      }
      let verified = false;
      try {
        verified = await verifier.verify({
          sender: item.sender,
          keyId: signature.keyId,
          algorithm: signature.algorithm,
          data: manifestBytes(manifest),
          signature: Buffer.from(signature.value, 'base64'),
        });
      } catch {
        verified = false;
      }
      if (!verified) {
        result.issues.push({
          kind: 'bad-signature',
          path: rel(path),
          sender: item.sender,
          batchId: manifest.batchId,
        });
        continue;
      }
      valid.push(parsed.value);
    }
    valid.sort((a, b) =>
      a.manifest.createdAt === b.manifest.createdAt
        ? a.manifest.batchId < b.manifest.batchId
          ? -1
          : 1
        : Date.parse(a.manifest.createdAt) - Date.parse(b.manifest.createdAt),
    );

    // Each file is checked once, whatever number of manifests list it.
    const checked = new Map<string, boolean>();
    const check = async (sha256: string, path: string, listedSize: number | undefined, batchId?: string) => {
      const read = await readBounded(path, limits.maxContainerBytes);
      tick();
      const where = { path: rel(path), sender: item.sender, ...(batchId ? { batchId } : {}) };
      if (!read.ok) {
        result.issues.push({ kind: read.kind, ...where, detail: read.detail });
        return undefined;
      }
      if (sha256Hex(read.bytes) !== sha256) {
        if (listedSize !== undefined && read.bytes.length < listedSize) {
          result.issues.push({
            kind: 'truncated',
            ...where,
            detail: { code: 'shorter-than-listed', values: { bytes: read.bytes.length, listed: listedSize } },
          });
        } else
          result.issues.push({ kind: 'corrupt', ...where, detail: { code: 'content-does-not-match-name' } });
        return undefined;
      }
      return read.bytes;
    };

    for (const { manifest } of valid) {
      result.batches.push({
        batchId: manifest.batchId,
        sender: manifest.sender,
        recipient: manifest.recipient,
        createdAt: manifest.createdAt,
        listed: manifest.files.length,
      });
      for (const file of manifest.files) {
        if (checked.has(file.sha256)) continue;
        const path = item.containers.get(file.sha256);
        if (!path) {
          checked.set(file.sha256, false);
          result.issues.push({
            kind: 'missing',
            path: rel(join(item.directory, file.name)),
            sender: item.sender,
            batchId: manifest.batchId,
          });
          continue;
        }
        const bytes = await check(file.sha256, path, file.size, manifest.batchId);
        checked.set(file.sha256, bytes !== undefined);
        if (bytes) {
          result.containers.push({
            sender: item.sender,
            recipient,
            sha256: file.sha256,
            bytes,
            path: rel(path),
            batchId: manifest.batchId,
          });
        }
      }
    }
    for (const [sha256, path] of item.containers) {
      if (checked.has(sha256)) continue;
      const bytes = await check(sha256, path, undefined);
      if (bytes) result.issues.push({ kind: 'unlisted', path: rel(path), sender: item.sender });
    }
  }
  return result;
}
