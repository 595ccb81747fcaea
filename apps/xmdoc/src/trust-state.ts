/**
 * The trust list this verifier holds, kept in its home folder (XMDOC_HOME, else ~/.xmdoc): a list
 * offered with --trust replaces it only when it is not older and is under the same national CA,
 * so a replayed old list (one before a revocation) is refused.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  acceptTrustList,
  DocumentsError,
  readTrustList,
  type TrustList,
  trustListToText,
} from '@xmcomm/documents';
import { XmdocError } from './errors.js';

export function homeFolder(env: NodeJS.ProcessEnv): string {
  return env.XMDOC_HOME || join(homedir(), '.xmdoc');
}

const FILE = 'trust-list.txt';

function asXmdocError(error: unknown, file: string): XmdocError {
  if (DocumentsError.isInstance(error)) {
    const code =
      error.code === 'trust-list-older' || error.code === 'trust-list-other-ca'
        ? error.code
        : 'invalid-trust-list';
    return new XmdocError(code, error.detail ? `${file}: ${error.detail}` : file, { cause: error });
  }
  return new XmdocError('internal', String(error), { cause: error });
}

function readListFile(file: string, pinnedCa: Uint8Array | undefined): TrustList {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (cause) {
    throw new XmdocError('input-missing', file, { cause });
  }
  try {
    const input = text.includes('-----BEGIN') ? text : new Uint8Array(Buffer.from(text, 'latin1'));
    return readTrustList(input, pinnedCa ? { pinnedCa } : {});
  } catch (error) {
    throw asXmdocError(error, file);
  }
}

export interface HeldList {
  readonly list: TrustList;
  /** True when the offered list was newer than the one held and replaced it. */
  readonly replaced: boolean;
}

/**
 * The list to verify with: the offered one if acceptable (and then kept), else the held one. With
 * `pinnedCa` (the national CA's DER, from --ca) no list under another CA is taken, even the first.
 */
export function trustListFor(
  offered: string | undefined,
  env: NodeJS.ProcessEnv,
  pinnedCa?: Uint8Array,
): HeldList {
  const folder = homeFolder(env);
  const heldFile = join(folder, FILE);
  let held: TrustList | undefined;
  try {
    held = readTrustList(readFileSync(heldFile, 'utf8'), pinnedCa ? { pinnedCa } : {});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw asXmdocError(error, heldFile);
  }
  if (offered === undefined) {
    if (!held) throw new XmdocError('no-trust-list', heldFile);
    return { list: held, replaced: false };
  }
  const candidate = readListFile(offered, pinnedCa);
  let kept: TrustList;
  try {
    kept = acceptTrustList(held, candidate);
  } catch (error) {
    throw asXmdocError(error, offered);
  }
  const replaced = !held || kept.content.sequence > held.content.sequence;
  if (replaced) {
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      writeFileSync(`${heldFile}.tmp`, trustListToText(kept.bytes));
      renameSync(`${heldFile}.tmp`, heldFile);
    } catch (cause) {
      throw new XmdocError('cannot-write', heldFile, { cause });
    }
  }
  return { list: kept, replaced };
}
