export {
  type Backoff,
  type BackoffOptions,
  createBackoff,
  type RandomSource,
  seededRandom,
} from './backoff.js';
export {
  type AccountAction,
  type AccountChange,
  type AccountOutcome,
  type AccountSpec,
  planAccount,
  planRole,
  serverAcls,
  serverRoleName,
  siteAccount,
  siteAcls,
  siteRoleName,
  testAccountName,
  testAcls,
  testTopic,
  testTopicFilter,
} from './broker-accounts.js';
export { type BrokerTestOptions, type BrokerTestReport, testBroker } from './broker-test.js';
export type { BrokerOptions } from './connection.js';
export {
  createDynamicSecurityConfig,
  DynamicSecurityAdmin,
  type ProvisionOptions,
} from './dynamic-security.js';
export type {
  Acl,
  AclType,
  BrokerClient,
  BrokerRole,
  DynamicSecurityCommand,
  DynamicSecurityResponse,
} from './dynamic-security-protocol.js';
export {
  type EmbeddedBroker,
  type EmbeddedBrokerAccess,
  type EmbeddedBrokerOptions,
  startEmbeddedBroker,
} from './embedded-broker.js';
export {
  describeReasonCode,
  describeTransportError,
  TRANSPORT_ERROR_CODES,
  TransportError,
  type TransportErrorCode,
} from './errors.js';
export type { ContainerHandler, InboxSink, OutboxItem, OutboxSource } from './interfaces.js';
export { InMemoryInbox, InMemoryOutbox } from './memory.js';
export { redactedUrl } from './redacted-url.js';
export {
  ServerTransport,
  type ServerTransportEvents,
  type ServerTransportOptions,
} from './server-transport.js';
export {
  SiteTransport,
  type SiteTransportEvents,
  type SiteTransportOptions,
  type SiteTransportState,
} from './site-transport.js';
export {
  downTopic,
  parseUpTopic,
  type Result,
  sharedUpSubscription,
  upTopic,
  upWildcard,
  validateName,
} from './topics.js';
