import { sign, verify } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRoot, DAY, type Enrolled, enrol } from '../test/support/fixtures.js';
import { CertificateAuthority } from './certificate-authority.js';
import { createCertificateRequest } from './certificate-request.js';
import { unwrap } from './errors.js';
import { generateKeyPair } from './keys.js';
import { TrustStore } from './trust-store.js';

let root: Awaited<ReturnType<typeof createRoot>>;
let site: Enrolled;

beforeAll(async () => {
  root = await createRoot();
  site = await enrol(root.ca, { subject: { matricule: 'CEC-0001', commonName: 'Centre de Yaoundé I' } });
});

function storeWithRoot(options?: ConstructorParameters<typeof TrustStore>[0]): TrustStore {
  const store = new TrustStore(options);
  unwrap(store.addTrustAnchor(root.certificate.pem));
  return store;
}

describe('TrustStore.checkSigner', () => {
  it('finds a registered signer and gives a KeyObject that verifies its signatures', () => {
    const store = storeWithRoot();
    unwrap(store.registerCertificate(site.certificate.der));
    const check = store.checkSigner(site.ski);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    const { signer } = check;
    expect(signer.subject).toBe('CN=Centre de Yaoundé I, serialNumber=CEC-0001');
    expect(signer.matricule).toBe('CEC-0001');
    expect(Buffer.compare(signer.subjectKeyIdentifier, site.ski)).toBe(0);
    expect(signer.chain).toHaveLength(2);
    expect(signer.notAfter.getTime()).toBe(Date.parse(site.certificate.info.notAfter));
    const data = Buffer.from('fiche 1');
    expect(verify('sha256', data, signer.publicKey, sign('sha256', data, site.privateKey))).toBe(true);
  });

  it('answers from the cache on the warm path: the same result object, no revalidation', () => {
    const store = storeWithRoot();
    unwrap(store.registerCertificate(site.certificate.der));
    const first = store.checkSigner(site.ski);
    const second = store.checkSigner(new Uint8Array(site.ski));
    expect(second).toBe(first);
  });

  it('uses embedded certificates when the signer is not registered, unless registration is required', () => {
    const open = storeWithRoot();
    expect(open.checkSigner(site.ski).ok).toBe(false);
    const check = open.checkSigner(site.ski, {
      embeddedCertificates: [new Uint8Array([1, 2, 3]), site.certificate.der],
    });
    expect(check.ok).toBe(true);
    const strict = storeWithRoot({ requireRegistration: true });
    const refused = strict.checkSigner(site.ski, { embeddedCertificates: [site.certificate.der] });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('unknown-signer');
  });

  it('builds the path through intermediates given with the message or added to the store', async () => {
    const sub = await enrol(root.ca, { profile: 'intermediate-ca', subject: { commonName: 'Regional CA' } });
    const regional = new CertificateAuthority({
      certificate: sub.certificate.pem,
      privateKey: sub.privateKey,
    });
    const leaf = await enrol(regional, { subject: { matricule: 'CEC-0100' } });
    const store = storeWithRoot();
    const missing = store.checkSigner(leaf.ski, { embeddedCertificates: [leaf.certificate.der] });
    expect(missing.ok ? 'ok' : missing.error.code).toBe('untrusted-signer');
    const withChain = store.checkSigner(leaf.ski, {
      embeddedCertificates: [leaf.certificate.der, sub.certificate.der],
    });
    expect(withChain.ok && withChain.signer.chain.length).toBe(3);
    unwrap(store.addIntermediate(sub.certificate.der));
    unwrap(store.registerCertificate(leaf.certificate.der));
    expect(store.checkSigner(leaf.ski).ok).toBe(true);
  });

  it('trusts an outside CA only once the operator adds it as an anchor', async () => {
    const outside = await createRoot('Outside CA');
    const foreign = await enrol(outside.ca, {
      key: { type: 'rsa', modulusLength: 2048 },
      subject: { matricule: 'CEC-0200' },
    });
    const store = storeWithRoot();
    unwrap(store.registerCertificate(foreign.certificate.der));
    expect(store.checkSigner(foreign.ski).ok).toBe(false);
    unwrap(store.addTrustAnchor(outside.certificate.der));
    const check = store.checkSigner(foreign.ski);
    expect(check.ok && check.signer.publicKey.asymmetricKeyType).toBe('rsa');
  });

  it('empties its cache when the store changes', async () => {
    const store = storeWithRoot();
    unwrap(store.registerCertificate(site.certificate.der));
    const before = store.version;
    expect(store.checkSigner(site.ski).ok).toBe(true);
    // a CRL that does not list the site: still valid, but recomputed
    const first = store.checkSigner(site.ski);
    unwrap(store.loadRevocationList(await root.ca.issueRevocationList()));
    expect(store.version).toBeGreaterThan(before);
    const second = store.checkSigner(site.ski);
    expect(second.ok).toBe(true);
    expect(second).not.toBe(first);
    // the anchor goes: the signer is no longer trusted
    expect(store.removeCaCertificate(root.certificate.info.fingerprintSha256)).toBe(true);
    const third = store.checkSigner(site.ski);
    expect(third.ok ? 'ok' : third.error.code).toBe('untrusted-signer');
    // unregistering makes the signer unknown
    unwrap(store.addTrustAnchor(root.certificate.der));
    expect(store.unregisterCertificate(site.certificate.pem)).toBe(true);
    const fourth = store.checkSigner(site.ski);
    expect(fourth.ok ? 'ok' : fourth.error.code).toBe('unknown-signer');
  });

  it('does not answer from the cache for a time outside the validity window', () => {
    const store = storeWithRoot();
    unwrap(store.registerCertificate(site.certificate.der));
    expect(store.checkSigner(site.ski).ok).toBe(true);
    const late = store.checkSigner(site.ski, {
      at: new Date(Date.parse(site.certificate.info.notAfter) + DAY),
    });
    expect(late.ok ? 'ok' : late.error.code).toBe('expired');
    const early = store.checkSigner(site.ski, {
      at: new Date(Date.parse(site.certificate.info.notBefore) - DAY),
    });
    expect(early.ok ? 'ok' : early.error.code).toBe('not-yet-valid');
  });

  it('ignores an older CRL than the one it has', async () => {
    const store = storeWithRoot();
    const older = await root.ca.issueRevocationList();
    const newer = await root.ca.issueRevocationList();
    expect(unwrap(store.loadRevocationList(newer)).applied).toBe(true);
    expect(unwrap(store.loadRevocationList(older)).applied).toBe(false);
  });

  it('keeps the registered matricule, finds a certificate by matricule, and describes itself', () => {
    const store = storeWithRoot();
    unwrap(store.registerCertificate(site.certificate.der, { matricule: 'CEC-9999' }));
    const check = store.checkSigner(site.ski);
    expect(check.ok && check.signer.matricule).toBe('CEC-9999');
    expect(store.certificateForMatricule('CEC-9999')).toEqual(site.certificate.der);
    expect(store.certificateForMatricule('CEC-0001')).toBeUndefined();
    const description = store.describe();
    expect(description.anchors.map((anchor) => anchor.subject)).toEqual([
      'C=CM, O=XMcomm, CN=XMcomm Test Root',
    ]);
    expect(description.registered).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(description))).toEqual(description);
  });

  it('accepts a renewed certificate for the same key when the message carries it', async () => {
    const { privateKey } = await generateKeyPair();
    const csr = await createCertificateRequest({ privateKey, subject: { matricule: 'CEC-0300' } });
    const now = Date.now();
    const old = await root.ca.issueCertificate({
      csr,
      profile: 'site',
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now - DAY),
    });
    const renewed = await root.ca.issueCertificate({ csr, profile: 'site' });
    expect(renewed.subjectKeyIdentifier).toEqual(old.subjectKeyIdentifier);
    const store = storeWithRoot();
    unwrap(store.registerCertificate(old.der));
    const expired = store.checkSigner(old.subjectKeyIdentifier);
    expect(expired.ok ? 'ok' : expired.error.code).toBe('expired');
    const check = store.checkSigner(old.subjectKeyIdentifier, { embeddedCertificates: [renewed.der] });
    expect(check.ok && check.signer.serialNumber).toBe(renewed.serialNumber);
    expect(check.ok && check.signer.matricule).toBe('CEC-0300');
  });

  it('bounds its cache', async () => {
    const store = storeWithRoot({ maxCacheEntries: 1 });
    const other = await enrol(root.ca, { subject: { matricule: 'CEC-0002' } });
    unwrap(store.registerCertificate(site.certificate.der));
    unwrap(store.registerCertificate(other.certificate.der));
    const first = store.checkSigner(site.ski);
    store.checkSigner(other.ski);
    expect(store.checkSigner(site.ski)).not.toBe(first);
  });
});
