import type { SiteSync } from '@xmcomm/status-sync';
import type { ManifestSigner } from '../medium/manifest.js';
import { writeBatch } from '../medium/write-batch.js';
import type { ProgressListener } from './progress.js';

export interface SiteExportOptions {
  sync: SiteSync;
  medium: string;
  matricule: string;
  serverMatricule: string;
  signer: ManifestSigner;
  /** Seal validated rows into new outbox items first (default true). */
  seal?: boolean;
  onProgress?: ProgressListener;
}

export interface SiteExportSummary {
  /** Outbox items made from validated rows just now. */
  sealed: number;
  /** Outbox items put on the medium: every item still waiting for its receipt. */
  items: number;
  rows: number;
  written: number;
  alreadyPresent: number;
  removedTemporary: number;
  batchId: string | null;
  manifest: string | null;
}

/**
 * Writes every outbox item addressed to the server that has no receipt yet onto the medium, as one
 * signed batch. Items stay in the outbox, marked sent: only a receipt (by medium or network) clears
 * them, so a lost stick loses nothing.
 */
export async function exportToMedium(options: SiteExportOptions): Promise<SiteExportSummary> {
  const { sync } = options;
  let sealed = 0;
  if (options.seal ?? true) {
    options.onProgress?.('sealing', 0, 1);
    sealed = (await sync.exportRows()).length;
    options.onProgress?.('sealing', 1, 1);
  }
  // Every unacknowledged item, not only those due: the stick may be the only way out for days, and
  // re-sending an item the server already has costs one duplicate receipt, never a duplicate row.
  const items = await sync.pendingItems();
  const summary: SiteExportSummary = {
    sealed,
    items: items.length,
    rows: items.reduce((sum, item) => sum + item.rowCount, 0),
    written: 0,
    alreadyPresent: 0,
    removedTemporary: 0,
    batchId: null,
    manifest: null,
  };
  if (items.length === 0) return summary;
  const batch = await writeBatch({
    medium: options.medium,
    sender: options.matricule,
    recipient: options.serverMatricule,
    containers: items.map((item) => item.payload),
    signer: options.signer,
    onProgress: (done, total) => options.onProgress?.('writing', done, total),
  });
  for (const item of items) await sync.markSent(item.id);
  return {
    ...summary,
    written: batch.written,
    alreadyPresent: batch.alreadyPresent,
    removedTemporary: batch.removedTemporary,
    batchId: batch.batchId,
    manifest: batch.manifest,
  };
}
