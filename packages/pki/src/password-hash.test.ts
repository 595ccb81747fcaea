import { scryptSync } from 'node:crypto';
import { expect, test } from 'vitest';
import { hashPassword, verifyPassword } from './password-hash.js';

test('verifies the right password, refuses a wrong one, and salts every hash', async () => {
  const first = await hashPassword('zerokey');
  const second = await hashPassword('zerokey');
  expect(first).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  expect(first).not.toBe(second);
  expect(await verifyPassword('zerokey', first)).toBe(true);
  expect(await verifyPassword('zerokeY', first)).toBe(false);
});

test('normalises Unicode, so the same password typed on two keyboards verifies', async () => {
  const composed = 'Bafoussam-\u00e9t\u00e9';
  const decomposed = 'Bafoussam-e\u0301te\u0301';
  expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
});

test('reads hashes made with other parameters: the cost travels with the hash', async () => {
  const salt = Buffer.from('0123456789abcdef');
  const key = scryptSync('zerokey', salt, 32, { N: 2 ** 10, r: 8, p: 1 });
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  expect(await verifyPassword('zerokey', `$scrypt$ln=10,r=8,p=1$${b64(salt)}$${b64(key)}`)).toBe(true);
});

test.each([
  ['', 'empty'],
  ['zerokey', 'plain text'],
  ['$scrypt$ln=15,r=8,p=1$$', 'no salt or hash'],
  ['$scrypt$ln=40,r=8,p=1$c2FsdA$aGFzaA', 'a cost that would exhaust memory'],
  ['$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', 'another algorithm'],
])('refuses a malformed hash without throwing: %s (%s)', async (phc) => {
  expect(await verifyPassword('zerokey', phc)).toBe(false);
});
