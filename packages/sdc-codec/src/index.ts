export { type Armor, armor, dearmor } from './armor.js';
export { type CertificateResolverOptions, createCertificateResolver } from './certificate-resolver.js';
export type { ContentCipher } from './cms/envelope-seal.js';
export type { CertificateInput, PrivateKeyInput } from './cms/keys.js';
export {
  createDecoder,
  createEncoder,
  type DecodedContainer,
  type DecoderOptions,
  decodeContainer,
  type EncoderOptions,
  encodeContainer,
  type RecipientIdentityOptions,
  type RecipientOptions,
  type SdcDecodeResult,
  type SdcDecoder,
  type SdcEncoder,
  type SignerOptions,
  type VerifiedHeader,
} from './container.js';
export type { ContractColumn, ContractColumnType, ContractTable, TableRegistry } from './contract.js';
export {
  type BuildDictionaryOptions,
  type BuiltDictionary,
  buildDictionary,
  type DictionaryBuildReport,
  type DictionarySample,
} from './dictionary-build.js';
export { describeSdcError, SDC_ERROR_CODES, SdcError, type SdcErrorCode, type SdcResult } from './errors.js';
export {
  CONTAINER_DAMAGES,
  type ContainerDamage,
  type ContainerDamageKind,
  type ContainerInspection,
  DECODE_COMMAND,
  INSPECTION_STEPS,
  type InspectionResult,
  type InspectionStep,
  inspectContainer,
  NOT_CHECKED_WITHOUT_KEY,
} from './inspect.js';
export { DEFAULT_LIMITS, type SdcLimits } from './limits.js';
export {
  decodePayload,
  decodePayloadHeader,
  encodePayload,
  FILTER_OPERATORS,
  type FilterOperator,
  type FilterOrder,
  type ImportFilter,
  PAYLOAD_KINDS,
  PAYLOAD_VERSION,
  type Payload,
  type PayloadBody,
  type PayloadHeader,
  type PayloadInput,
  type PayloadKind,
  type PayloadOptions,
  type Receipt,
  type ReceiptResult,
  type Row,
} from './payload/index.js';
export type { SignerCheck, SignerResolver, TrustedSigner } from './signer-resolver.js';
export { uuidv7 as createContainerId } from './uuid.js';
export type { SdcDictionary } from './vocabulary.js';
