import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The result of one `openssl` run: exit code and output (stdout as bytes, stderr as text). */
export interface OpensslRun {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/**
 * Runs the real `openssl` binary with execFile (no shell). Passphrases go through the environment
 * (`-passin env:PASSPHRASE`), never on the command line.
 */
export function runOpenssl(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<OpensslRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'openssl',
      [...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        encoding: 'buffer',
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({
          code: typeof error?.code === 'number' ? error.code : 0,
          stdout,
          stderr: stderr.toString('utf8'),
        });
      },
    );
  });
}

/** Like runOpenssl, but a non-zero exit is an error carrying openssl's own message. */
export async function openssl(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<OpensslRun> {
  const run = await runOpenssl(args, options);
  if (run.code !== 0) throw new Error(`openssl ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run;
}

/** A scratch directory for one test file; `remove()` in afterAll. */
export async function scratchDirectory(): Promise<{
  path: string;
  file: (name: string) => string;
  write: (name: string, data: string | Uint8Array) => Promise<string>;
  read: (name: string) => Promise<Buffer>;
  remove: () => Promise<void>;
}> {
  const path = await mkdtemp(join(tmpdir(), 'xmcomm-pki-'));
  const file = (name: string) => join(path, name);
  return {
    path,
    file,
    write: async (name, data) => {
      await writeFile(file(name), data);
      return file(name);
    },
    read: (name) => readFile(file(name)),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/**
 * An OpenSSL configuration for the tests, independent of the system's openssl.cnf: extension
 * sections for CAs and end entities, and a minimal `openssl ca` database for revocations and CRLs.
 */
export const OPENSSL_CONFIG = `
[ req ]
distinguished_name = req_distinguished_name
prompt = no
[ req_distinguished_name ]
CN = unused

[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_intermediate ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ site_ec ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = clientAuth, emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ site_rsa ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth, emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ encipher_only ]
basicConstraints = critical, CA:false
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ tls_only ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = ./index.txt
crlnumber = ./crlnumber
new_certs_dir = .
default_md = sha256
default_crl_days = 7
policy = any_policy
[ any_policy ]
commonName = supplied
`;
