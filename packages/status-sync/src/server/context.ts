import { type AnyTable, exchangedTables, type ServerDatabase } from '@xmcomm/schema';
import type { ControlledTransaction, Kysely } from 'kysely';
import type { Charging } from '../charging.js';
import type { ContainerCodec } from '../container.js';
import { defaultFilterLimits, type FilterLimits } from '../filter.js';
import { createTurns, type Turns } from './turns.js';
import type { RestrictedTable, ServerStep, ServerSyncOptions } from './types.js';

/**
 * What every part of the server reads: the options with their defaults filled in, and this
 * server's turns. Made once by createServerSync and passed first (as a Kysely `db` is), so that
 * each module is a set of plain functions that can be read and tested alone.
 */
export interface ServerContext {
  readonly db: Kysely<ServerDatabase>;
  readonly codec: ContainerCodec;
  /** The server's own matricule, the sender of its replies. */
  readonly serverMatricule: string;
  /** The exchanged tables this server accepts. */
  readonly tables: readonly AnyTable[];
  readonly charging: Charging;
  /** Containers created longer ago than this are replays. */
  readonly maxAgeMs: number;
  /** How far in the future a container's creation time may be (clock skew). */
  readonly maxSkewMs: number;
  /** Rows per import-response container. */
  readonly importPageRows: number;
  readonly filterLimits: FilterLimits;
  readonly restrictedTables: Readonly<Record<string, RestrictedTable>>;
  readonly now: () => Date;
  /** The options' onStep hook, awaited between steps (crash tests). */
  readonly step: (name: ServerStep, containerId: string) => Promise<void>;
  readonly turns: Turns;
}

export type Trx = ControlledTransaction<ServerDatabase>;

const dayMs = 86_400_000;

export function createServerContext(options: ServerSyncOptions): ServerContext {
  return {
    db: options.db,
    codec: options.codec,
    serverMatricule: options.serverMatricule,
    tables: options.tables ?? (exchangedTables as readonly AnyTable[]),
    charging: options.charging,
    maxAgeMs: options.maxAgeMs ?? 30 * dayMs,
    maxSkewMs: options.maxSkewMs ?? 5 * 60_000,
    importPageRows: options.importPageRows ?? 500,
    filterLimits: options.filterLimits ?? defaultFilterLimits,
    restrictedTables: options.restrictedTables ?? {},
    now: options.now ?? (() => new Date()),
    step: async (name, id) => {
      await options.onStep?.(name, id);
    },
    turns: createTurns(),
  };
}
