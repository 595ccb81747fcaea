export type { ClientRef } from './accounts.js';
export { type Allowance, type AllowanceInput, allowance } from './allowance.js';
export {
  type ChargeContainerInput,
  type ChargeResult,
  chargeContainer,
  chargeContainers,
} from './charge.js';
export { csvCell, csvLine } from './csv.js';
export type { BillingConnection, BillingDatabase } from './database.js';
export {
  checkClientLimit,
  checkUserLimit,
  type EditionLimits,
  editionLimits,
  freeEdition,
  type LimitCheck,
  type RegisterClientInput,
  type RegisterClientResult,
  registerClient,
} from './editions.js';
export { BillingError, type BillingErrorCode, billingErrorCodes, describeBillingError } from './errors.js';
export { chargePeriodicFees, type PeriodicFeesResult } from './fees.js';
export {
  type AdjustInput,
  adjust,
  type Balance,
  balanceOf,
  type CreditInput,
  credit,
  type LedgerCheck,
  type LedgerEntry,
  type LedgerResult,
  type RefundInput,
  refund,
  setOverdraftLimit,
  verifyLedger,
} from './ledger.js';
export {
  isExpired,
  type Licence,
  type LicenceResult,
  licencePrefix,
  maximumClientLimit,
  minimumClientLimit,
  type VerifyLicenceOptions,
  verifyLicence,
} from './licence.js';
export { type Period, periodStart } from './periods.js';
export { publisherPublicKey } from './publisher-key.js';
export {
  type Invoice,
  type InvoiceLine,
  type InvoiceResult,
  invoice,
  invoiceToCsv,
  type Statement,
  type StatementClient,
  type StatementInput,
  type StatementResult,
  statement,
  statementToCsv,
} from './statements.js';
export {
  describeRefusal,
  type GateResult,
  isService,
  mayUse,
  type RefusalReason,
  refusalReasons,
  type Service,
  services,
} from './status-gate.js';
export { type SyncChargeRequest, syncCharging } from './sync-charging.js';
export {
  endTariff,
  listTariffs,
  type QuotaInput,
  removeQuota,
  setQuota,
  setTariff,
  type Tariff,
  type TariffInput,
  type TariffRef,
} from './tariffs.js';
