// The payload (docs/sdc-format.md §4): what the rest of the codec and the package index import.
export {
  decodeOpenedPayload,
  decodePayload,
  decodePayloadHeader,
  encodePayload,
  openPayload,
  type Payload,
  type PayloadBody,
  type PayloadInput,
  type PayloadOptions,
} from './codec.js';
export { FILTER_OPERATORS, type FilterOperator, type FilterOrder, type ImportFilter } from './filters.js';
export {
  type OpenedPayload,
  PAYLOAD_KINDS,
  PAYLOAD_VERSION,
  type PayloadHeader,
  type PayloadHeaderInput,
  type PayloadKind,
} from './header.js';
export type { Receipt, ReceiptResult } from './receipts.js';
export type { Row } from './row.js';
export { buildRowFactories } from './row-factories.js';
