import type { SyncService } from '../charging.js';
import { formatReason, type RejectionReason } from '../reasons.js';
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
  /** Services granted beyond the status, space-separated (`juris`). */
  readonly services: string | null;
}

export async function findClient(ctx: ServerContext, matricule: string): Promise<Client | undefined> {
  return ctx.db
    .selectFrom('xm_system.clients')
    .select(['id', 'matricule', 'centre_code', 'status', 'name', 'domain', 'region', 'locality', 'services'])
    .where('matricule', '=', matricule)
    .executeTakeFirst();
}

/** Why the client's status does not allow the service (billing's gate), or null when it does. */
export function gate(ctx: ServerContext, client: Client, service: SyncService): RejectionReason | null {
  const verdict = ctx.charging.mayUse(client.status, service);
  return verdict.ok ? null : verdict.reason;
}

/**
 * Why the client may not send or read rows of this table, or null when it may: a restricted table
 * (`restrictedTables`) needs status 3 and the service granted to the client.
 */
export function tableGate(ctx: ServerContext, client: Client, table: string): string | null {
  const restricted = ctx.restrictedTables[table];
  if (!restricted) return null;
  if (client.status !== 3) return client.status === 0 ? 'suspended' : 'service-not-allowed';
  const granted = (client.services ?? '').split(' ');
  return granted.includes(restricted.service)
    ? null
    : formatReason('service-not-allowed', restricted.service);
}
