import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { XmServerError } from './errors.js';

// scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds): RFC 7914's interactive
// recommendation, kept in the PHC string so a later cost increase still verifies old hashes.
const defaults = { ln: 15, r: 8, p: 1 } as const;
const keyLength = 32;

function derive(password: string, salt: Buffer, ln: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** ln;
  return new Promise((resolvePromise, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
      error ? reject(error) : resolvePromise(key),
    );
  });
}

/** A scrypt hash in the PHC string format: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64, no padding). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, defaults.ln, defaults.r, defaults.p);
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${defaults.ln},r=${defaults.r},p=${defaults.p}$${b64(salt)}$${b64(key)}`;
}

/** True when `password` matches `phc`; false for a wrong password or a malformed hash (never throws on it). */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
    phc,
  );
  if (!match) return false;
  const [, ln, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  if (Number(ln) > 20) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), Number(ln), Number(r), Number(p));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export const minimumPasswordLength = 8;

export interface PasswordSource {
  /** `--password-file`: the first line of that file. */
  readonly file?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Asks twice on a terminal; absent when stdin is not a terminal. */
  readonly prompt?: ((question: string) => Promise<string>) | undefined;
  readonly labels: { readonly password: string; readonly confirm: string };
}

/**
 * A new password, from a file, from `XM_PASSWORD`, or typed twice at a prompt: never from an
 * argument, which `ps` and shell history would reveal.
 */
export async function readNewPassword(source: PasswordSource): Promise<string> {
  let password: string | undefined;
  if (source.file) {
    try {
      password = (await readFile(source.file, 'utf8')).split(/\r?\n/, 1)[0];
    } catch (cause) {
      throw new XmServerError('invalid-argument', 'password file unreadable', {
        cause,
        params: {
          name: '--password-file',
          value: source.file,
          hint: 'The file cannot be read.',
          hintFr: 'Le fichier est illisible.',
        },
      });
    }
  } else if (source.env.XM_PASSWORD) {
    password = source.env.XM_PASSWORD;
  } else if (source.prompt) {
    password = await source.prompt(source.labels.password);
    const again = await source.prompt(source.labels.confirm);
    if (again !== password) throw new XmServerError('passwords-differ', 'passwords differ');
  }
  if (!password) throw new XmServerError('password-required', 'no password given');
  if ([...password].length < minimumPasswordLength) {
    throw new XmServerError('password-too-short', 'password too short', {
      params: { min: minimumPasswordLength },
    });
  }
  return password;
}

/** Reads a line from a terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolvePromise, reject) => {
    process.stderr.write(question);
    let value = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (error?: Error) => {
      input.setRawMode(wasRaw);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolvePromise(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new XmServerError('password-required', 'prompt interrupted'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.on('data', onData);
  });
}
