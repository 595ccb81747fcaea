import type { SealSigner } from '@xmcomm/documents';
import type { CompiledForm } from '@xmcomm/forms';
import type { SiteDatabase } from '@xmcomm/schema';
import { type RecordType, type SiteIdentity, type SiteKit, SiteKitError } from '@xmcomm/site-kit';
import { printFormRecord } from '@xmcomm/site-kit/forms';
import type { PrintHooks } from '@xmcomm/workstation';
import type { Kysely } from 'kysely';

// The workstation's Print button on the kit's printFormRecord: each form prints through the
// template its definition gives, sealed with the centre's document key.

export function formPrintHooks(
  kit: SiteKit,
  db: Kysely<SiteDatabase>,
  types: readonly { readonly type: RecordType; readonly form: CompiledForm }[],
  centre: SiteIdentity,
  signer: () => Promise<SealSigner>,
): PrintHooks {
  return {
    kinds: [{ kind: 'copy', label: { en: 'The document, sealed', fr: 'Le document, scellé' } }],
    async print(user, ref, choice) {
      const entry = types.find((candidate) => candidate.type.name === ref.type);
      if (!entry)
        return { ok: false, message: { en: `No form ${ref.type}.`, fr: `Aucun formulaire ${ref.type}.` } };
      let key: SealSigner;
      try {
        key = await signer();
      } catch (error) {
        const message = error as { en?: unknown; fr?: unknown };
        if (typeof message.en === 'string' && typeof message.fr === 'string')
          return { ok: false, message: { en: message.en, fr: message.fr } };
        throw error;
      }
      try {
        const printed = await printFormRecord(kit, db, user, ref, entry.form, {
          signer: key,
          language: choice.language,
          centre: {
            matricule: centre.matricule,
            centreCode: centre.centreCode,
            name: centre.name ?? centre.matricule,
          },
        });
        return { ok: true, pdf: printed.pdf, fileName: `${printed.ref}-${printed.documentId}.pdf` };
      } catch (error) {
        if (!(error instanceof SiteKitError) || error.code === 'forbidden') throw error;
        return { ok: false, message: { en: error.message, fr: error.messageFr } };
      }
    },
  };
}
