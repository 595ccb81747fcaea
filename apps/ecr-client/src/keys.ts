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

/** Where one of the centre's key pairs lives in its data folder. */
export interface KeyFileNames {
  readonly privateKey: string;
  readonly publicKey: string;
  readonly request: string;
  readonly certificate: string;
}

/**
 * Makes a P-256 key pair and its certificate request in `dataDir` under `files`: the private key
 * written only encrypted, and never over an existing one.
 */
export async function createKeyFiles(
  dataDir: string,
  files: KeyFileNames,
  subject: { commonName: string; matricule: string; name?: string },
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
      commonName: subject.commonName,
      matricule: subject.matricule,
      ...(subject.name ? { organization: subject.name } : {}),
    },
  });
  const privateKeyPath = join(dataDir, files.privateKey);
  const requestPath = join(dataDir, files.request);
  await writeTextFile(privateKeyPath, exportPrivateKey(privateKey, { passphrase }), {
    mode: 0o600,
    exclusive: true,
  });
  await writeTextFile(
    join(dataDir, files.publicKey),
    publicKey.export({ type: 'spki', format: 'pem' }) as string,
  );
  await writeTextFile(requestPath, certificateRequestToPem(request));
  return { privateKeyPath, requestPath };
}

/**
 * Installs a certificate for the key pair under `files`, after checking it is for that key.
 * `noKey` is the error when the key was never made; `otherKey` the words when the certificate is
 * for another key.
 */
export async function importCertificateFor(
  dataDir: string,
  files: KeyFileNames,
  pem: string,
  noKey: (path: string, cause: unknown) => EcrError,
  otherKey: { readonly detail: string; readonly detailFr: string },
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
  const publicKeyPath = join(dataDir, files.publicKey);
  const ours = await readTextFile(publicKeyPath, { whenMissing: (cause) => noKey(publicKeyPath, cause) });
  const theirs = certificate.publicKey.export({ type: 'spki', format: 'der' });
  const mine = createPublicKey(ours).export({ type: 'spki', format: 'der' });
  if (!theirs.equals(mine)) throw new EcrError('configuration', otherKey);
  const path = join(dataDir, files.certificate);
  await writeTextFile(path, certificate.toString());
  return { subject: certificate.subject, validTo: certificate.validTo, path };
}

export function createCentreKey(
  dataDir: string,
  identity: { matricule: string; name?: string },
  passphrase: string,
): Promise<CentreKeyFiles> {
  return createKeyFiles(dataDir, centreFiles, { commonName: identity.matricule, ...identity }, passphrase);
}

/** Installs the certificate the operator issued, after checking it is for this centre's key. */
export function importCentreCertificate(
  dataDir: string,
  pem: string,
): Promise<{ subject: string; validTo: string; path: string }> {
  return importCertificateFor(
    dataDir,
    centreFiles,
    pem,
    (path, cause) => new EcrError('not-initialised', { path }, { cause }),
    {
      detail: "the certificate is for another key than this centre's.",
      detailFr: 'le certificat est pour une autre clé que celle de ce centre.',
    },
  );
}
