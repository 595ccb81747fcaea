import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerClient } from '@xmcomm/billing';
import {
  type AnyTable,
  civilRegistrationTables,
  ecrClientTables,
  receivedContainers,
  type ServerDatabase,
  type SiteDatabase,
  serverMigrations,
  siteMigrations,
  siteSystemTables,
  statusSyncSiteTables,
} from '@xmcomm/schema';
import { centreCodeOf, createTestDatabase, sampleBirth } from '@xmcomm/schema/testing';
import { createSiteSync, type ServerSync, type SiteSync } from '@xmcomm/status-sync';
import { type Kysely, sql } from 'kysely';
import {
  keyManifestSigner,
  type ManifestSigner,
  type ManifestVerifier,
  publicKeyVerifier,
} from '../../src/index.js';
import { createIngestSync } from '../../src/setup.js';
import { createTestCodec, makeParty, type Party } from './test-codec.js';

export const SERVER = 'xmserver';

/**
 * One server and one site, each with its own database, keys and a medium (a temporary folder).
 * Migrating a database is the slow part of these tests, so a file opens one world and `reset`s it
 * between tests: every table emptied, numbering restarted, a fresh medium.
 */
export interface World {
  server: {
    party: Party;
    db: Kysely<ServerDatabase>;
    sync: ServerSync;
    signer: ManifestSigner;
    verifier: ManifestVerifier;
  };
  site: {
    party: Party;
    db: Kysely<SiteDatabase>;
    sync: SiteSync;
    signer: ManifestSigner;
    verifier: ManifestVerifier;
  };
  medium: string;
  reset(options?: WorldOptions): Promise<void>;
  close(): Promise<void>;
}

export interface WorldOptions {
  maxRows?: number;
  /** The clock the site's codec stamps containers with. */
  siteClock?: () => Date;
}

export const MATRICULE = 'CEC-001';

// What an apply writes on the server; clients stay (billing's ledger refuses truncation, rightly).
const serverTables = [...civilRegistrationTables, receivedContainers];
const siteTables = [
  ...civilRegistrationTables,
  ...siteSystemTables,
  ...statusSyncSiteTables,
  ...ecrClientTables,
];

// biome-ignore lint/suspicious/noExplicitAny: tables named at run time from the contract
async function truncate(db: Kysely<any>, tables: readonly AnyTable[]) {
  await sql`truncate table ${sql.join(tables.map((table) => sql.table(table.qualifiedName)))} restart identity cascade`.execute(
    db,
  );
}

export async function openWorld(): Promise<World> {
  const serverParty = makeParty(SERVER);
  const siteParty = makeParty(MATRICULE);
  const [serverDb, siteDb] = await Promise.all([
    createTestDatabase<ServerDatabase>({ migrations: serverMigrations }),
    createTestDatabase<SiteDatabase>({ migrations: siteMigrations }),
  ]);
  const world: World = {
    server: {
      party: serverParty,
      db: serverDb.db,
      sync: undefined as never,
      signer: keyManifestSigner(serverParty.privateKey),
      verifier: publicKeyVerifier((sender) => (sender === MATRICULE ? [siteParty.publicKey] : undefined)),
    },
    site: {
      party: siteParty,
      db: siteDb.db,
      sync: undefined as never,
      signer: keyManifestSigner(siteParty.privateKey),
      verifier: publicKeyVerifier((sender) => (sender === SERVER ? [serverParty.publicKey] : undefined)),
    },
    medium: '',
    async reset(options: WorldOptions = {}) {
      if (world.medium) await rm(world.medium, { recursive: true, force: true });
      world.medium = await mkdtemp(join(tmpdir(), 't2d-world-'));
      await truncate(serverDb.db, serverTables);
      await truncate(siteDb.db, siteTables);
      // Registered as xmserver registers a client: with its account (no tariff here, so free).
      const known = await serverDb.db
        .selectFrom('xm_system.clients')
        .select('id')
        .where('matricule', '=', MATRICULE)
        .executeTakeFirst();
      if (!known) {
        const registered = await registerClient(serverDb.db, {
          matricule: MATRICULE,
          centreCode: centreCodeOf(MATRICULE),
          name: 'Centre 1',
          status: 3,
          passwordHash: 'not-a-real-hash',
        });
        if (!registered.ok) throw registered.error;
      }
      // The server's apply as `t2d ingest` builds it, billing included.
      world.server.sync = createIngestSync(serverDb.db, createTestCodec(serverParty, [siteParty]), SERVER);
      world.site.sync = createSiteSync({
        db: siteDb.db,
        codec: createTestCodec(siteParty, [serverParty], options.siteClock ? { now: options.siteClock } : {}),
        matricule: MATRICULE,
        serverMatricule: SERVER,
        maxRows: options.maxRows ?? 50,
      });
    },
    async close() {
      await Promise.all([
        serverDb.close(),
        siteDb.close(),
        rm(world.medium, { recursive: true, force: true }),
      ]);
    },
  };
  await world.reset();
  return world;
}

/** Validated births (status 2, NIU given) ready to export. Returns their local numbers. */
export async function addBirths(world: World, count: number, niuPrefix = 'NIU'): Promise<number[]> {
  const rows = Array.from({ length: count }, (_, index) => ({
    ...sampleBirth,
    child_given_names: `Child ${index + 1}`,
    status: 2,
    niu: `${centreCodeOf(world.site.party.matricule)}-${niuPrefix}-${index + 1}`,
  }));
  // sampleBirth is typed loosely (plain strings); the database checks the values.
  const inserted = await world.site.db
    .insertInto('xm_data.births')
    .values(rows as never)
    .returning('numero')
    .execute();
  return inserted.map((row) => row.numero);
}

export async function siteStatuses(world: World): Promise<number[]> {
  const rows = await world.site.db.selectFrom('xm_data.births').select('status').orderBy('numero').execute();
  return rows.map((row) => row.status);
}

export async function serverBirths(
  world: World,
): Promise<{ origin_numero: number | null; niu: string | null }[]> {
  return world.server.db
    .selectFrom('xm_data.births')
    .select(['origin_numero', 'niu'])
    .orderBy('origin_numero')
    .execute();
}
