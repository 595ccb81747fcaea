import type { OpenedContainer } from '../container.js';
import { formatReason } from '../reasons.js';
import type { ServerContext } from './context.js';
import { refused } from './outcomes.js';
import type { ApplyOutcome } from './types.js';

/**
 * A container decrypted and verified: either refused already, or its content with the reason its
 * body cannot be used (null when it can) and its size as received.
 */
export type Opened =
  | { readonly outcome: ApplyOutcome }
  | { readonly container: OpenedContainer; readonly bodyError: string | null; readonly size: number };

/** Decrypts and verifies, and checks the signer is the matricule the container claims. */
export async function openContainer(ctx: ServerContext, bytes: Uint8Array): Promise<Opened> {
  const opened = await ctx.codec.open(bytes);
  let container: OpenedContainer;
  let bodyError: string | null = null;
  if (opened.ok) container = opened.value;
  else if (opened.verified) {
    // Signed by someone we trust, but not readable against our contract: answer so the site knows.
    container = {
      header: opened.verified.header,
      signer: opened.verified.signer,
      body: { kind: 'control', message: {} },
    };
    bodyError =
      opened.error.code === 'schema-mismatch'
        ? 'schema-mismatch'
        : opened.error.code === 'unknown-dictionary'
          ? // Packed with words the server does not hold: refused whole, never read against another list.
            formatReason('unknown-dictionary', opened.verified.header.dictionary ?? undefined)
          : formatReason(
              opened.verified.kind === 'import-request' ? 'invalid-filter' : 'invalid-field',
              opened.error.message.slice(0, 200),
            );
  } else return { outcome: refused(opened.error.code) };
  // The signer's certificate must be the one registered for the matricule the container claims.
  if (container.signer.matricule !== container.header.sender)
    return { outcome: refused('foreign', container) };
  return { container, bodyError, size: bytes.length };
}
