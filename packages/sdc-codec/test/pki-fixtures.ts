import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Keys and certificates made by the real openssl binary, in a temp dir, for one test file. */
export interface TestPki {
  dir: string;
  path(name: string): string;
  read(name: string): string;
  /** The passphrase of `site-encrypted.key` (an encrypted PKCS#8 copy of the site key). */
  passphrase: string;
  cleanup(): void;
}

function openssl(dir: string, args: string[], input?: string): Buffer {
  return execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

const EXTENSIONS = [
  '[leaf]',
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
  '[ca]',
  'basicConstraints=critical,CA:TRUE',
  'keyUsage=critical,keyCertSign,cRLSign',
  'subjectKeyIdentifier=hash',
  '',
].join('\n');

/**
 * ca (EC), site (EC signer, matricule CE0001), server (EC recipient), rsa-server (RSA 2048 recipient),
 * pss-site (RSA-PSS signer), rsa-site (RSA PKCS#1 signer), other-server (EC, another recipient),
 * revoked-site (EC, revoked in ca.crl),
 * rogue-ca and rogue-site (a signer from an untrusted CA).
 */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'sdc-pki-'));
  const passphrase = 'correct horse battery staple';
  writeFileSync(join(dir, 'ext.cnf'), EXTENSIONS);
  const ecKey = (name: string) =>
    openssl(dir, [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      `${name}.key`,
    ]);
  const ca = (name: string) => {
    ecKey(name);
    openssl(dir, [
      'req',
      '-new',
      '-x509',
      '-key',
      `${name}.key`,
      '-subj',
      `/CN=${name}`,
      '-days',
      '3650',
      '-out',
      `${name}.pem`,
      '-extensions',
      'ca',
      '-config',
      'ext.cnf',
    ]);
  };
  const leaf = (name: string, issuer: string, extra: string[] = []) => {
    openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${issuer}.pem`,
      '-CAkey',
      `${issuer}.key`,
      '-CAcreateserial',
      '-days',
      '365',
      '-out',
      `${name}.pem`,
      '-extfile',
      'ext.cnf',
      '-extensions',
      'leaf',
      ...extra,
    ]);
  };
  // openssl req needs a config for -extensions; give it a minimal one.
  writeFileSync(join(dir, 'ext.cnf'), `[req]\ndistinguished_name=dn\n[dn]\n${EXTENSIONS}`);
  ca('ca');
  ca('rogue-ca');
  for (const name of ['site', 'server', 'rogue-site', 'other-server', 'revoked-site']) ecKey(name);
  openssl(dir, [
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    'rsa-server.key',
  ]);
  openssl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa-site.key']);
  openssl(dir, [
    'genpkey',
    '-algorithm',
    'RSA-PSS',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    'pss-site.key',
  ]);
  for (const name of [
    'site',
    'server',
    'rsa-server',
    'rsa-site',
    'pss-site',
    'other-server',
    'revoked-site',
  ]) {
    leaf(name, 'ca');
  }
  // revoked-site is revoked in ca.crl, made with `openssl ca` and a throwaway database.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca=local\n[local]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n',
  );
  openssl(dir, [
    'ca',
    '-config',
    'ca.cnf',
    '-keyfile',
    'ca.key',
    '-cert',
    'ca.pem',
    '-revoke',
    'revoked-site.pem',
  ]);
  openssl(dir, [
    'ca',
    '-config',
    'ca.cnf',
    '-keyfile',
    'ca.key',
    '-cert',
    'ca.pem',
    '-gencrl',
    '-out',
    'ca.crl',
  ]);
  leaf('rogue-site', 'rogue-ca');
  openssl(
    dir,
    [
      'pkcs8',
      '-topk8',
      '-in',
      'site.key',
      '-out',
      'site-encrypted.key',
      '-v2',
      'aes-256-cbc',
      '-passout',
      'stdin',
    ],
    passphrase,
  );
  return {
    dir,
    passphrase,
    path: (name) => join(dir, name),
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
