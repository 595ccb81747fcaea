import { integer, oneOf, text, timestamp } from '../columns.js';
import { defineExchangedTable } from '../define-table.js';

// A document printed from a validated record (a full copy or an extract of a birth act, ...): each
// issue is a row the site sends like any other, so the server keeps the count and billing charges it
// (`xmserver tariff set --service sds-export --table issued_documents`). Domain-free: any site app
// that prints from its records records its copies here.

/** The kinds of document a site issues from a record. */
export const issuedDocumentKinds = ['copy', 'extract'] as const;

/**
 * One issued document. Its `niu` is the document's id (printed on the paper and signed in its
 * seal), so a document is recorded once however often its row travels.
 */
export const issuedDocuments = defineExchangedTable(
  'issued_documents',
  {
    kind: oneOf(issuedDocumentKinds, { required: true }),
    /** The exchanged table of the record printed (`births`) and its number and NIU at the site. */
    record_table: text({ maxLength: 63, required: true }),
    record_numero: integer({ required: true, min: 1 }),
    record_niu: text({ maxLength: 32, required: true }),
    /** The language the document's values were printed in. */
    language: oneOf(['fr', 'en'], { required: true }),
    /** The template: its id, version and the SHA-256 (hex) of its checked content. */
    template_id: text({ maxLength: 64, required: true }),
    template_version: integer({ required: true, min: 1 }),
    template_sha256: text({ maxLength: 64, required: true, pattern: '[0-9a-f]{64}' }),
    /** Who issued it (the user's login), when, and the SHA-256 of the signer's certificate. */
    issued_by: text({ maxLength: 64, required: true }),
    issued_at: timestamp({ required: true }),
    signer_sha256: text({ maxLength: 64, required: true, pattern: '[0-9a-f]{64}' }),
  },
  {
    indexes: [['record_table', 'record_numero'], ['issued_at']],
    label: { en: 'Issued document', fr: 'Document délivré' },
  },
);
