import type { X509Certificate } from 'node:crypto';
import { type CertificateInput, type ParsedCertificate, parseCertificate } from './cms/keys.js';
import type { SignerCheck, SignerResolver } from './signer-resolver.js';

export interface CertificateResolverOptions {
  /** CA certificates (PEM or DER) that signers must be issued by, directly. */
  trustAnchors: readonly CertificateInput[];
  /** Signer certificates known in advance (the server's register). */
  certificates?: readonly CertificateInput[];
  /** Also accept a signer certificate embedded in the container when it chains to an anchor. */
  acceptEmbedded?: boolean;
}

/**
 * A small SignerResolver over files: signer certificates checked against CA certificates
 * (one level, validity dates). It does not read CRLs: use @xmcomm/pki's TrustStore where
 * revocation matters. It is what `sdc decode --trust --signer` uses.
 */
export function createCertificateResolver(options: CertificateResolverOptions): SignerResolver {
  const anchors = options.trustAnchors.map(parseCertificate);
  const known = new Map<string, ParsedCertificate>();
  for (const certificate of options.certificates ?? []) {
    const parsed = parseCertificate(certificate);
    known.set(Buffer.from(parsed.subjectKeyIdentifier).toString('hex'), parsed);
  }
  const verdicts = new WeakMap<ParsedCertificate, boolean>();
  const certificateFacts = new WeakMap<
    ParsedCertificate,
    { notBefore: number; notAfter: number; subject: string }
  >();
  const issuedByAnchor = (x509: X509Certificate) =>
    anchors.some((anchor) => x509.checkIssued(anchor.x509) && x509.verify(anchor.publicKey));

  return {
    checkSigner(subjectKeyIdentifier, checkOptions = {}): SignerCheck {
      const key = Buffer.from(subjectKeyIdentifier).toString('hex');
      let certificate =
        known.get(key) ??
        anchors.find((anchor) => Buffer.from(anchor.subjectKeyIdentifier).toString('hex') === key);
      if (!certificate && options.acceptEmbedded) {
        for (const der of checkOptions.embeddedCertificates ?? []) {
          try {
            const parsed = parseCertificate(der);
            if (Buffer.from(parsed.subjectKeyIdentifier).toString('hex') === key) certificate = parsed;
          } catch {
            // not a certificate we can read: ignore it
          }
        }
      }
      if (!certificate)
        return { ok: false, error: { code: 'unknown-signer', message: `no certificate with SKI ${key}` } };
      // The chain check is a signature verification: done once per certificate, not per container.
      let chained = verdicts.get(certificate);
      if (chained === undefined) {
        chained =
          anchors.some(
            (anchor) =>
              anchor.der.length === certificate.der.length &&
              Buffer.compare(anchor.der, certificate.der) === 0,
          ) || issuedByAnchor(certificate.x509);
        verdicts.set(certificate, chained);
      }
      if (!chained) {
        return {
          ok: false,
          error: {
            code: 'untrusted-signer',
            message: `${certificate.x509.subject} is not issued by a trusted CA`,
          },
        };
      }
      const at = checkOptions.at ?? new Date();
      // Read from the certificate once, not per container (X509Certificate getters parse each time).
      let facts = certificateFacts.get(certificate);
      if (!facts) {
        facts = {
          notBefore: new Date(certificate.x509.validFrom).getTime(),
          notAfter: new Date(certificate.x509.validTo).getTime(),
          subject: certificate.x509.subject,
        };
        certificateFacts.set(certificate, facts);
      }
      const notBefore = new Date(facts.notBefore);
      const notAfter = new Date(facts.notAfter);
      if (at < notBefore)
        return {
          ok: false,
          error: { code: 'not-yet-valid', message: `valid from ${notBefore.toISOString()}` },
        };
      if (at > notAfter)
        return { ok: false, error: { code: 'expired', message: `expired ${notAfter.toISOString()}` } };
      return {
        ok: true,
        signer: {
          certificate: certificate.der,
          publicKey: certificate.publicKey,
          subjectKeyIdentifier: certificate.subjectKeyIdentifier,
          subject: facts.subject,
          notAfter,
        },
      };
    },
  };
}
