import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SealSigner } from '@xmcomm/documents';

// The centre's document key signs the QR seal of what it prints (never its container key). Docstream
// makes no keys itself: the shared site CLI does (`document-key create`, then the server's
// certificate imported); here the two files it leaves in the data folder are read.

export const documentKeyFiles = { privateKey: 'document-key.pem', certificate: 'document-cert.pem' } as const;
export const documentKeyPassphraseVariable = 'DOCSTREAM_DOCUMENT_KEY_PASSPHRASE';

/** The signer, or why there is none, in English and French. */
export async function loadDocumentSigner(
  dataDir: string,
  passphrase: string | undefined,
): Promise<{ ok: true; signer: SealSigner } | { ok: false; message: { en: string; fr: string } }> {
  let keyPem: string;
  let certificatePem: string;
  try {
    keyPem = await readFile(join(dataDir, documentKeyFiles.privateKey), 'utf8');
    certificatePem = await readFile(join(dataDir, documentKeyFiles.certificate), 'utf8');
  } catch {
    return {
      ok: false,
      message: {
        en: `No document key in ${dataDir} (${documentKeyFiles.privateKey} and ${documentKeyFiles.certificate}, certified by the central server): nothing can be sealed.`,
        fr: `Pas de clé de documents dans ${dataDir} (${documentKeyFiles.privateKey} et ${documentKeyFiles.certificate}, certifiée par le serveur central) : rien ne peut être scellé.`,
      },
    };
  }
  try {
    const privateKey = createPrivateKey({ key: keyPem, format: 'pem', passphrase: passphrase ?? '' });
    const certificate = new X509Certificate(certificatePem);
    return { ok: true, signer: { privateKey, certificate: new Uint8Array(certificate.raw) } };
  } catch {
    return {
      ok: false,
      message: {
        en: `The document key cannot be opened: wrong passphrase in ${documentKeyPassphraseVariable}, or a damaged file.`,
        fr: `La clé de documents ne s'ouvre pas : phrase de passe erronée dans ${documentKeyPassphraseVariable}, ou fichier endommagé.`,
      },
    };
  }
}
