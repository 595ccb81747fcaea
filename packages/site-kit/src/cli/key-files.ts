import { createPublicKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import {
  certificateRequestToPem,
  createCertificateRequest,
  exportPrivateKey,
  generateKeyPair,
} from '@xmcomm/pki';
import { SiteCliError, usageError } from './errors.js';
import { readTextFile, writeTextFile } from './files.js';

// A site's key pairs in its data folder: the private key written only encrypted (PKCS#8, PBES2)
// under a passphrase the site keeps; the CSR goes to the central server's operator, who returns a
// certificate (`cert import`).

/** Where one of the site's key pairs lives in its data folder. */
export interface KeyFileNames {
  readonly privateKey: string;
  readonly publicKey: string;
  readonly request: string;
  readonly certificate: string;
}

/** The names ECR has always used for a site's container key (`centre-key.pem`, ...). */
export const siteKeyFiles = {
  privateKey: 'centre-key.pem',
  publicKey: 'centre-public.pem',
  request: 'centre.csr.pem',
  certificate: 'centre-cert.pem',
} as const satisfies KeyFileNames;

export interface KeyFilePaths {
  readonly privateKeyPath: string;
  readonly requestPath: string;
}

/** A key's passphrase has at least 12 characters. */
export const minimumPassphraseLength = 12;

/**
 * Makes a P-256 key pair and its certificate request in `dataDir` under `files`: the private key
 * written only encrypted, and never over an existing one.
 */
export async function createKeyFiles(
  dataDir: string,
  files: KeyFileNames,
  subject: { commonName: string; matricule: string; name?: string },
  passphrase: string,
): Promise<KeyFilePaths> {
  if ([...passphrase].length < minimumPassphraseLength) {
    throw usageError(
      "The key's passphrase has at least 12 characters.",
      'La phrase de passe de la clé compte au moins 12 caractères.',
    );
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
  noKey: (path: string, cause: unknown) => Error,
  otherKey: { readonly detail: string; readonly detailFr: string },
): Promise<{ subject: string; validTo: string; path: string }> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (cause) {
    throw new SiteCliError(
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
  if (!theirs.equals(mine)) throw new SiteCliError('configuration', otherKey);
  const path = join(dataDir, files.certificate);
  await writeTextFile(path, certificate.toString());
  return { subject: certificate.subject, validTo: certificate.validTo, path };
}
