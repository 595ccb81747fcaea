import { createSiteContext, withBatch } from './site/context.js';
import { exportRows } from './site/export.js';
import { markSent, nextItems, pendingItems } from './site/outbox.js';
import { rejections } from './site/receipts.js';
import { receive } from './site/receive.js';
import { requestAccount, requestControl, requestImport } from './site/requests.js';
import { hold, trustList } from './site/settings.js';

// The public face of a site's side; its parts are in site/, one concept each (README, "Code").

import type { SiteSync, SiteSyncOptions } from './site/types.js';

export * from './site/types.js';

export function createSiteSync(options: SiteSyncOptions): SiteSync {
  const context = createSiteContext(options);
  return {
    exportRows: (tableNames, batch) =>
      exportRows(batch ? withBatch(context, batch) : context, tableNames, batch?.maxContainers),
    nextItems: (limit) => nextItems(context, limit),
    pendingItems: (limit) => pendingItems(context, limit),
    markSent: (id, error, resendAfterMs) => markSent(context, id, error, resendAfterMs),
    receive: (bytes) => receive(context, bytes),
    requestImport: (filter) => requestImport(context, filter),
    requestAccount: (what) => requestAccount(context, what),
    requestControl: (message) => requestControl(context, message),
    rejections: (table) => rejections(context, table),
    hold: () => hold(context),
    trustList: () => trustList(context),
  };
}
