import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
  ca: string;
  cert: string;
  key: string;
  /** A CA that did not sign the broker's certificate. */
  otherCa: string;
  /** Client certificates by common name, signed by `ca`. */
  clients: Record<string, { cert: string; key: string }>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/**
 * A CA, a broker certificate for 127.0.0.1 and client certificates (CN = the given
 * names), made by openssl for this test run only; unencrypted keys in a private temporary
 * folder that is removed before this returns.
 */
export async function makeTestCertificates(clientNames: readonly string[] = []): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'xm-tls-'));
  const file = (name: string) => join(dir, name);
  const read = (name: string) => readFile(file(name), 'utf8');
  const selfSigned = (name: string) =>
    run('openssl', [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
    ]);
  const leaf = async (name: string, extensions: string) => {
    await writeFile(file(`${name}.cnf`), extensions);
    await run('openssl', [
      'req',
      ...EC,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    ]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.crt`),
      '-days',
      '1',
      '-extfile',
      file(`${name}.cnf`),
    ]);
  };
  try {
    await selfSigned('ca');
    await selfSigned('other-ca');
    await leaf('broker', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    const clients: TestCertificates['clients'] = {};
    for (const name of clientNames) {
      await leaf(name, 'extendedKeyUsage=clientAuth\n');
      clients[name] = { cert: await read(`${name}.crt`), key: await read(`${name}.key`) };
    }
    return {
      ca: await read('ca.crt'),
      cert: await read('broker.crt'),
      key: await read('broker.key'),
      otherCa: await read('other-ca.crt'),
      clients,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
