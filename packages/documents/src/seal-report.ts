/**
 * A seal's verification in words, as every verifier prints it: VALID or INVALID with the reason,
 * then what the seal says (marked not to be trusted when INVALID) and who signed it.
 */
import type { Language } from './format.js';
import { describeSealVerification, type SealVerification } from './verify.js';

export const SEAL_REPORT_WORDS = {
  en: {
    valid: 'VALID',
    invalid: 'INVALID',
    recordType: 'Document',
    niu: 'Number (NIU)',
    documentId: 'Document id',
    issued: 'Issued',
    by: 'by',
    signer: 'Signed by',
    notTrusted: 'What the seal says (NOT to be trusted):',
  },
  fr: {
    valid: 'VALIDE',
    invalid: 'NON VALIDE',
    recordType: 'Document',
    niu: 'Numéro (NIU)',
    documentId: 'Identifiant',
    issued: 'Délivré le',
    by: 'par',
    signer: 'Signé par',
    notTrusted: 'Ce que dit le sceau (à NE PAS croire) :',
  },
} as const satisfies Record<Language, Record<string, string>>;

/** The verdict line, the seal's fields (indented `name: value`) and, when VALID, the signer. */
export function sealReportLines(result: SealVerification, lang: Language): string[] {
  const w = SEAL_REPORT_WORDS[lang];
  const lines = [
    `${result.status === 'VALID' ? w.valid : w.invalid} — ${describeSealVerification(result, lang)}`,
  ];
  const content = result.content;
  if (content) {
    if (result.status === 'INVALID') lines.push('', w.notTrusted);
    lines.push(
      `  ${w.recordType}: ${content.recordType} ${content.documentKind}`,
      `  ${w.niu}: ${content.niu}`,
      `  ${w.documentId}: ${content.documentId}`,
      `  ${w.issued}: ${content.issuedAt.toISOString().slice(0, 10)} ${w.by} ${content.issuer}`,
      ...Object.entries(content.fields).map(([name, value]) => `  ${name}: ${value}`),
    );
  }
  if (result.status === 'VALID')
    lines.push(`  ${w.signer}: ${result.signer.label} (${result.signer.keyIdentifier})`);
  return lines;
}
