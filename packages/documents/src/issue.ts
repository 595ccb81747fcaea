/** Issuing a document: the seal over the template's seal fields, then the PDF that prints it. */
import type { SealContent } from './claims.js';
import { DocumentsError } from './errors.js';
import type { Language, ValueLabels } from './format.js';
import { type DocumentData, renderPdf } from './render.js';
import { createSeal, type SealSigner } from './seal.js';
import type { Template } from './template.js';

export interface IssueOptions {
  readonly template: Template;
  readonly data: DocumentData;
  /** The issuing site's matricule. */
  readonly issuer: string;
  readonly niu: string;
  readonly documentId: string;
  /** The document's date: in the seal and as the PDF's creation date. */
  readonly issuedAt: Date;
  readonly signer: SealSigner;
  /** The language formatted values print in (`{{dateOfBirth|date}}`); default the template's. */
  readonly language?: Language;
  /** The app's words for codes (`{{gender|label}}`). */
  readonly labels?: ValueLabels;
}

export interface IssuedDocument {
  readonly pdf: Uint8Array;
  readonly seal: string;
  readonly content: SealContent;
}

/** The content a template's seal carries for this data; a seal field missing from the data is an error. */
export function sealContentOf(options: Omit<IssueOptions, 'signer' | 'language' | 'labels'>): SealContent {
  const fields: Record<string, string> = {};
  for (const name of options.template.sealFields) {
    const value = Object.hasOwn(options.data, name) ? options.data[name] : undefined;
    if (value === undefined)
      throw new DocumentsError('missing-field', { detail: `"${name}", signed in the seal ($.sealFields)` });
    fields[name] = value;
  }
  return {
    issuer: options.issuer,
    recordType: options.template.recordType,
    documentKind: options.template.documentKind,
    niu: options.niu,
    documentId: options.documentId,
    issuedAt: new Date(Math.floor(options.issuedAt.getTime() / 1000) * 1000),
    fields,
  };
}

export async function issueDocument(options: IssueOptions): Promise<IssuedDocument> {
  const content = sealContentOf(options);
  const seal = createSeal(content, options.signer);
  const data = {
    ...options.data,
    niu: options.niu,
    documentId: options.documentId,
    issuer: options.issuer,
    issuedOn: content.issuedAt.toISOString().slice(0, 10),
  };
  const pdf = await renderPdf({
    template: options.template,
    data,
    seal,
    createdAt: content.issuedAt,
    ...(options.language === undefined ? {} : { language: options.language }),
    ...(options.labels === undefined ? {} : { labels: options.labels }),
  });
  return { pdf, seal, content };
}
