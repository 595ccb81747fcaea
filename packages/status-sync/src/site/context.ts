import { type AnyTable, exchangedTables, type SiteDatabase } from '@xmcomm/schema';
import type { ControlledTransaction, Kysely } from 'kysely';
import type { ContainerCodec } from '../container.js';
import { StatusSyncError } from '../errors.js';
import type { RetryPolicy, SiteStep, SiteSyncOptions } from './types.js';

/**
 * What every part of the site reads: the options with their defaults filled in. Made once by
 * createSiteSync and passed first, so each module is plain functions that can be read alone.
 */
export interface SiteContext {
  readonly db: Kysely<SiteDatabase>;
  readonly codec: ContainerCodec;
  /** This site's matricule: the sender of its containers. */
  readonly matricule: string;
  /** The only sender whose containers this site accepts. */
  readonly serverMatricule: string;
  readonly tables: readonly AnyTable[];
  readonly maxRows: number;
  readonly maxBytes: number;
  readonly retry: RetryPolicy;
  readonly now: () => Date;
  readonly random: () => number;
  /** The options' onStep hook, awaited between steps (crash tests). */
  readonly step: (name: SiteStep) => Promise<void>;
  readonly onSealed: SiteSyncOptions['onSealed'];
  readonly onReceipt: SiteSyncOptions['onReceipt'];
}

export type Trx = ControlledTransaction<SiteDatabase>;
// biome-ignore lint/suspicious/noExplicitAny: exchanged tables are chosen at run time from the contract
export type Untyped = Kysely<any>;

// The schema types defaulted timestamps as Generated<ColumnType<Date, ...>>, which Kysely does not
// unwrap; values are plain Dates at run time.
export const timestampValue = (date: Date) => date as never;

export function createSiteContext(options: SiteSyncOptions): SiteContext {
  return {
    db: options.db,
    codec: options.codec,
    matricule: options.matricule,
    serverMatricule: options.serverMatricule,
    tables: options.tables ?? (exchangedTables as readonly AnyTable[]),
    maxRows: options.maxRows ?? 50,
    maxBytes: options.maxBytes ?? 64 * 1024,
    retry: {
      initialMs: 30_000,
      maxMs: 3_600_000,
      factor: 2,
      jitter: 0.2,
      ...options.retry,
    },
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    step: async (name) => {
      await options.onStep?.(name);
    },
    onSealed: options.onSealed,
    onReceipt: options.onReceipt,
  };
}

/** The context with one export's container limits (each at least 1 row, 1 KiB). */
export function withBatch(ctx: SiteContext, batch: { maxRows?: number; maxBytes?: number }): SiteContext {
  return {
    ...ctx,
    maxRows: Math.max(1, Math.floor(batch.maxRows ?? ctx.maxRows)),
    maxBytes: Math.max(1024, Math.floor(batch.maxBytes ?? ctx.maxBytes)),
  };
}

/** An exchanged table of this site's contract, by name. */
export function tableNamed(ctx: SiteContext, name: string): AnyTable {
  const table = ctx.tables.find((t) => t.name === name && t.kind === 'exchanged');
  if (!table) throw new StatusSyncError('unknown-table', name);
  return table;
}
