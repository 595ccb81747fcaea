import { randomBytes } from 'node:crypto';
import {
  type AnyTable,
  exchangedTables,
  type ServerDatabase,
  type SiteDatabase,
  serverMigrations,
  siteMigrations,
} from '@xmcomm/schema';
import { centreCodeOf, createTestDatabase, sampleBirth, type TestDatabase } from '@xmcomm/schema/testing';

export { centreCodeOf };

import type { Kysely } from 'kysely';
import {
  type Charging,
  type ContainerCodec,
  createServerSync,
  createSiteSync,
  type ServerSyncOptions,
  type SiteSyncOptions,
  statusGateOnly,
} from '../../src/index.js';
import { createFakeCodec } from './fake-codec.js';

export const serverMatricule = 'XMSERVER';
export const siteMatricule = 'CEC-0001';

export interface World {
  readonly server: TestDatabase<ServerDatabase>;
  readonly site: TestDatabase<SiteDatabase>;
  readonly keys: Map<string, Buffer>;
  readonly codec: ContainerCodec;
  close(): Promise<void>;
}

export async function createWorld(): Promise<World> {
  const [server, site] = await Promise.all([
    createTestDatabase<ServerDatabase>({ migrations: serverMigrations }),
    createTestDatabase<SiteDatabase>({ migrations: siteMigrations }),
  ]);
  const keys = new Map([
    [serverMatricule, randomBytes(32)],
    [siteMatricule, randomBytes(32)],
  ]);
  await addClient(server.db, siteMatricule, 3);
  const codec = createFakeCodec({ keys, tables: exchangedTables as readonly AnyTable[] });
  return {
    server,
    site,
    keys,
    codec,
    async close() {
      await Promise.all([server.close(), site.close()]);
    },
  };
}

/** An NIU of the site with this matricule: its centre code, a dash, then anything. */
export function niuOf(matricule: string, rest: string | number): string {
  return `${centreCodeOf(matricule)}-${rest}`;
}

export async function addClient(db: Kysely<ServerDatabase>, matricule: string, status: number) {
  await db
    .insertInto('xm_system.clients')
    .values({
      matricule,
      centre_code: centreCodeOf(matricule),
      name: `Centre ${matricule}`,
      status,
      password_hash: 'not-a-real-hash',
    })
    .execute();
}

/** A server without billing (the status rules, nothing charged) unless `extra.charging` says otherwise. */
export function serverFor(world: World, extra: Partial<ServerSyncOptions> = {}) {
  return createServerSync({
    db: world.server.db,
    codec: world.codec,
    serverMatricule,
    charging: statusGateOnly,
    ...extra,
  });
}

export function siteFor(world: World, extra: Partial<SiteSyncOptions> = {}) {
  return createSiteSync({
    db: world.site.db,
    codec: world.codec,
    matricule: siteMatricule,
    serverMatricule,
    retry: { initialMs: 0, jitter: 0 },
    ...extra,
  });
}

let niuCounter = 0;

/** Drafts births at the site (status 1) and validates them (status 2, with a NIU). Returns their numeros. */
export async function validatedBirths(
  db: Kysely<SiteDatabase>,
  count: number,
  prefix = 'N',
  matricule = siteMatricule,
): Promise<number[]> {
  const numeros: number[] = [];
  for (let i = 0; i < count; i++) {
    const { numero } = await db
      .insertInto('xm_data.births')
      .values({ ...sampleBirth, child_given_names: `Child ${i}` } as never)
      .returning('numero')
      .executeTakeFirstOrThrow();
    niuCounter++;
    await db
      .updateTable('xm_data.births')
      .set({ status: 2, niu: niuOf(matricule, `${prefix}${process.pid}-${niuCounter}`) })
      .where('numero', '=', numero)
      .execute();
    numeros.push(numero);
  }
  return numeros;
}

export async function statusesAtSite(db: Kysely<SiteDatabase>, numeros: readonly number[]) {
  const rows = await db
    .selectFrom('xm_data.births')
    .select(['numero', 'status'])
    .where('numero', 'in', numeros)
    .orderBy('numero')
    .execute();
  return rows.map((r) => r.status);
}

export async function serverBirthsFrom(db: Kysely<ServerDatabase>, matricule: string) {
  return db
    .selectFrom('xm_data.births')
    .select(['origin_numero', 'niu', 'status'])
    .where('origin_matricule', '=', matricule)
    .orderBy('origin_numero')
    .execute();
}

/** A charging that refuses when the "credit" (rows) runs out: enough to prove the receipts and rollback. */
export function creditOf(rows: number): Charging & { remaining(): number } {
  let credit = rows;
  return {
    mayUse: (status, service) =>
      status === 0
        ? { ok: false, reason: 'suspended' }
        : status === 3 || service === 'account-query' || service === 'profile-query'
          ? { ok: true }
          : { ok: false, reason: 'service-not-allowed' },
    async charge(_trx, request) {
      if (request.rows.length > credit) return { ok: false, reason: 'insufficient-credit' };
      credit -= request.rows.length;
      return { ok: true };
    },
    async accountState() {
      return { balance: credit, currency: 'XAF' };
    },
    remaining: () => credit,
  };
}

/** Sends every due outbox item to the server and every reply back, until nothing is due. */
export async function pump(
  site: ReturnType<typeof createSiteSync>,
  server: ReturnType<typeof createServerSync>,
): Promise<number> {
  let rounds = 0;
  for (;;) {
    const items = await site.nextItems(100);
    if (items.length === 0) return rounds;
    rounds++;
    for (const item of items) {
      await site.markSent(item.id);
      const outcome = await server.applyContainer(item.payload);
      for (const reply of outcome.replies) await site.receive(reply);
    }
    if (rounds > 50) throw new Error('pump does not converge');
  }
}
