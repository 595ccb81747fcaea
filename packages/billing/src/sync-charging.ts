import { type ChargeContainerInput, type ChargeResult, chargeContainer, chargeContainers } from './charge.js';
import type { BillingConnection, BillingDatabase } from './database.js';
import { balanceOf } from './ledger.js';
import { type GateResult, mayUse, type Service } from './status-gate.js';

/** What status-sync asks to charge for one container (its `ChargeRequest`). */
export interface SyncChargeRequest {
  readonly clientId: number;
  readonly containerId: string;
  readonly service: 'sds-export' | 'sds-import';
  readonly table: string;
  readonly rows: readonly number[];
  readonly bytes: number;
}

/**
 * Billing as status-sync's `Charging`: the status gate, the charge of one container, the charge of
 * a batch inside the batch's transaction, and the account state sites are told. `actor` goes into
 * every ledger entry (which server process charged).
 */
export function syncCharging(actor: string) {
  const input = (request: SyncChargeRequest): ChargeContainerInput => ({
    clientId: request.clientId,
    containerId: request.containerId,
    service: request.service,
    table: request.table,
    rows: request.rows,
    bytes: request.bytes,
    actor,
  });
  return {
    mayUse: (clientStatus: number, service: Service): GateResult => mayUse(clientStatus, service),
    charge: <DB extends BillingDatabase>(
      db: BillingConnection<DB>,
      request: SyncChargeRequest,
    ): Promise<ChargeResult> => chargeContainer(db, input(request)),
    chargeBatch: <DB extends BillingDatabase>(
      db: BillingConnection<DB>,
      requests: readonly SyncChargeRequest[],
    ): Promise<ChargeResult[]> => chargeContainers(db, requests.map(input)),
    accountState: async <DB extends BillingDatabase>(db: BillingConnection<DB>, clientId: number) => ({
      ...(await balanceOf(db, { clientId })),
    }),
  };
}
