import { CertificateAuthority, generateKeyPair, TrustStore, unwrap } from '@xmcomm/pki';

/**
 * A test national CA; the server's and a site's container identities; the site's document key
 * (a signatory certificate: what seals its prints); `trusting(pem)`, a trust store of the CA with one
 * peer registered, as each side's codec checks.
 */
export async function identities(serverName: string, matricule: string) {
  const { ca, certificate: root } = await CertificateAuthority.createRoot({
    subject: { commonName: 'Test National CA' },
  });
  const issue = async (subject: string, profile: 'server' | 'site' | 'signatory') => {
    const keys = await generateKeyPair();
    const certificate = await ca.issueCertificate({
      publicKey: keys.publicKey,
      profile,
      subject:
        profile === 'signatory' ? { commonName: subject } : { matricule: subject, commonName: subject },
    });
    return { privateKey: keys.privateKey, certificate: certificate.pem, der: certificate.der };
  };
  const server = await issue(serverName, 'server');
  const site = await issue(matricule, 'site');
  const document = await issue(`${matricule} documents`, 'signatory');
  const trusting = (certificate: string) => {
    const trust = new TrustStore();
    unwrap(trust.addTrustAnchor(root.pem));
    unwrap(trust.registerCertificate(certificate));
    return trust;
  };
  return { root, server, site, document, trusting, issue };
}
