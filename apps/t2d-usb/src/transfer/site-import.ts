import type { SiteDatabase } from '@xmcomm/schema';
import type { SiteSync } from '@xmcomm/status-sync';
import type { Kysely } from 'kysely';
import type { MediumLimits } from '../medium/limits.js';
import type { ManifestVerifier } from '../medium/manifest.js';
import { type MediumIssue, readMedium } from '../medium/read-medium.js';
import type { ProgressListener } from './progress.js';

export interface SiteImportOptions {
  db: Kysely<SiteDatabase>;
  sync: SiteSync;
  medium: string;
  matricule: string;
  serverMatricule: string;
  /** Checks the server's manifest signatures. */
  verifier: ManifestVerifier;
  limits?: Partial<MediumLimits>;
  onProgress?: ProgressListener;
}

export interface SiteImportSummary {
  containers: number;
  applied: { receipt: number; 'import-response': number; control: number; other: number };
  /** Already received (from this medium earlier, or over the network). */
  duplicates: number;
  /** Containers the codec or status-sync refused, by reason. */
  refused: Record<string, number>;
  rowsAccepted: number;
  rowsRejected: number;
  /** Rows the server refused for the site's account (credit, status): still validated, they wait to go again. */
  rowsHeld: number;
  /** Outbox items still waiting for their receipt after this import. */
  stillWaiting: number;
  issues: MediumIssue[];
}

/** Applies the receipts and import responses the server wrote for this site; skips whatever fails the checks. */
export async function importFromMedium(options: SiteImportOptions): Promise<SiteImportSummary> {
  const read = await readMedium({
    medium: options.medium,
    recipient: options.matricule,
    senders: [options.serverMatricule],
    verifier: options.verifier,
    ...(options.limits ? { limits: options.limits } : {}),
    onProgress: (done, total) => options.onProgress?.('checking', done, total),
  });
  const summary: SiteImportSummary = {
    containers: read.containers.length,
    applied: { receipt: 0, 'import-response': 0, control: 0, other: 0 },
    duplicates: 0,
    refused: {},
    rowsAccepted: 0,
    rowsRejected: 0,
    rowsHeld: 0,
    stillWaiting: 0,
    issues: read.issues,
  };
  let done = 0;
  for (const container of read.containers) {
    const outcome = await options.sync.receive(container.bytes);
    if (outcome.status === 'applied') {
      const kind =
        outcome.kind === 'receipt' || outcome.kind === 'import-response' || outcome.kind === 'control'
          ? outcome.kind
          : 'other';
      summary.applied[kind] += 1;
      summary.rowsAccepted += outcome.accepted;
      summary.rowsRejected += outcome.rejected;
      summary.rowsHeld += outcome.held;
    } else if (outcome.status === 'duplicate') summary.duplicates += 1;
    else summary.refused[outcome.reason] = (summary.refused[outcome.reason] ?? 0) + 1;
    done += 1;
    options.onProgress?.('applying', done, read.containers.length);
  }
  const waiting = await options.db
    .selectFrom('xm_site.outbox')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('state', 'in', ['pending', 'sent'])
    .executeTakeFirstOrThrow();
  summary.stillWaiting = Number(waiting.count);
  return summary;
}
