import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import type { SealSigner } from '@xmcomm/documents';
import { documentKeyFiles } from '@xmcomm/site-kit/cli';
import { EcrError } from './errors.js';
import { readTextFile } from './files.js';
import { createKeyFiles, importCertificateFor } from './keys.js';

// The centre's document key: it signs the QR seal of every copy and extract the centre prints. It is
// not the container key (that one signs what the centre sends the server): the central server
// registers its certificate as a signatory of the centre, so it is in the trust list verifiers hold.
// The private key is written only encrypted, under ECR_DOCUMENT_KEY_PASSPHRASE.

export { documentKeyFiles };

export const documentKeyPassphraseVariable = 'ECR_DOCUMENT_KEY_PASSPHRASE';

function keyUnavailable(detail: string, detailFr: string, cause?: unknown): EcrError {
  return new EcrError('key-unavailable', { detail, detailFr }, cause === undefined ? {} : { cause });
}

/** Makes the key pair and its certificate request; never replaces an existing key. */
export function createDocumentKey(
  dataDir: string,
  identity: { readonly matricule: string; readonly name?: string },
  passphrase: string,
): Promise<{ privateKeyPath: string; requestPath: string }> {
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
): Promise<{ subject: string; validTo: string; path: string }> {
  return importCertificateFor(
    dataDir,
    documentKeyFiles,
    pem,
    (_path, cause) =>
      keyUnavailable(
        'this centre has no document key: run `ecr document-key create` first.',
        "ce centre n'a pas de clé de documents : lancez d'abord `ecr document-key create`.",
        cause,
      ),
    {
      detail: "the certificate is for another key than this centre's document key.",
      detailFr: 'le certificat est pour une autre clé que la clé de documents de ce centre.',
    },
  );
}

/** The document key and its certificate, ready to seal; `key-unavailable` says which step is missing. */
export async function loadDocumentSigner(
  dataDir: string,
  passphrase: string | undefined,
): Promise<SealSigner> {
  const missing = (what: string, whatFr: string) => (cause: unknown) => keyUnavailable(what, whatFr, cause);
  const certificatePem = await readTextFile(join(dataDir, documentKeyFiles.certificate), {
    whenMissing: missing(
      'no document key certificate: run `ecr document-key create`, have the central server register it, then `ecr document-key import`.',
      'pas de certificat de clé de documents : lancez `ecr document-key create`, faites-la enregistrer par le serveur central, puis `ecr document-key import`.',
    ),
  });
  const keyPem = await readTextFile(join(dataDir, documentKeyFiles.privateKey), {
    whenMissing: missing('the document key file is missing.', 'le fichier de la clé de documents manque.'),
  });
  if (!passphrase) throw new EcrError('password-required', { variable: documentKeyPassphraseVariable });
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: keyPem, format: 'pem', passphrase });
  } catch (cause) {
    throw keyUnavailable(
      `wrong passphrase in ${documentKeyPassphraseVariable}, or a damaged key file.`,
      `phrase de passe erronée dans ${documentKeyPassphraseVariable}, ou fichier de clé endommagé.`,
      cause,
    );
  }
  const certificate = new X509Certificate(certificatePem);
  return { certificate: new Uint8Array(certificate.raw), privateKey };
}
