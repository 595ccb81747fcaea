import { randomBytes } from 'node:crypto';
import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { asDate, nowForUpdate, sqlStateOf, sqlStates } from './database.js';
import { XmServerError } from './errors.js';

type Db = Kysely<ServerDatabase>;

export interface Client {
  readonly id: number;
  readonly matricule: string;
  readonly name: string;
  readonly status: number;
  readonly domain: string | null;
  readonly region: string | null;
  readonly locality: string | null;
  readonly contact: string | null;
  readonly mustChangePassword: boolean;
  readonly accountId: number | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface ClientFields {
  readonly name?: string | undefined;
  readonly domain?: string | undefined;
  readonly region?: string | undefined;
  readonly locality?: string | undefined;
  readonly contact?: string | undefined;
}

/** The password of a newly registered client until its site changes it (from the original). */
export const initialClientPassword = 'zerokey';

const matriculePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

export function parseMatricule(raw: string): string {
  if (!matriculePattern.test(raw))
    throw new XmServerError('invalid-matricule', `invalid matricule ${raw}`, { params: { value: raw } });
  return raw;
}

/** Client status: 0 suspended, 1 account and profile queries, 2 all but data services, 3 everything. */
export function parseStatus(raw: string): 0 | 1 | 2 | 3 {
  if (!/^[0-3]$/.test(raw.trim()))
    throw new XmServerError('invalid-status', `invalid status ${raw}`, { params: { value: raw } });
  return Number(raw.trim()) as 0 | 1 | 2 | 3;
}

const selectClient = (db: Db) =>
  db
    .selectFrom('xm_system.clients as c')
    .leftJoin('xm_system.accounts as a', 'a.client_id', 'c.id')
    .select([
      'c.id',
      'c.matricule',
      'c.name',
      'c.status',
      'c.domain',
      'c.region',
      'c.locality',
      'c.contact',
      'c.must_change_password',
      'c.created_at',
      'c.updated_at',
      'a.id as account_id',
    ]);

type ClientRow = Awaited<ReturnType<ReturnType<typeof selectClient>['executeTakeFirstOrThrow']>>;

function toClient(row: ClientRow): Client {
  return {
    id: row.id,
    matricule: row.matricule,
    name: row.name,
    status: row.status,
    domain: row.domain,
    region: row.region,
    locality: row.locality,
    contact: row.contact,
    mustChangePassword: row.must_change_password,
    accountId: row.account_id,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

/**
 * Registers a client and opens its account, in the caller's transaction. Without an explicit
 * matricule the server assigns `C` and the six-digit registration number, as the original's
 * registration gave the client its number.
 */
export async function addClient(
  db: Db,
  input: ClientFields & {
    name: string;
    matricule?: string | undefined;
    status: number;
    passwordHash: string;
  },
): Promise<Client> {
  if (input.matricule) {
    const existing = await db
      .selectFrom('xm_system.clients')
      .select('id')
      .where('matricule', '=', input.matricule)
      .executeTakeFirst();
    if (existing) {
      throw new XmServerError('duplicate-client', `duplicate client ${input.matricule}`, {
        params: { matricule: input.matricule },
      });
    }
  }
  let id: number;
  try {
    const inserted = await db
      .insertInto('xm_system.clients')
      .values({
        // A unique placeholder until the identity is known, replaced below in the same transaction.
        matricule: input.matricule ?? `pending-${randomBytes(8).toString('hex')}`,
        name: input.name,
        status: input.status,
        domain: input.domain ?? null,
        region: input.region ?? null,
        locality: input.locality ?? null,
        contact: input.contact ?? null,
        password_hash: input.passwordHash,
        must_change_password: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    id = inserted.id;
  } catch (cause) {
    if (sqlStateOf(cause) === sqlStates.uniqueViolation && input.matricule) {
      throw new XmServerError('duplicate-client', `duplicate client ${input.matricule}`, {
        cause,
        params: { matricule: input.matricule },
      });
    }
    throw cause;
  }
  if (!input.matricule) {
    await db
      .updateTable('xm_system.clients')
      .set({ matricule: `C${String(id).padStart(6, '0')}` })
      .where('id', '=', id)
      .execute();
  }
  // The account belongs to billing's domain (@xmcomm/billing); the row itself is the schema's.
  await db.insertInto('xm_system.accounts').values({ client_id: id }).execute();
  return toClient(await selectClient(db).where('c.id', '=', id).executeTakeFirstOrThrow());
}

export async function getClient(db: Db, matricule: string): Promise<Client> {
  const row = await selectClient(db).where('c.matricule', '=', matricule).executeTakeFirst();
  if (!row)
    throw new XmServerError('unknown-client', `unknown client ${matricule}`, { params: { matricule } });
  return toClient(row);
}

export async function listClients(db: Db, filter: { status?: number | undefined } = {}): Promise<Client[]> {
  let query = selectClient(db).orderBy('c.id');
  if (filter.status !== undefined) query = query.where('c.status', '=', filter.status);
  return (await query.execute()).map(toClient);
}

export async function updateClient(
  db: Db,
  matricule: string,
  change: ClientFields & { status?: number | undefined },
): Promise<{ before: Client; after: Client }> {
  const before = await getClient(db, matricule);
  const set: Record<string, unknown> = {};
  for (const key of ['name', 'domain', 'region', 'locality', 'contact', 'status'] as const) {
    if (change[key] !== undefined) set[key] = change[key];
  }
  await db
    .updateTable('xm_system.clients')
    .set({ ...set, updated_at: nowForUpdate() })
    .where('id', '=', before.id)
    .execute();
  return { before, after: await getClient(db, matricule) };
}
