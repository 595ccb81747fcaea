export type { SealContent } from './claims.js';
export { CLAIM_169, CLAIM_169_FIELDS, CLAIM_XM_DOCUMENT } from './claims.js';
export { keyIdentifier } from './cose.js';
export type { DocumentsErrorCode, DocumentsErrorOptions } from './errors.js';
export { DOCUMENTS_ERROR_CODES, DocumentsError, describeDocumentsError } from './errors.js';
export type { Formatter, Language, Placeholder, ValueLabels } from './format.js';
export { dateInWords, FORMATTERS, LANGUAGES, parsePlaceholder } from './format.js';
export type { IssuedDocument, IssueOptions } from './issue.js';
export { issueDocument, sealContentOf } from './issue.js';
export type { QrSize } from './qr.js';
export { qrSizeOf } from './qr.js';
export type { DocumentData, FormatOptions, RenderOptions } from './render.js';
export { fillPlaceholders, formatOptionsOf, renderPdf } from './render.js';
export type { PdfScanOptions } from './scan.js';
export { readQrFromImage, readQrFromPdf } from './scan.js';
export type { OpenedSeal, OpenSealResult, SealSigner } from './seal.js';
export { createSeal, openSeal, SEAL_PREFIX } from './seal.js';
export type { SealSource } from './seal-input.js';
export { readSealInput } from './seal-input.js';
export { SEAL_REPORT_WORDS, sealReportLines } from './seal-report.js';
export type {
  Align,
  Block,
  ColumnsBlock,
  ImageBlock,
  SealBlock,
  SpacerBlock,
  TableBlock,
  Template,
  TextBlock,
} from './template.js';
export { checkTemplate, parseTemplate, TEMPLATE_FORMAT } from './template.js';
export type { DefaultTemplateId } from './template-file.js';
export {
  DEFAULT_TEMPLATE_FOLDER,
  DEFAULT_TEMPLATES,
  defaultTemplatePath,
  loadTemplateFile,
} from './template-file.js';
export type {
  TrustedSealer,
  TrustList,
  TrustListContent,
  TrustListRevocation,
  TrustListSigner,
  TrustListSigningKey,
} from './trust-list.js';
export {
  acceptTrustList,
  createTrustList,
  readTrustList,
  TRUST_LIST_VERSION,
  trustListToText,
} from './trust-list.js';
export type { VerifierPageOptions } from './verifier-page.js';
export { verifierPageHtml } from './verifier-page.js';
export type { SealInvalidReason, SealVerification, VerifySealOptions } from './verify.js';
export { describeSealVerification, SEAL_INVALID_REASONS, verifySeal } from './verify.js';
