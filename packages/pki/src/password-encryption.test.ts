import { describe, expect, it } from 'vitest';
import { parseAsn1 } from './encoding.js';
import { decryptWithPassword, encryptWithPassword, pkcs12Kdf } from './password-encryption.js';

describe('pkcs12Kdf', () => {
  // Published vectors for RFC 7292 appendix B (as used by Bouncy Castle's PKCS12 tests).
  it('derives the key and IV of the published vectors', () => {
    const salt = Buffer.from('0A58CF64530D823F', 'hex');
    expect(pkcs12Kdf('sha1', 'smeg', salt, 1, 1, 24).toString('hex')).toBe(
      '8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3',
    );
    expect(pkcs12Kdf('sha1', 'smeg', salt, 2, 1, 8).toString('hex')).toBe('79993dfe048d3b76');
  });
});

describe('PBES2', () => {
  for (const kdf of ['pbkdf2', 'scrypt'] as const) {
    it(`round-trips with ${kdf}, and a wrong passphrase fails`, () => {
      const plaintext = new Uint8Array(Buffer.from('a private key, say'));
      const { algorithm, ciphertext } = encryptWithPassword(plaintext, 'pass', {
        kdf,
        iterations: 100,
        scryptCost: 1024,
      });
      const parsed = parseAsn1(new Uint8Array(algorithm.toBER()), 'algorithm');
      expect(Buffer.from(decryptWithPassword(parsed, ciphertext, 'pass')).toString()).toBe(
        'a private key, say',
      );
      let code = 'decrypted';
      try {
        const garbage = decryptWithPassword(parsed, ciphertext, 'other');
        code = Buffer.from(garbage).toString() === 'a private key, say' ? 'decrypted' : 'garbage';
      } catch (error) {
        code = (error as { code: string }).code;
      }
      expect(['wrong-passphrase', 'garbage']).toContain(code);
    });
  }
});
