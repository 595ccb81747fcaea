/** `xmdoc render --key`: a real seal, signed with a key and certificate read from files. */
import { readFileSync } from 'node:fs';
import { type DocumentData, issueDocument, type Template } from '@xmcomm/documents';
import { certificateDer, importPrivateKey } from '@xmcomm/pki';
import { XmdocError } from './errors.js';

export interface RenderWithSealOptions {
  readonly key: string;
  readonly certificate: string;
  readonly issuer: string;
  readonly niu: string;
  readonly documentId: string;
  readonly issuedAt: Date;
  readonly template: Template;
  readonly data: DocumentData;
  readonly env: NodeJS.ProcessEnv;
  readonly language?: 'fr' | 'en';
}

export async function renderWithSeal(
  options: RenderWithSealOptions,
): Promise<{ pdf: Uint8Array; seal: string }> {
  let keyText: Buffer;
  let certificateBytes: Buffer;
  try {
    keyText = readFileSync(options.key);
    certificateBytes = readFileSync(options.certificate);
  } catch (cause) {
    throw new XmdocError('input-missing', (cause as NodeJS.ErrnoException).path ?? options.key, { cause });
  }
  const passphrase = options.env.XM_KEY_PASSPHRASE;
  const privateKey = importPrivateKey(keyText, passphrase === undefined ? {} : { passphrase });
  if (!privateKey.ok)
    throw new XmdocError('key-unreadable', `${options.key}: ${privateKey.error.code}`, {
      cause: privateKey.error,
    });
  const certificate = certificateDer(certificateBytes);
  if (!certificate.ok)
    throw new XmdocError('key-unreadable', `${options.certificate}: ${certificate.error.code}`, {
      cause: certificate.error,
    });
  const issued = await issueDocument({
    template: options.template,
    data: options.data,
    issuer: options.issuer,
    niu: options.niu,
    documentId: options.documentId,
    issuedAt: options.issuedAt,
    signer: { certificate: certificate.value, privateKey: privateKey.value },
    ...(options.language ? { language: options.language } : {}),
  });
  return { pdf: issued.pdf, seal: issued.seal };
}
