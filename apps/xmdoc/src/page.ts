import { verifierPageHtml } from '@xmcomm/documents';

/** The offline verifier page's HTML, every script inlined; with the national CA, pinned to it. */
export function writeVerifierPage(nationalCa?: Uint8Array): string {
  return verifierPageHtml(nationalCa ? { nationalCa } : {});
}
