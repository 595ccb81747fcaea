import { parseReason, type ServerSync } from '@xmcomm/status-sync';
import type { MediumLimits } from '../medium/limits.js';
import type { ManifestSigner, ManifestVerifier } from '../medium/manifest.js';
import { type MediumIssue, readMedium } from '../medium/read-medium.js';
import { writeBatch } from '../medium/write-batch.js';
import type { ProgressListener } from './progress.js';

export interface ServerIngestOptions {
  sync: ServerSync;
  medium: string;
  serverMatricule: string;
  /** Checks the sites' manifest signatures. */
  verifier: ManifestVerifier;
  /** Signs the reply batches written back for the sites. */
  signer: ManifestSigner;
  limits?: Partial<MediumLimits>;
  onProgress?: ProgressListener;
}

export interface ReplyBatch {
  site: string;
  replies: number;
  written: number;
  alreadyPresent: number;
  manifest: string;
}

export interface ServerIngestSummary {
  containers: number;
  /** New containers applied (some of their rows may still be rejected: see rowsRejected). */
  applied: number;
  /** Seen before (this medium ingested earlier, or the same container over MQTT): answered again, applied once. */
  duplicates: number;
  /** Containers that could not be opened or trusted, by reason. */
  refused: Record<string, number>;
  /** Containers answered with a whole-container rejection because they are replays (too old, sequence reused). */
  replays: number;
  /**
   * Other containers answered with a whole-container rejection, by reason (`insufficient-credit`,
   * `quota-exceeded`, `service-not-allowed`, ...): nothing of them is stored, and their receipt takes
   * the reason back to the site, whose rows wait there for the next export.
   */
  rejected: Record<string, number>;
  rowsAccepted: number;
  rowsRejected: number;
  replyBatches: ReplyBatch[];
  issues: MediumIssue[];
}

/**
 * Applies every container on the medium addressed to this server through status-sync, then writes
 * the replies back on the same medium, one signed batch per site. Duplicates get the very answer
 * they got the first time, so a site that lost its receipts gets them again.
 */
export async function ingestMedium(options: ServerIngestOptions): Promise<ServerIngestSummary> {
  const read = await readMedium({
    medium: options.medium,
    recipient: options.serverMatricule,
    verifier: options.verifier,
    ...(options.limits ? { limits: options.limits } : {}),
    onProgress: (done, total) => options.onProgress?.('checking', done, total),
  });
  const summary: ServerIngestSummary = {
    containers: read.containers.length,
    applied: 0,
    duplicates: 0,
    refused: {},
    replays: 0,
    rejected: {},
    rowsAccepted: 0,
    rowsRejected: 0,
    replyBatches: [],
    issues: read.issues,
  };
  // Replies go to the sender the container proves (its CMS signer), not the folder it was found in.
  const replies = new Map<string, Uint8Array[]>();
  let done = 0;
  for (const container of read.containers) {
    const outcome = await options.sync.applyContainer(container.bytes);
    if (outcome.status === 'refused') {
      const reason = outcome.reason ?? 'unknown';
      summary.refused[reason] = (summary.refused[reason] ?? 0) + 1;
    } else {
      // A reason on an answered container is a verdict on the whole of it (see ApplyOutcome).
      const whole = outcome.reason === null ? null : parseReason(outcome.reason).code;
      if (outcome.status === 'duplicate') summary.duplicates += 1;
      else if (whole === 'replay') summary.replays += 1;
      else if (whole !== null) summary.rejected[whole] = (summary.rejected[whole] ?? 0) + 1;
      else summary.applied += 1;
      if (outcome.status === 'applied') {
        summary.rowsAccepted += outcome.accepted;
        summary.rowsRejected += outcome.rejected;
      }
      if (outcome.sender && outcome.replies.length > 0) {
        const list = replies.get(outcome.sender) ?? [];
        list.push(...outcome.replies);
        replies.set(outcome.sender, list);
      }
    }
    done += 1;
    options.onProgress?.('applying', done, read.containers.length);
  }
  for (const [site, containers] of replies) {
    const batch = await writeBatch({
      medium: options.medium,
      sender: options.serverMatricule,
      recipient: site,
      containers,
      signer: options.signer,
      onProgress: (written, total) => options.onProgress?.('writing', written, total),
    });
    summary.replyBatches.push({
      site,
      replies: containers.length,
      written: batch.written,
      alreadyPresent: batch.alreadyPresent,
      manifest: batch.manifest,
    });
  }
  return summary;
}
