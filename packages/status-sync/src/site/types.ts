import type { AnyTable, SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import type { ContainerBody, ContainerCodec } from '../container.js';
import type { FilterError, ImportFilter } from '../filter.js';

// The public types of the site's side, apart from its factory so that its modules import them without a cycle.

/** The points between the steps of an export or of applying a received container (crash tests). */
export const siteSteps = [
  'export:selected',
  'export:sealed',
  'export:outbox-written',
  'export:rows-marked',
  'export:committed',
  'receive:stored',
  'receive:applied',
  'receive:committed',
] as const;
export type SiteStep = (typeof siteSteps)[number];

export interface RetryPolicy {
  /** Wait before the first re-send of an unacknowledged item (default 30 s). */
  readonly initialMs: number;
  /** Longest wait between re-sends (default 1 hour). */
  readonly maxMs: number;
  /** Each wait is the previous one times this (default 2). */
  readonly factor: number;
  /** Random spread, 0-1, so that many sites do not re-send at the same instant (default 0.2). */
  readonly jitter: number;
}

export interface SiteSyncOptions {
  readonly db: Kysely<SiteDatabase>;
  readonly codec: ContainerCodec;
  /** This site's matricule: the sender of its containers. */
  readonly matricule: string;
  /** The server's matricule: the only sender whose containers this site accepts. */
  readonly serverMatricule: string;
  readonly tables?: readonly AnyTable[];
  /** At most this many rows per container (default 50; one for a row per SDC). */
  readonly maxRows?: number;
  /** At most this many bytes per container (default 64 KiB; small on a satellite link). */
  readonly maxBytes?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly now?: () => Date;
  readonly random?: () => number;
  readonly onStep?: (step: SiteStep) => void | Promise<void>;
  /**
   * Called inside the export transaction, after the rows are marked sealed and before the commit,
   * so that what the application records about the export (an act's history) commits with it or
   * not at all.
   */
  readonly onSealed?: (trx: Kysely<SiteDatabase>, sealed: SealedContainer) => Promise<void>;
  /** Likewise inside the transaction that applies a receipt to the rows of a container. */
  readonly onReceipt?: (trx: Kysely<SiteDatabase>, receipt: AppliedReceipt) => Promise<void>;
}

export interface AppliedReceipt {
  readonly containerId: string;
  readonly table: string;
  /** Rows now at 4. */
  readonly exported: readonly number[];
  /** Rows back at 1, with the server's reason: the row itself must be corrected. */
  readonly rejected: readonly { numero: number; reason: string; detail: string | null }[];
  /** Rows back at 2 (still validated), refused for the account's sake: they wait for `hold` to lift. */
  readonly held: readonly { numero: number; reason: string; detail: string | null }[];
}

/**
 * The server refused the site's account (credit, status, quota): rows are not exported until the
 * server says the account allows it again (an account message with status 3, pushed when the
 * operator changes the status or credits the account, or the answer to `requestAccount`).
 */
export interface AccountHold {
  readonly reason: string;
  readonly detail: string | null;
  readonly since: Date;
  /** The container whose receipt said so. */
  readonly containerId: string;
}

export interface SealedContainer {
  readonly outboxId: number;
  readonly containerId: string;
  readonly table: string;
  readonly numeros: readonly number[];
}

export interface OutboxItem {
  readonly id: number;
  readonly containerId: string;
  readonly kind: string;
  readonly tableName: string | null;
  readonly rowCount: number;
  readonly attempts: number;
  readonly payload: Uint8Array;
}

export type ReceiveOutcome =
  | {
      readonly status: 'applied';
      readonly kind: ContainerBody['kind'];
      readonly accepted: number;
      readonly rejected: number;
      /** Rows of a receipt held back, still validated, because the server refused the site's account. */
      readonly held: number;
      /** For an import response with more rows to come: the cursor to ask for the next page with. */
      readonly cursor?: string | null;
    }
  | { readonly status: 'duplicate' }
  | { readonly status: 'refused'; readonly reason: string };

export interface Rejection {
  readonly table: string;
  readonly numero: number;
  readonly reason: string;
  readonly detail: string | null;
  readonly containerId: string;
  readonly rejectedAt: Date;
}

/** Container limits for one export. */
export interface ExportBatch {
  readonly maxRows?: number;
  readonly maxBytes?: number;
  /** Stop after this many containers (the rest wait for the next call): a site sends the first while it seals the next. */
  readonly maxContainers?: number;
}

export interface SiteSync {
  /**
   * Seals the validated rows of the given tables (all by default) into outbox items. Returns their ids.
   * `batch` overrides the site's `maxRows` and `maxBytes` for this export (a site that sizes its
   * containers for its link: `@xmcomm/site-kit`'s batching).
   */
  exportRows(tableNames?: readonly string[], batch?: ExportBatch): Promise<number[]>;
  /** Items due for sending (never sent, or unacknowledged past their retry time), oldest first. */
  nextItems(limit?: number): Promise<OutboxItem[]>;
  /**
   * A transport handed the item over; it stays in the outbox until its receipt, and is re-sent later
   * with backoff. `resendAfterMs` replaces the retry policy's first wait for this item (a large
   * container on a slow link waits longer for its receipt); later waits grow from it.
   */
  markSent(id: number, error?: string, resendAfterMs?: number): Promise<void>;
  /**
   * A container from the server: receipts, import responses, account and profile, and the
   * operators' text messages (kept in `xm_site.messages`).
   */
  receive(bytes: Uint8Array): Promise<ReceiveOutcome>;
  /** Queues an import request; the filter is checked here first, and again by the server. */
  requestImport(filter: ImportFilter): Promise<{ ok: true; id: number } | { ok: false; error: FilterError }>;
  /** Queues an account or profile request. */
  requestAccount(what: 'account' | 'profile'): Promise<number>;
  /**
   * Queues a control message for the server (`{ type: 'password-change', passwordHash }`, ...). The
   * server answers with a receipt (accepted, or refused with a reason) and, for a password change, a
   * `password-change-reply` control message. Returns the outbox item's id.
   */
  requestControl(message: Readonly<Record<string, unknown>>): Promise<number>;
  /**
   * Every item still waiting for its receipt, whatever its retry time, oldest first: what a carrier
   * that takes everything at once (a USB stick) should carry. Use `nextItems` for a live link.
   */
  pendingItems(limit?: number): Promise<OutboxItem[]>;
  /** Rows the server refused and that have not been sealed again, with the server's reason. */
  rejections(table?: string): Promise<Rejection[]>;
  /** Why rows are held back from export, or null when they go. */
  hold(): Promise<AccountHold | null>;
  /** The newest documents trust list the server sent, or null before the first. */
  trustList(): Promise<HeldTrustList | null>;
}

/** A documents trust list as the server sent it: verify it (`@xmcomm/documents`) before use. */
export interface HeldTrustList {
  readonly sequence: number;
  /** Its text armour, as `xmserver trust-list export` wrote it. */
  readonly text: string;
  readonly receivedAt: Date;
}
