import { createPublicKey, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificateAuthority,
  certificateRequestToPem,
  computeSubjectKeyIdentifier,
  createCertificateRequest,
  exportPkcs12,
  exportPrivateKey,
  exportPublicKey,
  generateKeyPair,
  importPkcs12,
  importPrivateKey,
  inspectCertificate,
  inspectCertificateRequest,
  inspectRevocationList,
  keysMatch,
  revocationListToPem,
  TrustStore,
  unwrap,
} from '../src/index.js';
import { OPENSSL_CONFIG, openssl, runOpenssl, scratchDirectory } from './support/openssl.js';

const PASSPHRASE = 'correct horse battery staple';
const env = { PASSPHRASE };
/** Few iterations keep the suite fast; one test per format uses the defaults. */
const FAST = { iterations: 1000 } as const;

type Scratch = Awaited<ReturnType<typeof scratchDirectory>>;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('made by openssl, read here', () => {
  let dir: Scratch;
  const run = (...args: string[]) => openssl(args, { cwd: dir.path, env });

  beforeAll(async () => {
    dir = await scratchDirectory();
    await dir.write('openssl.cnf', OPENSSL_CONFIG);
    await dir.write('index.txt', '');
    await dir.write('crlnumber', '01\n');
    for (const [type, newKey, siteKey] of [
      [
        'ec',
        ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
        ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      ],
      ['rsa', ['-newkey', 'rsa:2048'], ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']],
    ] as const) {
      await run(
        'req',
        '-x509',
        '-new',
        ...newKey,
        '-nodes',
        '-keyout',
        `root-${type}.key`,
        '-out',
        `root-${type}.pem`,
        '-days',
        '30',
        '-subj',
        `/C=CM/O=OpenSSL Test/CN=OpenSSL Root ${type}`,
        '-config',
        'openssl.cnf',
        '-extensions',
        'v3_ca',
      );
      await run('genpkey', ...siteKey, '-out', `site-${type}.key`);
      await run(
        'req',
        '-new',
        '-key',
        `site-${type}.key`,
        '-subj',
        `/CN=CEC-0007/serialNumber=CEC-0007`,
        '-config',
        'openssl.cnf',
        '-out',
        `site-${type}.csr`,
      );
      await run(
        'x509',
        '-req',
        '-in',
        `site-${type}.csr`,
        '-CA',
        `root-${type}.pem`,
        '-CAkey',
        `root-${type}.key`,
        '-set_serial',
        type === 'ec' ? '0x1001' : '0x2002',
        '-days',
        '30',
        '-extfile',
        'openssl.cnf',
        '-extensions',
        `site_${type}`,
        '-out',
        `site-${type}.pem`,
      );
    }
  });
  afterAll(() => dir.remove());

  for (const type of ['ec', 'rsa'] as const) {
    it(`validates an ${type.toUpperCase()} certificate chain and finds its signer by SKI`, async () => {
      const site = await dir.read(`site-${type}.pem`);
      const info = unwrap(inspectCertificate(site));
      expect(info.keyType).toBe(type);
      expect(info.matricule).toBe('CEC-0007');
      expect(info.keyUsage).toContain('digitalSignature');
      const x509Text = (
        await run('x509', '-in', `site-${type}.pem`, '-noout', '-ext', 'subjectKeyIdentifier')
      ).stdout.toString();
      expect(x509Text.replace(/[\s:]/g, '').toLowerCase()).toContain(info.subjectKeyIdentifier);

      const store = new TrustStore();
      unwrap(store.addTrustAnchor(await dir.read(`root-${type}.pem`)));
      const report = unwrap(store.validateCertificate(site));
      expect(report.chain).toHaveLength(2);

      const key = unwrap(importPrivateKey(await dir.read(`site-${type}.key`)));
      const ski = computeSubjectKeyIdentifier(key);
      expect(hex(ski)).toBe(info.subjectKeyIdentifier);
      unwrap(store.registerCertificate(site));
      const check = store.checkSigner(ski);
      expect(check.ok).toBe(true);
      if (check.ok) {
        expect(check.signer.matricule).toBe('CEC-0007');
        expect(keysMatch(check.signer.publicKey, key)).toBe(true);
      }
    });

    it(`reads an ${type.toUpperCase()} CSR and issues from it`, async () => {
      const csr = await dir.read(`site-${type}.csr`);
      const info = unwrap(inspectCertificateRequest(csr));
      expect(info.matricule).toBe('CEC-0007');
      const { ca, certificate: root } = await CertificateAuthority.createRoot({
        subject: { commonName: 'Test Root' },
      });
      const issued = await ca.issueCertificate({ csr, profile: 'site' });
      expect(issued.info.matricule).toBe('CEC-0007');
      expect(hex(issued.subjectKeyIdentifier)).toBe(info.subjectKeyIdentifier);
      await dir.write(`ours-root-${type}.pem`, root.pem);
      await dir.write(`ours-site-${type}.pem`, issued.pem);
      const verify = await run('verify', '-CAfile', `ours-root-${type}.pem`, `ours-site-${type}.pem`);
      expect(verify.stdout.toString()).toContain('OK');
    });
  }

  it('loads an openssl CRL, and the certificate it lists is revoked from then on', async () => {
    await run(
      'ca',
      '-config',
      'openssl.cnf',
      '-revoke',
      'site-ec.pem',
      '-keyfile',
      'root-ec.key',
      '-cert',
      'root-ec.pem',
      '-crl_reason',
      'keyCompromise',
    );
    await run(
      'ca',
      '-config',
      'openssl.cnf',
      '-gencrl',
      '-keyfile',
      'root-ec.key',
      '-cert',
      'root-ec.pem',
      '-out',
      'crl-ec.pem',
    );
    const store = new TrustStore();
    unwrap(store.addTrustAnchor(await dir.read('root-ec.pem')));
    const site = await dir.read('site-ec.pem');
    unwrap(store.registerCertificate(site));
    const ski = Buffer.from(unwrap(inspectCertificate(site)).subjectKeyIdentifier!, 'hex');
    expect(store.checkSigner(ski).ok).toBe(true);

    const crl = await dir.read('crl-ec.pem');
    const info = unwrap(inspectRevocationList(crl));
    expect(info.revoked.map((entry) => entry.serialNumber)).toEqual(['1001']);
    expect(info.revoked[0]!.reason).toBe('keyCompromise');
    const loaded = unwrap(store.loadRevocationList(crl));
    expect(loaded.applied).toBe(true);
    const check = store.checkSigner(ski);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error.code).toBe('revoked');
  });

  const keyFormats: Array<[string, string[]]> = [
    ['PBES2 AES-256-CBC (pkcs8 -v2)', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc']],
    ['PBES2 scrypt (pkcs8 -scrypt)', ['pkcs8', '-topk8', '-scrypt']],
    ['PKCS#12 3DES (pkcs8 -v1 PBE-SHA1-3DES)', ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-3DES']],
  ];
  for (const [name, args] of keyFormats) {
    it(`imports an encrypted PKCS#8 key: ${name}, PEM and DER`, async () => {
      const base = name.replace(/\W+/g, '-');
      await run(...args, '-in', 'site-ec.key', '-out', `${base}.pem`, '-passout', 'env:PASSPHRASE');
      await run(
        ...args,
        '-in',
        'site-ec.key',
        '-outform',
        'DER',
        '-out',
        `${base}.der`,
        '-passout',
        'env:PASSPHRASE',
      );
      const reference = unwrap(importPrivateKey(await dir.read('site-ec.key')));
      for (const file of [`${base}.pem`, `${base}.der`]) {
        const key = unwrap(importPrivateKey(await dir.read(file), { passphrase: PASSPHRASE }));
        expect(keysMatch(key, reference)).toBe(true);
        const wrong = importPrivateKey(await dir.read(file), { passphrase: 'wrong' });
        expect(wrong.ok ? 'ok' : wrong.error.code).toBe('wrong-passphrase');
      }
    });
  }

  it('imports an RSA key encrypted by genpkey -aes256', async () => {
    await run(
      'genpkey',
      '-algorithm',
      'RSA',
      '-pkeyopt',
      'rsa_keygen_bits:2048',
      '-aes256',
      '-pass',
      'env:PASSPHRASE',
      '-out',
      'rsa-enc.key',
    );
    const key = unwrap(importPrivateKey(await dir.read('rsa-enc.key'), { passphrase: PASSPHRASE }));
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  const pkcs12Formats: Array<[string, string[]]> = [
    ['OpenSSL 3 defaults (AES-256, SHA-256 MAC)', []],
    [
      'triple DES with a SHA-1 MAC (Windows, OpenSSL 1.x -descert)',
      ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
    ],
  ];
  for (const [name, args] of pkcs12Formats) {
    it(`imports a PKCS#12 file: ${name}`, async () => {
      const file = `${name.replace(/\W+/g, '-')}.p12`;
      await run(
        'pkcs12',
        '-export',
        '-inkey',
        'site-rsa.key',
        '-in',
        'site-rsa.pem',
        '-certfile',
        'root-rsa.pem',
        '-name',
        'CEC-0007',
        ...args,
        '-out',
        file,
        '-passout',
        'env:PASSPHRASE',
      );
      const contents = unwrap(importPkcs12(await dir.read(file), PASSPHRASE));
      expect(hex(contents.certificate)).toBe(hex(await certificateDerOf(dir, 'site-rsa.pem')));
      expect(contents.chain).toHaveLength(1);
      expect(contents.friendlyName).toBe('CEC-0007');
      const reference = unwrap(importPrivateKey(await dir.read('site-rsa.key')));
      expect(keysMatch(contents.privateKey, reference)).toBe(true);
      const wrong = importPkcs12(await dir.read(file), 'wrong');
      expect(wrong.ok ? 'ok' : wrong.error.code).toBe('wrong-passphrase');
    });
  }

  it('reports RC2-encrypted (legacy) PKCS#12 files as unsupported, with what to do', async () => {
    const legacy = await runOpenssl(
      [
        'pkcs12',
        '-export',
        '-legacy',
        '-inkey',
        'site-ec.key',
        '-in',
        'site-ec.pem',
        '-out',
        'legacy.p12',
        '-passout',
        'env:PASSPHRASE',
      ],
      { cwd: dir.path, env },
    );
    if (legacy.code !== 0) return; // this openssl has no legacy provider: nothing to read
    const result = importPkcs12(await dir.read('legacy.p12'), PASSPHRASE);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('unsupported-algorithm');
      expect(result.error.message).toContain('openssl pkcs12 -export');
    }
  });
});

async function certificateDerOf(dir: Scratch, file: string): Promise<Uint8Array> {
  return (await openssl(['x509', '-in', file, '-outform', 'DER'], { cwd: dir.path })).stdout;
}

describe('made here, read by openssl', () => {
  let dir: Scratch;
  const run = (...args: string[]) => openssl(args, { cwd: dir.path, env });
  let root: Awaited<ReturnType<typeof CertificateAuthority.createRoot>>;
  const sites: Record<'ec' | 'rsa', { privateKey: KeyObject; pem: string; serialNumber: string }> =
    {} as never;

  beforeAll(async () => {
    dir = await scratchDirectory();
    root = await CertificateAuthority.createRoot({
      subject: { country: 'CM', organization: 'XMcomm', commonName: 'XMcomm Root' },
    });
    await dir.write('root.pem', root.certificate.pem);
    for (const type of ['ec', 'rsa'] as const) {
      const { privateKey } = await generateKeyPair(type === 'ec' ? { type } : { type, modulusLength: 2048 });
      const csr = await createCertificateRequest({ privateKey, subject: { matricule: `CEC-${type}` } });
      await dir.write(`site-${type}.csr`, certificateRequestToPem(csr));
      const issued = await root.ca.issueCertificate({ csr, profile: 'site' });
      await dir.write(`site-${type}.pem`, issued.pem);
      await dir.write(`site-${type}.key`, exportPrivateKey(privateKey, { passphrase: PASSPHRASE, ...FAST }));
      sites[type] = { privateKey, pem: issued.pem, serialNumber: issued.serialNumber };
    }
  });
  afterAll(() => dir.remove());

  it('openssl verify accepts EC and RSA site certificates', async () => {
    const verify = await run('verify', '-CAfile', 'root.pem', 'site-ec.pem', 'site-rsa.pem');
    expect(verify.stdout.toString()).toBe('site-ec.pem: OK\nsite-rsa.pem: OK\n');
  });

  it('openssl verify accepts a chain through an intermediate CA, and a server certificate', async () => {
    const intermediateKey = await generateKeyPair();
    const intermediateCsr = await createCertificateRequest({
      privateKey: intermediateKey.privateKey,
      subject: { commonName: 'Regional CA' },
    });
    const intermediate = await root.ca.issueCertificate({ csr: intermediateCsr, profile: 'intermediate-ca' });
    const regional = new CertificateAuthority({
      certificate: intermediate.der,
      privateKey: intermediateKey.privateKey,
    });
    const signatoryKey = await generateKeyPair({ type: 'rsa', modulusLength: 3072 });
    const signatory = await regional.issueCertificate({
      publicKey: signatoryKey.publicKey,
      profile: 'signatory',
      subject: { commonName: 'Awa Ngono', title: 'Officier', matricule: 'CEC-0042' },
      emails: ['awa.ngono@example.cm'],
    });
    const serverKey = await generateKeyPair();
    const server = await root.ca.issueCertificate({
      publicKey: serverKey.publicKey,
      profile: 'server',
      subject: { commonName: 'xmserver' },
      dnsNames: ['xmserver.example.cm'],
    });
    await dir.write('intermediate.pem', intermediate.pem);
    await dir.write('signatory.pem', signatory.pem);
    await dir.write('server.pem', server.pem);
    const verify = await run(
      'verify',
      '-CAfile',
      'root.pem',
      '-untrusted',
      'intermediate.pem',
      'signatory.pem',
    );
    expect(verify.stdout.toString()).toBe('signatory.pem: OK\n');
    const tls = await run('verify', '-CAfile', 'root.pem', '-purpose', 'sslserver', 'server.pem');
    expect(tls.stdout.toString()).toBe('server.pem: OK\n');
    const text = (await run('x509', '-in', 'signatory.pem', '-noout', '-text')).stdout.toString();
    expect(text).toContain('Digital Signature, Non Repudiation, Key Encipherment');
    expect(text).toContain('email:awa.ngono@example.cm');
  });

  it('openssl req -verify accepts our CSRs', async () => {
    for (const type of ['ec', 'rsa']) {
      const verify = await run('req', '-verify', '-in', `site-${type}.csr`, '-noout');
      expect(verify.stderr + verify.stdout.toString()).toMatch(/verify OK/);
    }
  });

  it('openssl crl -verify accepts our CRL, and openssl verify -crl_check sees the revocation', async () => {
    root.ca.revoke(sites.ec.pem, { reason: 'keyCompromise' });
    const crl = await root.ca.issueRevocationList();
    await dir.write('crl.pem', revocationListToPem(crl));
    const check = await run('crl', '-verify', '-in', 'crl.pem', '-CAfile', 'root.pem', '-noout');
    expect(check.stderr + check.stdout.toString()).toContain('verify OK');
    const text = (await run('crl', '-in', 'crl.pem', '-noout', '-text')).stdout.toString();
    expect(text).toContain('Key Compromise');
    expect(text.replace(/:/g, '').toLowerCase()).toContain(sites.ec.serialNumber);

    const revoked = await runOpenssl(
      ['verify', '-crl_check', '-CAfile', 'root.pem', '-CRLfile', 'crl.pem', 'site-ec.pem'],
      { cwd: dir.path },
    );
    expect(revoked.code).not.toBe(0);
    expect(revoked.stderr + revoked.stdout.toString()).toContain('certificate revoked');
    const fine = await run(
      'verify',
      '-crl_check',
      '-CAfile',
      'root.pem',
      '-CRLfile',
      'crl.pem',
      'site-rsa.pem',
    );
    expect(fine.stdout.toString()).toBe('site-rsa.pem: OK\n');
  });

  it('openssl pkey reads our encrypted PKCS#8 keys (PBKDF2 with default iterations, scrypt, DER)', async () => {
    const { privateKey } = sites.ec;
    await dir.write('default.key', exportPrivateKey(privateKey, { passphrase: PASSPHRASE }));
    await dir.write('scrypt.key', exportPrivateKey(privateKey, { passphrase: PASSPHRASE, kdf: 'scrypt' }));
    await dir.write(
      'key.der',
      exportPrivateKey(privateKey, { passphrase: PASSPHRASE, format: 'der', ...FAST }),
    );
    const expected = exportPublicKey(privateKey);
    for (const [file, form] of [
      ['default.key', 'PEM'],
      ['scrypt.key', 'PEM'],
      ['key.der', 'DER'],
      ['site-rsa.key', 'PEM'],
    ]) {
      const out = await run('pkey', '-in', file!, '-inform', form!, '-passin', 'env:PASSPHRASE', '-pubout');
      if (file !== 'site-rsa.key') expect(out.stdout.toString()).toBe(expected);
    }
    const text = (await run('asn1parse', '-in', 'default.key')).stdout.toString();
    expect(text).toContain('PBES2');
    expect(text).toContain('hmacWithSHA256');
    expect(text).toContain('aes-256-cbc');
    const wrong = await runOpenssl(['pkey', '-in', 'default.key', '-passin', 'env:WRONG'], {
      cwd: dir.path,
      env: { WRONG: 'nope' },
    });
    expect(wrong.code).not.toBe(0);
  });

  it('openssl pkcs12 -info reads our PKCS#12 file and finds the key, certificate and chain', async () => {
    const { privateKey, pem } = sites.rsa;
    const p12 = exportPkcs12({
      privateKey,
      certificate: pem,
      chain: [root.certificate.pem],
      passphrase: PASSPHRASE,
      friendlyName: 'CEC-rsa',
      ...FAST,
    });
    await dir.write('site.p12', p12);
    const info = await run('pkcs12', '-info', '-in', 'site.p12', '-passin', 'env:PASSPHRASE', '-nodes');
    const output = info.stdout.toString();
    const report = info.stderr;
    expect(report).toContain('MAC: sha256');
    expect(report).toContain('PBES2, PBKDF2, AES-256-CBC');
    expect(output).toContain('friendlyName: CEC-rsa');
    expect(output.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const keyPem = output.slice(output.indexOf('-----BEGIN PRIVATE KEY-----'));
    expect(keysMatch(createPublicKey(keyPem), privateKey)).toBe(true);
    // and it reads back here
    const back = unwrap(importPkcs12(p12, PASSPHRASE));
    expect(keysMatch(back.privateKey, privateKey)).toBe(true);
    expect(back.chain).toHaveLength(1);
  });

  it('openssl cms signs with and encrypts to our site certificates (what the SDC codec relies on)', async () => {
    await dir.write('payload.txt', 'birth act 42');
    for (const type of ['ec', 'rsa']) {
      await run(
        'cms',
        '-sign',
        '-binary',
        '-nodetach',
        '-in',
        'payload.txt',
        '-signer',
        `site-${type}.pem`,
        '-inkey',
        `site-${type}.key`,
        '-passin',
        'env:PASSPHRASE',
        '-outform',
        'DER',
        '-out',
        `signed-${type}.der`,
      );
      const verified = await run(
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        `signed-${type}.der`,
        '-CAfile',
        'root.pem',
      );
      expect(verified.stdout.toString()).toBe('birth act 42');
      await run(
        'cms',
        '-encrypt',
        '-binary',
        '-aes-256-gcm',
        '-in',
        'payload.txt',
        '-outform',
        'DER',
        '-out',
        `sealed-${type}.der`,
        `site-${type}.pem`,
      );
      const opened = await run(
        'cms',
        '-decrypt',
        '-binary',
        '-inform',
        'DER',
        '-in',
        `sealed-${type}.der`,
        '-recip',
        `site-${type}.pem`,
        '-inkey',
        `site-${type}.key`,
        '-passin',
        'env:PASSPHRASE',
      );
      expect(opened.stdout.toString()).toBe('birth act 42');
    }
  });
});
