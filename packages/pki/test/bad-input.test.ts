import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificateAuthority,
  certificateToPem,
  createCertificateRequest,
  exportPkcs12,
  exportPrivateKey,
  importPkcs12,
  importPrivateKey,
  importPublicKey,
  inspectCertificate,
  inspectCertificateRequest,
  inspectRevocationList,
  PkiError,
  type PkiErrorCode,
  type Result,
  TrustStore,
  unwrap,
} from '../src/index.js';
import { createRoot, DAY, type Enrolled, enrol } from './support/fixtures.js';
import { OPENSSL_CONFIG, openssl, scratchDirectory } from './support/openssl.js';

/** A small seeded generator (mulberry32), so that a failing damage pattern can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function codeOf(result: Result<unknown> | { ok: boolean; error?: PkiError }): PkiErrorCode | 'ok' {
  if (result.ok) return 'ok';
  expect(PkiError.isInstance(result.error)).toBe(true);
  expect(result.error!.message.length).toBeGreaterThan(20);
  return result.error!.code;
}

function thrownCode(body: () => unknown): PkiErrorCode | 'no error' {
  try {
    body();
    return 'no error';
  } catch (error) {
    if (PkiError.isInstance(error)) return error.code;
    throw error;
  }
}

async function rejectedCode(promise: Promise<unknown>): Promise<PkiErrorCode | 'no error'> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (PkiError.isInstance(error)) return error.code;
    throw error;
  }
}

let root: Awaited<ReturnType<typeof createRoot>>;
let site: Enrolled;
let store: TrustStore;

beforeAll(async () => {
  root = await createRoot();
  site = await enrol(root.ca, { subject: { matricule: 'CEC-0001' } });
  store = new TrustStore();
  unwrap(store.addTrustAnchor(root.certificate.der));
});

describe('malformed DER and PEM', () => {
  it('rejects random bytes, truncated DER and the wrong structure as malformed-der', async () => {
    const der = site.certificate.der;
    expect(codeOf(inspectCertificate(new Uint8Array(randomBytes(64))))).toBe('malformed-der');
    expect(codeOf(inspectCertificate(der.subarray(0, der.length - 10)))).toBe('malformed-der');
    expect(codeOf(inspectCertificate(new Uint8Array(0)))).toBe('malformed-der');
    expect(codeOf(inspectCertificate(new Uint8Array([...der, 0, 0])))).toBe('malformed-der');
    const csr = await createCertificateRequest({ privateKey: site.privateKey, subject: { matricule: 'X' } });
    expect(codeOf(inspectCertificate(csr))).toBe('malformed-der');
    expect(codeOf(inspectRevocationList(der))).toBe('malformed-der');
    expect(codeOf(inspectCertificateRequest(der))).toBe('malformed-der');
    expect(codeOf(importPrivateKey(der))).toBe('malformed-der');
    expect(codeOf(importPublicKey(der))).toBe('malformed-der');
    expect(codeOf(importPkcs12(der, 'x'))).toBe('malformed-der');
  });

  it('rejects damaged PEM as malformed-pem', () => {
    const pem = site.certificate.pem;
    expect(codeOf(inspectCertificate('-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n'))).toBe(
      'malformed-pem',
    );
    expect(
      codeOf(inspectCertificate(pem.replace('-----END CERTIFICATE-----', '-----END X509 CRL-----'))),
    ).toBe('malformed-pem');
    expect(codeOf(inspectCertificate(pem.slice(0, pem.indexOf('-----END'))))).toBe('malformed-pem');
    expect(codeOf(inspectCertificate('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n'))).toBe(
      'malformed-pem',
    );
    expect(codeOf(inspectCertificate(exportPrivateKey(site.privateKey, { passphrase: null })))).toBe(
      'malformed-pem',
    );
    expect(codeOf(importPrivateKey(pem))).toBe('malformed-pem');
    // PEM whose base64 is fine but whose content is not a certificate
    expect(codeOf(inspectCertificate(pem.replace(/MII/, 'AAA')))).toBe('malformed-der');
  });

  it('survives bit flips and truncations of every format without throwing', async () => {
    const crl = await root.ca.issueRevocationList();
    const csr = await createCertificateRequest({
      privateKey: site.privateKey,
      subject: { matricule: 'CEC-0001' },
    });
    const key = exportPrivateKey(site.privateKey, { passphrase: 'pw', format: 'der', iterations: 10 });
    const p12 = exportPkcs12({
      privateKey: site.privateKey,
      certificate: site.certificate.der,
      passphrase: 'pw',
      iterations: 10,
    });
    const readers: Array<[Uint8Array, (input: Uint8Array) => { ok: boolean; error?: unknown }]> = [
      [site.certificate.der, inspectCertificate],
      [site.certificate.der, (input) => store.validateCertificate(input)],
      [site.certificate.der, (input) => store.checkSigner(site.ski, { embeddedCertificates: [input] })],
      [csr, inspectCertificateRequest],
      [crl, inspectRevocationList],
      [crl, (input) => store.loadRevocationList(input)],
      [key, (input) => importPrivateKey(input, { passphrase: 'pw' })],
      [p12, (input) => importPkcs12(input, 'pw')],
    ];
    const random = seededRandom(20_261_122);
    for (const [original, read] of readers) {
      for (let round = 0; round < 80; round += 1) {
        const damaged = new Uint8Array(original);
        if (round % 3 === 0) {
          const cut = 1 + Math.floor(random() * (original.length - 1));
          const result = read(damaged.subarray(0, cut));
          expect(typeof result.ok).toBe('boolean');
          continue;
        }
        const index = Math.floor(random() * damaged.length);
        damaged[index]! ^= 1 << Math.floor(random() * 8);
        const result = read(damaged);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(PkiError.isInstance(result.error)).toBe(true);
      }
    }
  });
});

describe('passphrases and keys', () => {
  it('tells a missing passphrase from a wrong one', () => {
    const encrypted = exportPrivateKey(site.privateKey, { passphrase: 'right', iterations: 1000 });
    expect(codeOf(importPrivateKey(encrypted))).toBe('passphrase-required');
    expect(codeOf(importPrivateKey(encrypted, { passphrase: 'wrong' }))).toBe('wrong-passphrase');
    expect(codeOf(importPrivateKey(encrypted, { passphrase: 'right' }))).toBe('ok');
    expect(thrownCode(() => exportPrivateKey(site.privateKey, { passphrase: '' }))).toBe('invalid-argument');
    const p12 = exportPkcs12({
      privateKey: site.privateKey,
      certificate: site.certificate.pem,
      passphrase: 'right',
      iterations: 1000,
    });
    expect(codeOf(importPkcs12(p12, 'wrong'))).toBe('wrong-passphrase');
  });

  it('refuses weak or unsupported keys', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(codeOf(importPrivateKey(weak.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string))).toBe(
      'unsupported-key',
    );
    const edwards = generateKeyPairSync('ed25519');
    expect(codeOf(importPublicKey(edwards.publicKey.export({ type: 'spki', format: 'pem' }) as string))).toBe(
      'unsupported-key',
    );
    const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(codeOf(importPrivateKey(secp256k1.privateKey.export({ type: 'pkcs8', format: 'der' })))).toBe(
      'unsupported-key',
    );
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const other = await enrol(root.ca);
    expect(
      thrownCode(() =>
        exportPkcs12({ privateKey: other.privateKey, certificate: site.certificate.der, passphrase: 'pw' }),
      ),
    ).toBe('key-mismatch');
    expect(
      thrownCode(
        () => new CertificateAuthority({ certificate: root.certificate.der, privateKey: site.privateKey }),
      ),
    ).toBe('key-mismatch');
    expect(
      thrownCode(
        () => new CertificateAuthority({ certificate: site.certificate.der, privateKey: site.privateKey }),
      ),
    ).toBe('not-a-ca');
  });

  it('refuses a CSR whose signature does not verify', async () => {
    const csr = await createCertificateRequest({
      privateKey: site.privateKey,
      subject: { matricule: 'CEC-0001' },
    });
    const tampered = new Uint8Array(csr);
    tampered[30]! ^= 0x01; // inside the subject
    expect(codeOf(inspectCertificateRequest(tampered))).toMatch(/bad-signature|malformed-der/);
    expect(await rejectedCode(root.ca.issueCertificate({ csr: tampered, profile: 'site' }))).toMatch(
      /bad-signature|malformed-der/,
    );
    const signature = new Uint8Array(csr);
    signature[signature.length - 3]! ^= 0x01;
    expect(codeOf(inspectCertificateRequest(signature))).toBe('bad-signature');
  });

  it('refuses to issue a site certificate without a matricule', async () => {
    const csr = await createCertificateRequest({
      privateKey: site.privateKey,
      subject: { commonName: 'no matricule' },
    });
    expect(await rejectedCode(root.ca.issueCertificate({ csr, profile: 'site' }))).toBe('invalid-argument');
    expect(
      await rejectedCode(
        root.ca.issueCertificate({ csr, profile: 'site', subject: { matricule: 'bad*chars' } }),
      ),
    ).toBe('invalid-argument');
  });
});

describe('certificates that must not pass', () => {
  it('expired and not-yet-valid certificates', async () => {
    const now = Date.now();
    const expired = await enrol(root.ca, {
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now - DAY),
    });
    const future = await enrol(root.ca, {
      notBefore: new Date(now + DAY),
      notAfter: new Date(now + 30 * DAY),
    });
    expect(codeOf(store.validateCertificate(expired.certificate.der))).toBe('expired');
    expect(codeOf(store.validateCertificate(future.certificate.der))).toBe('not-yet-valid');
    const embedded = [expired.certificate.der, future.certificate.der];
    expect(codeOf(store.checkSigner(expired.ski, { embeddedCertificates: embedded }))).toBe('expired');
    expect(codeOf(store.checkSigner(future.ski, { embeddedCertificates: embedded }))).toBe('not-yet-valid');
    // valid certificate, but asked about a time outside its validity
    expect(
      codeOf(
        store.checkSigner(site.ski, {
          at: new Date(now + 5 * 365 * DAY),
          embeddedCertificates: [site.certificate.der],
        }),
      ),
    ).toBe('expired');
  });

  it('an unknown issuer', async () => {
    const stranger = await createRoot('Stranger Root');
    const foreign = await enrol(stranger.ca);
    expect(codeOf(store.validateCertificate(foreign.certificate.der))).toBe('unknown-issuer');
    const check = store.checkSigner(foreign.ski, { embeddedCertificates: [foreign.certificate.der] });
    expect(codeOf(check)).toBe('untrusted-signer');
    if (!check.ok) expect((check.error.cause as PkiError).code).toBe('unknown-issuer');
    const crl = await stranger.ca.issueRevocationList();
    expect(codeOf(store.loadRevocationList(crl))).toBe('unknown-issuer');
    expect(codeOf(store.checkSigner(randomBytes(20)))).toBe('unknown-signer');
  });

  it('a forged certificate and a forged CRL', async () => {
    const forged = new Uint8Array(site.certificate.der);
    forged[forged.length - 5]! ^= 0x01;
    expect(codeOf(store.validateCertificate(forged))).toBe('bad-signature');
    expect(codeOf(store.checkSigner(site.ski, { embeddedCertificates: [forged] }))).toBe('untrusted-signer');
    const crl = new Uint8Array(await root.ca.issueRevocationList());
    crl[crl.length - 5]! ^= 0x01;
    expect(codeOf(store.loadRevocationList(crl))).toBe('bad-signature');
  });

  it('a CA certificate used as a site certificate', async () => {
    expect(codeOf(store.registerCertificate(root.certificate.der))).toBe('ca-as-end-entity');
    const rootSki = root.certificate.subjectKeyIdentifier;
    expect(codeOf(store.checkSigner(rootSki, { embeddedCertificates: [root.certificate.der] }))).toBe(
      'ca-as-end-entity',
    );
    const intermediateKey = await enrol(root.ca, {
      profile: 'intermediate-ca',
      subject: { commonName: 'Sub CA' },
    });
    expect(codeOf(store.validateCertificate(intermediateKey.certificate.der))).toBe('ca-as-end-entity');
    expect(codeOf(store.validateCertificate(intermediateKey.certificate.der, { purpose: 'any' }))).toBe('ok');
  });

  it('a site certificate used as a CA, and a chain longer than a pathLength allows', async () => {
    expect(codeOf(store.addTrustAnchor(site.certificate.der))).toBe('not-a-ca');
    const sub = await enrol(root.ca, { profile: 'intermediate-ca', subject: { commonName: 'Sub CA' } });
    const subCa = new CertificateAuthority({ certificate: sub.certificate.der, privateKey: sub.privateKey });
    const subSub = await enrol(subCa, { profile: 'intermediate-ca', subject: { commonName: 'Sub-sub CA' } });
    const subSubCa = new CertificateAuthority({
      certificate: subSub.certificate.der,
      privateKey: subSub.privateKey,
    });
    const leaf = await enrol(subSubCa);
    const intermediates = [sub.certificate.der, subSub.certificate.der];
    expect(codeOf(store.validateCertificate(leaf.certificate.der, { intermediates }))).toBe('path-too-long');
    expect(
      codeOf(store.checkSigner(leaf.ski, { embeddedCertificates: [leaf.certificate.der, ...intermediates] })),
    ).toBe('untrusted-signer');
  });

  it('revoked, from the moment the CRL is loaded', async () => {
    const local = new TrustStore();
    unwrap(local.addTrustAnchor(root.certificate.pem));
    const victim = await enrol(root.ca, { subject: { matricule: 'CEC-0666' } });
    unwrap(local.registerCertificate(victim.certificate.der));
    expect(codeOf(local.checkSigner(victim.ski))).toBe('ok');
    root.ca.revoke(victim.certificate.der, { reason: 'keyCompromise' });
    expect(codeOf(local.checkSigner(victim.ski))).toBe('ok'); // not yet known to this store
    unwrap(local.loadRevocationList(await root.ca.issueRevocationList()));
    const check = local.checkSigner(victim.ski);
    expect(codeOf(check)).toBe('revoked');
    if (!check.ok) expect(check.error.message).toContain('keyCompromise');
    expect(codeOf(local.validateCertificate(victim.certificate.der))).toBe('revoked');
  });
});

describe('certificates made by openssl that must not pass', () => {
  let dir: Awaited<ReturnType<typeof scratchDirectory>>;
  const run = (...args: string[]) => openssl(args, { cwd: dir.path });
  let opensslStore: TrustStore;

  beforeAll(async () => {
    dir = await scratchDirectory();
    await dir.write(
      'openssl.cnf',
      `${OPENSSL_CONFIG}\n[ odd_critical ]\nbasicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature\n1.3.6.1.4.1.99999.1 = critical, DER:05:00\n`,
    );
    await run(
      'req',
      '-x509',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'root.key',
      '-out',
      'root.pem',
      '-days',
      '30',
      '-subj',
      '/CN=OpenSSL Root',
      '-config',
      'openssl.cnf',
      '-extensions',
      'v3_ca',
    );
    await run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'leaf.key');
    await run(
      'req',
      '-new',
      '-key',
      'leaf.key',
      '-subj',
      '/CN=CEC-0009/serialNumber=CEC-0009',
      '-config',
      'openssl.cnf',
      '-out',
      'leaf.csr',
    );
    for (const section of ['encipher_only', 'tls_only', 'odd_critical']) {
      await run(
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'root.pem',
        '-CAkey',
        'root.key',
        '-set_serial',
        '7',
        '-days',
        '30',
        '-extfile',
        'openssl.cnf',
        '-extensions',
        section,
        '-out',
        `${section}.pem`,
      );
    }
    opensslStore = new TrustStore();
    unwrap(opensslStore.addTrustAnchor(await dir.read('root.pem')));
  });
  afterAll(() => dir.remove());

  it('wrong key usage: no digitalSignature, or an EKU without emailProtection', async () => {
    expect(codeOf(opensslStore.validateCertificate(await dir.read('encipher_only.pem')))).toBe(
      'wrong-key-usage',
    );
    expect(codeOf(opensslStore.validateCertificate(await dir.read('tls_only.pem')))).toBe('wrong-key-usage');
    expect(codeOf(opensslStore.validateCertificate(await dir.read('tls_only.pem'), { purpose: 'any' }))).toBe(
      'ok',
    );
    const lenient = new TrustStore({ signerPurposes: null });
    unwrap(lenient.addTrustAnchor(await dir.read('root.pem')));
    expect(codeOf(lenient.validateCertificate(await dir.read('tls_only.pem')))).toBe('ok');
    const der = unwrap(inspectCertificate(await dir.read('encipher_only.pem')));
    unwrap(opensslStore.registerCertificate(await dir.read('encipher_only.pem')));
    expect(codeOf(opensslStore.checkSigner(Buffer.from(der.subjectKeyIdentifier!, 'hex')))).toBe(
      'wrong-key-usage',
    );
  });

  it('an unknown critical extension', async () => {
    expect(codeOf(opensslStore.validateCertificate(await dir.read('odd_critical.pem')))).toBe(
      'unsupported-critical-extension',
    );
  });

  it('PEM with legacy OpenSSL encryption headers says how to convert', async () => {
    await run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'plain.key');
    await openssl(['ec', '-in', 'plain.key', '-aes256', '-passout', 'env:PW', '-out', 'legacy.key'], {
      cwd: dir.path,
      env: { PW: 'pw' },
    });
    const result = importPrivateKey(await dir.read('legacy.key'), { passphrase: 'pw' });
    expect(codeOf(result)).toBe('unsupported-algorithm');
    if (!result.ok) expect(result.error.message).toContain('openssl pkcs8 -topk8');
  });
});

describe('errors', () => {
  it('carry a stable code, an English message, a French one and JSON', () => {
    const error = new PkiError('revoked', { detail: 'CN=CEC-0001' });
    expect(error.message).toMatch(/^The certificate has been revoked: .*\(CN=CEC-0001\)$/);
    expect(error.messageFr).toMatch(/^Le certificat a été révoqué/);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'revoked', detail: 'CN=CEC-0001' });
    expect(certificateToPem(site.certificate.der)).toBe(site.certificate.pem);
  });
});
