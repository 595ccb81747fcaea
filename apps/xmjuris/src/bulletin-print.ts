import { fileURLToPath } from 'node:url';
import { issueDocument, loadTemplateFile, type SealSigner, type Template } from '@xmcomm/documents';
import type { BulletinAsk } from './bulletin-flow.js';
import type { Extract } from './bulletins.js';

// The bulletin printed as a PDF with the court's seal (its document key, never its container key):
// the template is data (templates/bulletin.json); the seal signs the identity, the bulletin and the
// NIUs of the entries it prints (the whole text made the QR too dense to scan reliably), so a
// verifier offline sees whose bulletin it is and which entries it shows.

let shipped: Template | undefined;

/** The shipped bulletin template (templates/bulletin.json, next to src/ and dist/). */
export function bulletinTemplate(): Template {
  shipped ??= loadTemplateFile(fileURLToPath(new URL('../templates/bulletin.json', import.meta.url)));
  return shipped;
}

/** The entries as printed: one line each, its annotations under it; "NÉANT / NIL" when none. */
export function entriesText(extract: Extract): string {
  if (extract.entries.length === 0) return 'NÉANT / NIL';
  return extract.entries
    .map(({ entry, annotations }) =>
      [
        `${entry.decision_date} — ${entry.court_name} (${entry.reference}; NIU ${entry.niu}): ${entry.legal_qualification}; ${entry.main_penalty}${entry.prison_months ? ` ${entry.prison_months} mois/months` : ''}${entry.suspension !== 'none' ? ` (${entry.suspension})` : ''}`,
        ...annotations.map((note) => `    ${note.kind} ${note.effective_date} — ${note.authority}`),
      ].join('\n'),
    )
    .join('\n');
}

export interface PrintBulletinOptions {
  readonly ask: BulletinAsk;
  readonly extract: Extract;
  readonly court: { readonly matricule: string; readonly name?: string };
  readonly requestedBy: string;
  readonly documentId: string;
  readonly issuedAt: Date;
  readonly signer: SealSigner;
  readonly niu: string;
}

export async function printBulletin(options: PrintBulletinOptions) {
  const { ask, extract } = options;
  return issueDocument({
    template: bulletinTemplate(),
    data: {
      bulletin: extract.bulletin.slice(1),
      surname: ask.identity.person_surname ?? '',
      givenNames: ask.identity.person_given_names ?? '',
      dateOfBirth: ask.identity.person_date_of_birth ?? '',
      placeOfBirth: ask.identity.person_place_of_birth ?? '',
      entries: entriesText(extract),
      entryNius: extract.entries.map(({ entry }) => String(entry.niu)).join(' ') || 'NIL',
      courtName: options.court.name ?? options.court.matricule,
      requestedBy: options.requestedBy,
      purpose: ask.purpose,
    },
    issuer: options.court.matricule,
    niu: options.niu,
    documentId: options.documentId,
    issuedAt: options.issuedAt,
    signer: options.signer,
  });
}
