import {
  fileProblem,
  makePrivateFolder as kitMakePrivateFolder,
  readTextFile as kitReadTextFile,
  writeTextFile as kitWriteTextFile,
} from '@xmcomm/site-kit/cli';
import { asEcr, EcrError } from './errors.js';

// Every file `ecr` reads or writes for its user goes through the site CLI kit's file helpers, so a
// file that cannot be used is always one message naming the file and saying what is wrong with it,
// in English and French, with the `file` exit code: never a raw ENOENT.

type Action = 'read' | 'write' | 'create-folder';

/** The `file` error for a failed read, write or folder creation of `path`. */
export function fileError(cause: unknown, path: string, action: Action): EcrError {
  return new EcrError('file', fileProblem(cause, path, action), { cause });
}

export interface ReadOptions {
  /**
   * The error when the file does not exist, where that means more than a missing file: the
   * centre's own files say which step was not done (`ecr init`, `ecr cert import`).
   */
  readonly whenMissing?: (cause: unknown) => EcrError;
}

/** A text file the user named, or one of the centre's own files. */
export function readTextFile(path: string, options: ReadOptions = {}): Promise<string> {
  return asEcr(kitReadTextFile(path, options));
}

export interface WriteOptions {
  /** Permissions of a new file (0o600 for anything private). */
  readonly mode?: number;
  /** Refuse to replace an existing file (a private key is never overwritten). */
  readonly exclusive?: boolean;
}

export function writeTextFile(path: string, text: string, options: WriteOptions = {}): Promise<void> {
  return asEcr(kitWriteTextFile(path, text, options));
}

/** Makes a private folder (0700) and any missing parent; nothing happens if it exists. */
export function makePrivateFolder(path: string): Promise<void> {
  return asEcr(kitMakePrivateFolder(path));
}
