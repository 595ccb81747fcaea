import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { CertificateAuthority, inspectCertificate, TrustStore } from '@xmcomm/pki';
import { describe, expect, it } from 'vitest';
import { createFastIssuer } from './fast-issuer.js';

describe('createFastIssuer', async () => {
  const root = await CertificateAuthority.createRoot({ subject: { commonName: 'Bench CA' } });
  const ca = new CertificateAuthority({ certificate: root.certificate.pem, privateKey: root.privateKey });
  const issuer = await createFastIssuer(ca, root.privateKey, { matriculeLength: 8 });

  it('issues a certificate that node:crypto verifies against the CA and that names the site', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const record = issuer.issue('B0000042', key.publicKey);
    const x509 = new X509Certificate(record.der);
    expect(x509.verify(new X509Certificate(root.certificate.der).publicKey)).toBe(true);
    expect(x509.checkIssued(new X509Certificate(root.certificate.der))).toBe(true);
    expect(x509.publicKey.equals(key.publicKey)).toBe(true);
    expect(x509.subject).toContain('B0000042');
  });

  it('records the same fields as @xmcomm/pki reads from the certificate', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const record = issuer.issue('B0000043', key.publicKey);
    const info = inspectCertificate(record.der);
    if (!info.ok) throw info.error;
    expect(record).toMatchObject({
      subject: info.value.subject,
      issuer: info.value.issuer,
      serialNumber: info.value.serialNumber,
      subjectKeyIdentifier: info.value.subjectKeyIdentifier,
      fingerprintSha256: info.value.fingerprintSha256,
    });
    expect(record.notAfter.toISOString()).toBe(new Date(info.value.notAfter).toISOString());
  });

  it('gives every certificate its own serial number and a signer the trust store accepts', () => {
    const store = new TrustStore();
    store.addTrustAnchor(root.certificate.pem);
    const serials = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const record = issuer.issue(`B00001${String(i).padStart(2, '0')}`, key.publicKey);
      serials.add(record.serialNumber);
      const registered = store.registerCertificate(record.der, {
        matricule: `B00001${String(i).padStart(2, '0')}`,
      });
      expect(registered.ok).toBe(true);
      const check = store.checkSigner(Buffer.from(record.subjectKeyIdentifier, 'hex'));
      expect(check.ok).toBe(true);
    }
    expect(serials.size).toBe(20);
  });

  it('refuses a matricule that does not fit the template', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => issuer.issue('B42', key.publicKey)).toThrow(/does not fit/);
  });
});
