import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// Passwords of operators, site users and sites are stored as scrypt hashes in the PHC string
// format: $scrypt$ln=15,r=8,p=1$<salt>$<hash> (base64 without padding). N = 2^15, r = 8, p = 1 is
// RFC 7914's interactive cost (32 MiB, tens of milliseconds); the parameters travel with the hash,
// so raising them later leaves existing hashes verifiable.
const defaults = { ln: 15, r: 8, p: 1 } as const;
const keyLength = 32;
const phcPattern = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function derive(password: string, salt: Buffer, ln: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** ln;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

const base64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** A salted scrypt hash of `password` (NFC-normalised) in the PHC string format. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, defaults.ln, defaults.r, defaults.p);
  return `$scrypt$ln=${defaults.ln},r=${defaults.r},p=${defaults.p}$${base64(salt)}$${base64(key)}`;
}

/**
 * True when `password` matches the PHC hash; false for a wrong password or a malformed or
 * absurdly expensive hash (a stored value must not be able to exhaust memory). Never throws on it.
 */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const match = phcPattern.exec(phc);
  if (!match) return false;
  const [, ln, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  if (Number(ln) < 1 || Number(ln) > 20 || Number(r) < 1 || Number(p) < 1 || Number(p) > 4) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), Number(ln), Number(r), Number(p));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
