import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';

/** The services status-sync asks the billing gate about (the names @xmcomm/billing uses). */
export type SyncService = 'sds-export' | 'sds-import' | 'account-query' | 'profile-query';

export interface ChargeRequest {
  readonly clientId: number;
  readonly matricule: string;
  readonly service: 'sds-export' | 'sds-import';
  readonly table: string;
  /** Keys of the rows actually stored (their origin numero) or returned (their numero): never charged twice. */
  readonly rows: readonly number[];
  /** The container's size as received, for per-volume tariffs. */
  readonly bytes: number;
  readonly containerId: string;
}

export type ChargeResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason:
        | 'insufficient-credit'
        | 'quota-exceeded'
        | 'suspended'
        | 'service-not-allowed'
        | 'unknown-client';
    };

/**
 * What status-sync needs from billing (`@xmcomm/billing`'s `mayUse` and `chargeContainer` fit it:
 * see the README), as a structural interface so that either package can land
 * first; `@xmcomm/billing` provides the real gate and ledger. `charge` runs inside the apply
 * transaction: if the apply fails later, the charge is rolled back with it.
 */
export interface Charging {
  mayUse(
    clientStatus: number,
    service: SyncService,
  ): { readonly ok: true } | { readonly ok: false; readonly reason: 'suspended' | 'service-not-allowed' };
  charge(trx: Kysely<ServerDatabase>, request: ChargeRequest): Promise<ChargeResult>;
  /**
   * Charges several containers in one go, inside the batch's transaction (`applyBatch`): one result
   * per request, in order, each what `charge` would have given had the requests been charged one after
   * another. A refused request must write nothing (the others stand). Without it, `applyBatch` calls
   * `charge` once per request.
   */
  chargeBatch?(trx: Kysely<ServerDatabase>, requests: readonly ChargeRequest[]): Promise<ChargeResult[]>;
  /** The account as a site may see it (balance, currency, ...), for account queries and pushes. */
  accountState?(db: Kysely<ServerDatabase>, clientId: number): Promise<Readonly<Record<string, unknown>>>;
}

const allowed: Readonly<Record<number, readonly SyncService[]>> = {
  1: ['account-query', 'profile-query'],
  2: ['account-query', 'profile-query'],
  3: ['account-query', 'profile-query', 'sds-export', 'sds-import'],
};

/**
 * The client-status rules alone, with nothing charged: 0 suspended; 1 and 2 account and profile
 * queries; 3 everything. For a server without billing, and for tests.
 */
export const statusGateOnly: Charging = {
  mayUse(clientStatus, service) {
    const services = allowed[clientStatus];
    if (!services) return { ok: false, reason: 'suspended' };
    return services.includes(service) ? { ok: true } : { ok: false, reason: 'service-not-allowed' };
  },
  async charge() {
    return { ok: true };
  },
};
