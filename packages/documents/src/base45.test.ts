import { describe, expect, it } from 'vitest';
import { decodeBase45, encodeBase45 } from './base45.js';

describe('base45', () => {
  it('matches the RFC 9285 examples', () => {
    const cases: [string, string][] = [
      ['AB', 'BB8'],
      ['Hello!!', '%69 VD92EX0'],
      ['base-45', 'UJCLQE7W581'],
      ['ietf!', 'QED8WEX0'],
    ];
    for (const [plain, encoded] of cases) {
      expect(encodeBase45(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(decodeBase45(encoded)!)).toBe(plain);
    }
  });

  it('refuses a wrong length, a foreign character and an out-of-range triple', () => {
    expect(decodeBase45('A')).toBeNull();
    expect(decodeBase45('BB~')).toBeNull();
    expect(decodeBase45('GGW')).toBeNull(); // 65535 + 1
    expect(decodeBase45(':;')).toBeNull();
  });
});
