import { CertificateAuthority, generateKeyPair, TrustStore, unwrap } from '@xmcomm/pki';

/**
 * A test national CA, the server's identity and the site's, each certified by it; `trusting(pem)`
 * is a trust store of that CA with one peer's certificate registered (what each side's codec checks).
 */
export async function serverAndSite(serverName: string, siteMatricule: string) {
  const { ca, certificate: root } = await CertificateAuthority.createRoot({
    subject: { commonName: 'Test National CA' },
  });
  const issue = async (matricule: string, profile: 'server' | 'site') => {
    const keys = await generateKeyPair();
    const certificate = await ca.issueCertificate({
      publicKey: keys.publicKey,
      profile,
      subject: { matricule, commonName: matricule },
    });
    return { privateKey: keys.privateKey, certificate: certificate.pem };
  };
  const server = await issue(serverName, 'server');
  const site = await issue(siteMatricule, 'site');
  const trusting = (certificate: string) => {
    const trust = new TrustStore();
    unwrap(trust.addTrustAnchor(root.pem));
    unwrap(trust.registerCertificate(certificate));
    return trust;
  };
  return { server, site, trusting };
}
