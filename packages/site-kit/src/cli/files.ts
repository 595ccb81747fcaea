import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { SiteCliError } from './errors.js';

// Every file a site CLI reads or writes for its user (certificates, the site's key, its request)
// goes through here, so a file that cannot be used is one message naming it and saying what is
// wrong, in English and French, never a raw ENOENT.

export type FileAction = 'read' | 'write' | 'create-folder';

const actions: Record<FileAction, { en: string; fr: string }> = {
  read: { en: 'Cannot read', fr: 'Impossible de lire' },
  write: { en: 'Cannot write', fr: "Impossible d'écrire" },
  'create-folder': { en: 'Cannot create the folder', fr: 'Impossible de créer le dossier' },
};

function problemOf(code: string | undefined, action: FileAction): { en: string; fr: string } {
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
        : { en: 'it already exists and is not overwritten', fr: "il existe déjà et n'est pas écrasé" };
    case 'ENOSPC':
      return { en: 'the disk is full', fr: 'le disque est plein' };
    case 'EROFS':
      return { en: 'the file system is read-only', fr: 'le système de fichiers est en lecture seule' };
    case 'ENAMETOOLONG':
      return { en: 'the name is too long', fr: 'le nom est trop long' };
    case 'ELOOP':
      return { en: 'too many symbolic links', fr: 'trop de liens symboliques' };
    default:
      return { en: `system error ${code ?? 'unknown'}`, fr: `erreur système ${code ?? 'inconnue'}` };
  }
}

export const systemCodeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** The parameters of a `file` error: the path, the action and the problem in both languages. */
export function fileProblem(cause: unknown, path: string, action: FileAction): Record<string, string> {
  const problem = problemOf(systemCodeOf(cause), action);
  return {
    path,
    action: actions[action].en,
    actionFr: actions[action].fr,
    problem: problem.en,
    problemFr: problem.fr,
  };
}

export const fileError = (cause: unknown, path: string, action: FileAction): SiteCliError =>
  new SiteCliError('file', fileProblem(cause, path, action), { cause });

/** A text file; `whenMissing` says which step was not done when a site's own file is absent. */
export async function readTextFile(
  path: string,
  options: { readonly whenMissing?: (cause: unknown) => Error } = {},
): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    if (options.whenMissing && systemCodeOf(cause) === 'ENOENT') throw options.whenMissing(cause);
    throw fileError(cause, path, 'read');
  }
}

/** Writes a file; `exclusive` never replaces one (a private key), `mode` 0o600 for anything private. */
export async function writeTextFile(
  path: string,
  text: string,
  options: { readonly mode?: number; readonly exclusive?: boolean } = {},
): Promise<void> {
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
