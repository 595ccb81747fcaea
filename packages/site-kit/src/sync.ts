// `@xmcomm/site-kit/sync`: a site's synchronisation with the central server for the record types it
// declares. Apart from the main entry so that the kit's core does not load MQTT.

export {
  assumedLink,
  type Batch,
  type BatchSettings,
  chooseBatch,
  containerByteLimit,
  defaultBatchSettings,
  drainRate,
  type LinkEstimate,
  resendDelayMs,
  serverContainerLimits,
} from './batching.js';
export {
  createRecordSync,
  type ImportResponsePage,
  type RecordSync,
  type RecordSyncOptions,
} from './record-sync.js';
export { type BrokerSettings, createSiteLink, isLoginRefusal, type SiteLink } from './site-link.js';
export type { SyncAnswer, SyncEvent } from './sync-events.js';
