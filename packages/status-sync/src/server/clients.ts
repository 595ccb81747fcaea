import type { SyncService } from '../charging.js';
import type { RejectionReason } from '../reasons.js';
import type { ServerContext } from './context.js';

/** A registered site, as the apply and the pushes read it from `xm_system.clients`. */
export interface Client {
  readonly id: number;
  readonly matricule: string;
  /** What its NIUs begin with (then a dash); null: none registered, no row of it is accepted. */
  readonly centre_code: string | null;
  readonly status: number;
  readonly name: string;
  readonly domain: string | null;
  readonly region: string | null;
  readonly locality: string | null;
}

export async function findClient(ctx: ServerContext, matricule: string): Promise<Client | undefined> {
  return ctx.db
    .selectFrom('xm_system.clients')
    .select(['id', 'matricule', 'centre_code', 'status', 'name', 'domain', 'region', 'locality'])
    .where('matricule', '=', matricule)
    .executeTakeFirst();
}

/** Why the client's status does not allow the service (billing's gate), or null when it does. */
export function gate(ctx: ServerContext, client: Client, service: SyncService): RejectionReason | null {
  const verdict = ctx.charging.mayUse(client.status, service);
  return verdict.ok ? null : verdict.reason;
}
