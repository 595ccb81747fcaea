import { verifierPageHtml } from '@xmcomm/documents';

/** The offline verifier page's HTML, every script inlined. */
export function writeVerifierPage(): string {
  return verifierPageHtml();
}
