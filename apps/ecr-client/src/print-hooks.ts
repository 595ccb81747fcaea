import type { PrintHooks } from '@xmcomm/workstation';
import type { CentreContext } from './acts.js';
import { documentKeyPassphraseVariable, loadDocumentSigner } from './document-key.js';
import { EcrError } from './errors.js';
import { type DocumentKind, printAct } from './print.js';
import type { ActKind } from './rules.js';

// The workstation's Print button on ECR's function: the same printAct as `ecr print`, with the
// document key's passphrase given to `ecr serve` (ECR_DOCUMENT_KEY_PASSPHRASE), never by a page.

export function printHooks(
  ctx: CentreContext,
  dataDir: string,
  env: Readonly<Record<string, string | undefined>>,
): PrintHooks {
  return {
    kinds: [
      { kind: 'extract', label: { en: 'Extract', fr: 'Extrait' } },
      { kind: 'copy', label: { en: 'Full copy', fr: 'Copie intégrale' } },
    ],
    async print(user, ref, choice) {
      try {
        const signer = await loadDocumentSigner(dataDir, env[documentKeyPassphraseVariable]);
        const printed = await printAct(
          ctx,
          user,
          { kind: ref.type as ActKind, numero: ref.numero },
          { kind: choice.kind as DocumentKind, language: choice.language, signer },
        );
        return {
          ok: true,
          pdf: printed.pdf,
          fileName: `${printed.ref}-${printed.kind}-${printed.documentId}.pdf`,
        };
      } catch (error) {
        if (!EcrError.isInstance(error)) throw error;
        return { ok: false, message: { en: error.messageIn('en'), fr: error.messageIn('fr') } };
      }
    },
  };
}
