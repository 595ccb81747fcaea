import {
  type KeyFileNames,
  type KeyFilePaths,
  createKeyFiles as kitCreateKeyFiles,
  importCertificateFor as kitImportCertificateFor,
  siteKeyFiles,
} from '@xmcomm/site-kit/cli';
import { asEcr, EcrError } from './errors.js';

// The centre's own key pair: it signs the containers the centre sends. The site CLI kit makes and
// installs it (`@xmcomm/site-kit/cli`); these keep ECR's names and its errors.

export const centreFiles = siteKeyFiles;
export type CentreKeyFiles = KeyFilePaths;
export type { KeyFileNames };

/**
 * Makes a P-256 key pair and its certificate request in `dataDir` under `files`: the private key
 * written only encrypted, and never over an existing one.
 */
export function createKeyFiles(
  dataDir: string,
  files: KeyFileNames,
  subject: { commonName: string; matricule: string; name?: string },
  passphrase: string,
): Promise<CentreKeyFiles> {
  return asEcr(kitCreateKeyFiles(dataDir, files, subject, passphrase));
}

/** Installs a certificate for the key pair under `files`, after checking it is for that key. */
export function importCertificateFor(
  dataDir: string,
  files: KeyFileNames,
  pem: string,
  noKey: (path: string, cause: unknown) => EcrError,
  otherKey: { readonly detail: string; readonly detailFr: string },
): Promise<{ subject: string; validTo: string; path: string }> {
  return asEcr(kitImportCertificateFor(dataDir, files, pem, noKey, otherKey));
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
