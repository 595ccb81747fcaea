import type { AnyTable, ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import type { Charging } from '../charging.js';
import type { ContainerCodec } from '../container.js';
import type { FilterLimits } from '../filter.js';

// The public types of the server's side, apart from its factory so that its modules import them without a cycle.

/** The points between the steps of an apply, where tests inject crashes. */
export const serverSteps = ['opened', 'rows-inserted', 'charged', 'logged', 'committed'] as const;
export type ServerStep = (typeof serverSteps)[number];

export interface ServerSyncOptions {
  readonly db: Kysely<ServerDatabase>;
  readonly codec: ContainerCodec;
  /** The server's own matricule, the sender of its replies. */
  readonly serverMatricule: string;
  /** The exchanged tables this server accepts (the civil registration tables by default). */
  readonly tables?: readonly AnyTable[];
  /**
   * Tables received from and answered to only a client at status 3 that the operator granted a
   * service (`clients.services`), by table name. An import of one needs an access request first (a
   * control message saying who asks and why, logged in `xm_system.access_requests`) and equality
   * conditions on `identifying` fields, at most `maxRows` rows.
   */
  readonly restrictedTables?: Readonly<Record<string, RestrictedTable>>;
  /**
   * Status gate and charging: `syncCharging(actor)` of @xmcomm/billing on a real server. Required, so
   * that a server cannot bill nothing by forgetting it; `statusGateOnly` (the status rules, nothing
   * charged) is there for tests and demos that mean it.
   */
  readonly charging: Charging;
  /** Containers created longer ago than this are replays (default 30 days). */
  readonly maxAgeMs?: number;
  /** How far in the future a container's creation time may be (clock skew, default 5 minutes). */
  readonly maxSkewMs?: number;
  /** Rows per import-response container (default 500). */
  readonly importPageRows?: number;
  readonly filterLimits?: FilterLimits;
  readonly now?: () => Date;
  /** Called between steps; a hook that throws aborts the apply there (crash tests). */
  readonly onStep?: (step: ServerStep, containerId: string) => void | Promise<void>;
}

export interface RestrictedTable {
  /** The service a client needs (`juris`). */
  readonly service: string;
  /** Fields an import request must fix with `=` or `in` (the identity of one person). */
  readonly identifying: readonly string[];
  /** At most this many values in an `in` on an identifying field (a name's spellings; one person's entries). */
  readonly maxValues: number;
  /** At most this many rows answered to one request. */
  readonly maxRows: number;
}

export type ApplyStatus = 'applied' | 'duplicate' | 'refused';

export interface ApplyOutcome {
  /** applied: new and answered; duplicate: seen before, same answer; refused: no usable container. */
  readonly status: ApplyStatus;
  readonly containerId: string | null;
  readonly sender: string | null;
  /** The containers to send back to the sender, in order (a receipt first). Empty when refused. */
  readonly replies: readonly Uint8Array[];
  readonly accepted: number;
  readonly rejected: number;
  /** Why a container was refused or rejected as a whole. */
  readonly reason: string | null;
}

export interface SequenceGap {
  readonly from: number;
  readonly to: number;
}

export interface ServerSync {
  /** Decodes, verifies, applies and answers one container, exactly once in effect. */
  applyContainer(bytes: Uint8Array): Promise<ApplyOutcome>;
  /**
   * Applies several containers: one outcome per container, in order, each the one `applyContainer`
   * would have given (same replies, duplicates, replays, refusals, charges and log), with the
   * database work of the rows containers done in a few statements and one transaction. Import
   * requests and control messages go through `applyContainer`'s path after that transaction.
   */
  applyBatch(containers: readonly Uint8Array[]): Promise<ApplyOutcome[]>;
  /** A container telling a site its account state and profile (when they change). Null if the site may not receive it. */
  pushAccount(matricule: string): Promise<Uint8Array | null>;
  /** A container giving a site its profile as the register holds it. Null if the site may not receive it. */
  pushProfile(matricule: string): Promise<Uint8Array | null>;
  /** A container carrying an operator's text message to a site. Null if the site may not receive it. */
  pushMessage(matricule: string, text: string): Promise<Uint8Array | null>;
  /**
   * A container carrying the documents trust list (its number and text armour) to a site, which
   * keeps the newest. Null if the site may not receive it.
   */
  pushTrustList(
    matricule: string,
    trustList: { readonly sequence: number; readonly text: string },
  ): Promise<Uint8Array | null>;
  /** Missing sequence numbers of a sender, for the monitor. */
  sequenceGaps(matricule: string): Promise<readonly SequenceGap[]>;
}
