import { describe, expect, test } from 'vitest';
import { exitCodeOf } from './errors.js';
import { fileError } from './files.js';

// What the system says, in words: the cases a test run as root cannot provoke on disk.
const system = (code: string) => Object.assign(new Error(`${code}: what node says`), { code });

describe('fileError', () => {
  test('permission denied, reading and writing, in English and French, exit 2', () => {
    const read = fileError(system('EACCES'), '/etc/centre-key.pem', 'read');
    expect(read.code).toBe('file');
    expect(exitCodeOf(read)).toBe(2);
    expect(read.message).toBe(
      'Cannot read /etc/centre-key.pem: permission denied, this user may not read it.',
    );
    expect(read.messageIn('fr')).toBe(
      'Impossible de lire /etc/centre-key.pem : permission refusée, cet utilisateur ne peut pas le lire.',
    );
    const written = fileError(system('EPERM'), '/srv/centre.csr.pem', 'write');
    expect(written.message).toBe(
      'Cannot write /srv/centre.csr.pem: permission denied, this user may not write there.',
    );
    expect(written.messageIn('fr')).toBe(
      "Impossible d'écrire /srv/centre.csr.pem : permission refusée, cet utilisateur ne peut pas y écrire.",
    );
  });

  test('a full disk, a read-only stick, and a code without words of its own', () => {
    expect(fileError(system('ENOSPC'), '/a', 'write').messageIn('fr')).toBe(
      "Impossible d'écrire /a : le disque est plein.",
    );
    expect(fileError(system('EROFS'), '/media/stick/ecr', 'create-folder').message).toBe(
      'Cannot create the folder /media/stick/ecr: the file system is read-only.',
    );
    expect(fileError(system('EIO'), '/a', 'read').message).toBe('Cannot read /a: system error EIO.');
    expect(fileError(new Error('no code'), '/a', 'read').messageIn('fr')).toBe(
      'Impossible de lire /a : erreur système inconnue.',
    );
  });
});
