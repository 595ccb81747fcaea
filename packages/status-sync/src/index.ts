export {
  type ChargeRequest,
  type ChargeResult,
  type Charging,
  type SyncService,
  statusGateOnly,
} from './charging.js';
export {
  type ContainerBody,
  type ContainerCodec,
  type ContainerHeader,
  type ContainerKind,
  type OpenedContainer,
  type OpenResult,
  type Receipt,
  type RowResult,
  type SealInput,
  type SyncRow,
  wholeContainer,
} from './container.js';
export {
  asLifecycleViolation,
  describeStatusSyncError,
  StatusSyncError,
  type StatusSyncErrorCode,
  statusSyncErrorCodes,
} from './errors.js';
export {
  type CheckedFilter,
  checkFilter,
  compileFilter,
  defaultFilterLimits,
  type FilterCondition,
  type FilterError,
  type FilterErrorCode,
  type FilterLimits,
  type FilterOperator,
  type FilterOrder,
  filterErrorCodes,
  filterOperators,
  type ImportFilter,
} from './filter.js';
export { outboxSource } from './outbox-source.js';
export {
  accountRefusals,
  describeReason,
  isAccountRefusal,
  parseReason,
  type RejectionReason,
  rejectionReasons,
} from './reasons.js';
export { createSdcCodec, type SdcCodecOptions, tableRegistry } from './sdc-codec.js';
export {
  type ApplyOutcome,
  type ApplyStatus,
  createServerSync,
  type RestrictedTable,
  type SequenceGap,
  type ServerStep,
  type ServerSync,
  type ServerSyncOptions,
  serverSteps,
} from './server.js';
export { createServerSigners, type ServerSigners, serverRecipients } from './server-signers.js';
export {
  type AccountHold,
  type AppliedReceipt,
  createSiteSync,
  type ExportBatch,
  type OutboxItem,
  type ReceiveOutcome,
  type Rejection,
  type RetryPolicy,
  type SealedContainer,
  type SiteStep,
  type SiteSync,
  type SiteSyncOptions,
  siteSteps,
} from './site.js';
