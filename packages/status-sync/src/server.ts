import { applyBatch } from './server/apply-batch.js';
import { applyContainer } from './server/apply-one.js';
import { createServerContext } from './server/context.js';
import { pushAccount, pushMessage, pushProfile, pushTrustList } from './server/pushes.js';
import { sequenceGaps } from './server/sequence-gaps.js';

// The public face of the server's side; its parts are in server/, one concept each (README, "Code").

import type { ServerSync, ServerSyncOptions } from './server/types.js';

export * from './server/types.js';

export function createServerSync(options: ServerSyncOptions): ServerSync {
  const context = createServerContext(options);
  return {
    applyContainer: (bytes) => applyContainer(context, bytes),
    applyBatch: (containers) => applyBatch(context, containers),
    pushAccount: (matricule) => pushAccount(context, matricule),
    pushProfile: (matricule) => pushProfile(context, matricule),
    pushMessage: (matricule, text) => pushMessage(context, matricule, text),
    pushTrustList: (matricule, trustList) => pushTrustList(context, matricule, trustList),
    sequenceGaps: (matricule) => sequenceGaps(context, matricule),
  };
}
