import { randomBytes } from 'node:crypto';
import { type BillingError, type Licence, registerClient } from '@xmcomm/billing';
import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { asDate, nowForUpdate } from './database.js';
import { XmServerError } from './errors.js';

type Db = Kysely<ServerDatabase>;

export interface Client {
  readonly id: number;
  readonly matricule: string;
  /** What every NIU of the site begins with, then a dash. */
  readonly centreCode: string | null;
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
  readonly centreCode?: string | undefined;
  readonly domain?: string | undefined;
  readonly region?: string | undefined;
  readonly locality?: string | undefined;
  readonly contact?: string | undefined;
}

/** The password of a newly registered client until its site changes it (from the original). */
export const initialClientPassword = 'zerokey';

const matriculePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

const centreCodePattern = /^[A-Za-z0-9][A-Za-z0-9._]{0,31}$/;

/** A centre code: what every NIU of the site begins with, then a dash; so it holds no dash itself. */
export function parseCentreCode(raw: string): string {
  if (!centreCodePattern.test(raw)) {
    throw new XmServerError('invalid-argument', `invalid centre code ${raw}`, {
      params: {
        name: '--centre-code',
        value: raw,
        hint: 'Use 1-32 letters, digits, dots or underscores, no dash (an NIU is the code, a dash, then its number).',
        hintFr:
          'Utilisez 1 à 32 lettres, chiffres, points ou soulignés, sans tiret (un NIU est le code, un tiret, puis son numéro).',
      },
    });
  }
  return raw;
}

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
      'c.centre_code',
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
    centreCode: row.centre_code,
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
 * Registers a client and opens its account, in the caller's transaction, within the edition's
 * client limit (billing's registerClient). Without an explicit matricule the server assigns `C` and
 * the six-digit registration number, as the original's registration gave the client its number;
 * without a centre code, the next free six-digit code.
 */
export async function addClient(
  db: Db,
  input: ClientFields & {
    name: string;
    matricule?: string | undefined;
    status: number;
    passwordHash: string;
    licence?: Licence | undefined;
  },
): Promise<Client> {
  const registered = await registerClient(
    db,
    {
      // A unique placeholder until the registration number is known, replaced below in the same transaction.
      ...definedFields(input),
      matricule: input.matricule ?? `pending-${randomBytes(8).toString('hex')}`,
      name: input.name,
      status: input.status,
      passwordHash: input.passwordHash,
    },
    input.licence ? { licence: input.licence } : {},
  );
  if (!registered.ok) throw fromBilling(registered.error.code, registered.error, input);
  if (!input.matricule) {
    await db
      .updateTable('xm_system.clients')
      .set({ matricule: `C${String(registered.clientId).padStart(6, '0')}` })
      .where('id', '=', registered.clientId)
      .execute();
  }
  return toClient(await selectClient(db).where('c.id', '=', registered.clientId).executeTakeFirstOrThrow());
}

function definedFields(fields: ClientFields) {
  const out: { -readonly [K in keyof ClientFields]-?: string } = {} as never;
  for (const key of ['centreCode', 'domain', 'region', 'locality', 'contact'] as const) {
    const value = fields[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function fromBilling(
  code: string,
  cause: BillingError,
  input: { matricule?: string | undefined; centreCode?: string | undefined },
): XmServerError {
  if (code === 'duplicate-matricule')
    return new XmServerError('duplicate-client', `duplicate client ${input.matricule}`, {
      cause,
      params: { matricule: input.matricule ?? '' },
    });
  if (code === 'duplicate-centre-code')
    return new XmServerError('duplicate-centre-code', `duplicate centre code ${input.centreCode}`, {
      cause,
      params: { value: input.centreCode ?? '' },
    });
  return new XmServerError('billing-refused', cause.message, {
    cause,
    params: { detail: cause.message, detailFr: cause.messageFr },
  });
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
  if (change.centreCode !== undefined && change.centreCode !== before.centreCode) {
    const taken = await db
      .selectFrom('xm_system.clients')
      .select('matricule')
      .where('centre_code', '=', change.centreCode)
      .executeTakeFirst();
    if (taken) {
      throw new XmServerError('duplicate-centre-code', `duplicate centre code ${change.centreCode}`, {
        params: { value: change.centreCode },
      });
    }
    set.centre_code = change.centreCode;
  }
  await db
    .updateTable('xm_system.clients')
    .set({ ...set, updated_at: nowForUpdate() })
    .where('id', '=', before.id)
    .execute();
  return { before, after: await getClient(db, matricule) };
}
