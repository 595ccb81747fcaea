import { randomUUID } from 'node:crypto';
import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';

/** Inserts a client and its account directly (registerClient has its own tests). */
export async function addClient(
  db: Kysely<ServerDatabase>,
  matricule: string,
  options: { status?: number; overdraft?: number; currency?: string } = {},
): Promise<number> {
  const client = await db
    .insertInto('xm_system.clients')
    .values({ matricule, name: `Centre ${matricule}`, status: options.status ?? 3, password_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('xm_system.accounts')
    .values({
      client_id: client.id,
      overdraft_limit: options.overdraft ?? 0,
      currency: options.currency ?? 'XAF',
    })
    .execute();
  return client.id;
}

export const containerId = () => randomUUID();

/** Row keys 1..n (plus an offset). */
export const rowKeys = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

/**
 * Where a test charges at a fixed time in the past (`at`, for calendar periods), its tariffs must
 * already be in force then: they are set from this instant.
 */
export const tariffsFrom = new Date('2026-01-01T00:00:00Z');
