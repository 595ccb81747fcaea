import { createPublicKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import {
  certificateRequestToPem,
  createCertificateRequest,
  exportPrivateKey,
  generateKeyPair,
} from '@xmcomm/pki';
import { EcrError } from './errors.js';
import { readTextFile, writeTextFile } from './files.js';

// The centre's own key pair: it signs the containers the centre sends. The private key is written only
// encrypted (PKCS#8, PBES2) under a passphrase the operator of the centre keeps; the CSR goes to the
// central server's operator, who returns a certificate (`ecr cert import`).

export const centreFiles = {
  privateKey: 'centre-key.pem',
  publicKey: 'centre-public.pem',
  request: 'centre.csr.pem',
  certificate: 'centre-cert.pem',
} as const;

export interface CentreKeyFiles {
  readonly privateKeyPath: string;
  readonly requestPath: string;
}

export async function createCentreKey(
  dataDir: string,
  identity: { matricule: string; name?: string },
  passphrase: string,
): Promise<CentreKeyFiles> {
  if ([...passphrase].length < 12) {
    throw new EcrError('usage', {
      detail: "The key's passphrase has at least 12 characters.",
      detailFr: 'La phrase de passe de la clé compte au moins 12 caractères.',
    });
  }
  const { privateKey, publicKey } = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const request = await createCertificateRequest({
    privateKey,
    subject: {
      commonName: identity.matricule,
      matricule: identity.matricule,
      ...(identity.name ? { organization: identity.name } : {}),
    },
  });
  const privateKeyPath = join(dataDir, centreFiles.privateKey);
  const requestPath = join(dataDir, centreFiles.request);
  await writeTextFile(privateKeyPath, exportPrivateKey(privateKey, { passphrase }), {
    mode: 0o600,
    exclusive: true,
  });
  await writeTextFile(
    join(dataDir, centreFiles.publicKey),
    publicKey.export({ type: 'spki', format: 'pem' }) as string,
  );
  await writeTextFile(requestPath, certificateRequestToPem(request));
  return { privateKeyPath, requestPath };
}

/** Installs the certificate the operator issued, after checking it is for this centre's key. */
export async function importCentreCertificate(
  dataDir: string,
  pem: string,
): Promise<{ subject: string; validTo: string; path: string }> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (cause) {
    throw new EcrError(
      'configuration',
      {
        detail: 'this file is not an X.509 certificate.',
        detailFr: "ce fichier n'est pas un certificat X.509.",
      },
      { cause },
    );
  }
  const publicKeyPath = join(dataDir, centreFiles.publicKey);
  const ours = await readTextFile(publicKeyPath, {
    whenMissing: (cause) => new EcrError('not-initialised', { path: publicKeyPath }, { cause }),
  });
  const theirs = certificate.publicKey.export({ type: 'spki', format: 'der' });
  const mine = createPublicKey(ours).export({ type: 'spki', format: 'der' });
  if (!theirs.equals(mine)) {
    throw new EcrError('configuration', {
      detail: "the certificate is for another key than this centre's.",
      detailFr: 'le certificat est pour une autre clé que celle de ce centre.',
    });
  }
  const path = join(dataDir, centreFiles.certificate);
  await writeTextFile(path, certificate.toString());
  return { subject: certificate.subject, validTo: certificate.validTo, path };
}
