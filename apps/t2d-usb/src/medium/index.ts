// A directory of containers with signed batch manifests: nothing here knows SDC internals, a
// database or a transport, so an e-mail or file-drop transport can reuse it as it is.

export { ensureDirectory, fsyncDirectory, writeDurably } from '@xmcomm/mail-transport';
export { canonicalJson } from './canonical-json.js';
export {
  batchDirectory,
  CONTAINER_NAME,
  isValidParty,
  LAYOUT_VERSION,
  layoutRoot,
  MANIFEST_NAME,
  MEDIUM_ROOT,
  TEMPORARY_PREFIX,
} from './layout.js';
export { DEFAULT_MEDIUM_LIMITS, type MediumLimits } from './limits.js';
export {
  keyIdOf,
  keyManifestSigner,
  MANIFEST_FORMAT,
  MANIFEST_PROBLEMS,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestFile,
  type ManifestProblem,
  type ManifestProblemCode,
  type ManifestSignature,
  type ManifestSigner,
  type ManifestVerifier,
  manifestBytes,
  parseSignedManifest,
  publicKeyVerifier,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm,
  type SignedManifest,
  type VerifyInput,
} from './manifest.js';
export {
  MEDIUM_ISSUE_DETAILS,
  MEDIUM_ISSUE_KINDS,
  type MediumBatch,
  type MediumContainer,
  type MediumIssue,
  type MediumIssueDetail,
  type MediumIssueDetailCode,
  type MediumIssueKind,
  type ReadMediumOptions,
  type ReadMediumResult,
  readMedium,
} from './read-medium.js';
export { type WriteBatchOptions, type WriteBatchResult, writeBatch } from './write-batch.js';
