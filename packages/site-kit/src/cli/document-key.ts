import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { SiteCliError } from './errors.js';
import { readTextFile } from './files.js';
import { createKeyFiles, importCertificateFor, type KeyFilePaths } from './key-files.js';
import type { SiteWords } from './link-files.js';

// A site's document key: it signs the QR seal of what the site prints. Never the container key
// (that one signs what the site sends the server): the central server registers its certificate as
// a signatory of the site, so it is in the trust list verifiers hold. Written only encrypted.

export const documentKeyFiles = {
  privateKey: 'document-key.pem',
  publicKey: 'document-public.pem',
  request: 'document.csr.pem',
  certificate: 'document-cert.pem',
} as const;

/** What signs a seal (`@xmcomm/documents`' SealSigner): the certificate's DER and the EC P-256 key. */
export interface DocumentSigner {
  readonly certificate: Uint8Array;
  readonly privateKey: KeyObject;
}

const unavailable = (detail: string, detailFr: string, cause?: unknown) =>
  new SiteCliError('key-unavailable', { detail, detailFr }, cause === undefined ? {} : { cause });

/** Makes the document key pair and its certificate request; never replaces an existing key. */
export function createDocumentKey(
  dataDir: string,
  identity: { readonly matricule: string; readonly name?: string },
  passphrase: string,
): Promise<KeyFilePaths> {
  return createKeyFiles(
    dataDir,
    documentKeyFiles,
    { ...identity, commonName: `${identity.matricule} documents` },
    passphrase,
  );
}

/** Installs the document key's certificate, after checking it is for that key. */
export function importDocumentCertificate(
  dataDir: string,
  pem: string,
  words: SiteWords,
): Promise<{ subject: string; validTo: string; path: string }> {
  return importCertificateFor(
    dataDir,
    documentKeyFiles,
    pem,
    (_path, cause) =>
      unavailable(
        `this ${words.site.en} has no document key: run \`${words.command} document-key create\` first.`,
        `ce ${words.site.fr} n'a pas de clé de documents : lancez d'abord \`${words.command} document-key create\`.`,
        cause,
      ),
    {
      detail: `the certificate is for another key than this ${words.site.en}'s document key.`,
      detailFr: `le certificat est pour une autre clé que la clé de documents de ce ${words.site.fr}.`,
    },
  );
}

/** The document key and its certificate, ready to seal; `key-unavailable` says which step is missing. */
export async function loadDocumentSigner(
  dataDir: string,
  passphrase: string,
  words: SiteWords,
): Promise<DocumentSigner> {
  const missing = (what: string, whatFr: string) => (cause: unknown) => unavailable(what, whatFr, cause);
  const certificatePem = await readTextFile(join(dataDir, documentKeyFiles.certificate), {
    whenMissing: missing(
      `no document key certificate: run \`${words.command} document-key create\`, have the central server register it, then \`${words.command} document-key import\`.`,
      `pas de certificat de clé de documents : lancez \`${words.command} document-key create\`, faites-la enregistrer par le serveur central, puis \`${words.command} document-key import\`.`,
    ),
  });
  const keyPem = await readTextFile(join(dataDir, documentKeyFiles.privateKey), {
    whenMissing: missing('the document key file is missing.', 'le fichier de la clé de documents manque.'),
  });
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: keyPem, format: 'pem', passphrase });
  } catch (cause) {
    throw unavailable(
      'wrong passphrase for the document key, or a damaged key file.',
      'phrase de passe erronée pour la clé de documents, ou fichier de clé endommagé.',
      cause,
    );
  }
  return { certificate: new Uint8Array(new X509Certificate(certificatePem).raw), privateKey };
}
