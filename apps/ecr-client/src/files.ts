import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { EcrError } from './errors.js';

// Every file `ecr` reads or writes for its user (an act's JSON, certificates, the centre's key, its
// request, the workstation's configuration) goes through here, so a file that cannot be used is
// always one message naming the file and saying what is wrong with it, in English and French,
// with the `file` exit code: never a raw ENOENT.

type Action = 'read' | 'write' | 'create-folder';

const actions: Record<Action, { en: string; fr: string }> = {
  read: { en: 'Cannot read', fr: 'Impossible de lire' },
  write: { en: 'Cannot write', fr: "Impossible d'écrire" },
  'create-folder': { en: 'Cannot create the folder', fr: 'Impossible de créer le dossier' },
};

/** What went wrong, in words, from the system's error code. */
function problemOf(code: string | undefined, action: Action): { en: string; fr: string } {
  switch (code) {
    case 'ENOENT':
      return action === 'read'
        ? { en: 'it does not exist', fr: "il n'existe pas" }
        : { en: 'its folder does not exist', fr: "son dossier n'existe pas" };
    case 'EACCES':
    case 'EPERM':
      return action === 'read'
        ? {
            en: 'permission denied, this user may not read it',
            fr: 'permission refusée, cet utilisateur ne peut pas le lire',
          }
        : {
            en: 'permission denied, this user may not write there',
            fr: 'permission refusée, cet utilisateur ne peut pas y écrire',
          };
    case 'EISDIR':
      return { en: 'it is a folder, not a file', fr: "c'est un dossier, pas un fichier" };
    case 'ENOTDIR':
      return {
        en: 'a part of the path is a file, not a folder',
        fr: 'une partie du chemin est un fichier, pas un dossier',
      };
    case 'EEXIST':
      return action === 'create-folder'
        ? { en: 'a file of that name is in the way', fr: 'un fichier de ce nom est déjà là' }
        : {
            en: 'it already exists and is not overwritten',
            fr: "il existe déjà et n'est pas écrasé",
          };
    case 'ENOSPC':
      return { en: 'the disk is full', fr: 'le disque est plein' };
    case 'EROFS':
      return {
        en: 'the file system is read-only',
        fr: 'le système de fichiers est en lecture seule',
      };
    case 'ENAMETOOLONG':
      return { en: 'the name is too long', fr: 'le nom est trop long' };
    case 'ELOOP':
      return { en: 'too many symbolic links', fr: 'trop de liens symboliques' };
    default:
      return { en: `system error ${code ?? 'unknown'}`, fr: `erreur système ${code ?? 'inconnue'}` };
  }
}

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** The `file` error for a failed read, write or folder creation of `path`. */
export function fileError(cause: unknown, path: string, action: Action): EcrError {
  const problem = problemOf(codeOf(cause), action);
  return new EcrError(
    'file',
    {
      path,
      action: actions[action].en,
      actionFr: actions[action].fr,
      problem: problem.en,
      problemFr: problem.fr,
    },
    { cause },
  );
}

export interface ReadOptions {
  /**
   * The error when the file does not exist, where that means more than a missing file: the
   * centre's own files say which step was not done (`ecr init`, `ecr cert import`).
   */
  readonly whenMissing?: (cause: unknown) => EcrError;
}

/** A text file the user named, or one of the centre's own files. */
export async function readTextFile(path: string, options: ReadOptions = {}): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    if (options.whenMissing && codeOf(cause) === 'ENOENT') throw options.whenMissing(cause);
    throw fileError(cause, path, 'read');
  }
}

export interface WriteOptions {
  /** Permissions of a new file (0o600 for anything private). */
  readonly mode?: number;
  /** Refuse to replace an existing file (a private key is never overwritten). */
  readonly exclusive?: boolean;
}

export async function writeTextFile(path: string, text: string, options: WriteOptions = {}): Promise<void> {
  try {
    await writeFile(path, text, {
      ...(options.mode !== undefined ? { mode: options.mode } : {}),
      ...(options.exclusive ? { flag: 'wx' } : {}),
    });
  } catch (cause) {
    throw fileError(cause, path, 'write');
  }
}

/** Makes a private folder (0700) and any missing parent; nothing happens if it exists. */
export async function makePrivateFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw fileError(cause, path, 'create-folder');
  }
}
