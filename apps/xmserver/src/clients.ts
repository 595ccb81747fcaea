import { randomBytes } from 'node:crypto';
import { type BillingError, type Licence, registerClient } from '@xmcomm/billing';
import type { ServerDatabase } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
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

/** One of a site's certificates as `client show` lists it: issued here or imported, in force or not. */
export interface ClientCertificate {
  readonly serialNumber: string;
  /** `site` (its container key) or `signatory` (a person's document key). */
  readonly purpose: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly revokedAt: Date | null;
  readonly revocationReason: string | null;
}

/** Every certificate of a client, oldest first. */
export async function clientCertificates(db: Db, clientId: number): Promise<ClientCertificate[]> {
  const rows = await db
    .selectFrom('xm_system.certificates')
    .select([
      'serial_number',
      'purpose',
      'subject',
      'not_before',
      'not_after',
      'revoked_at',
      'revocation_reason',
    ])
    .where('client_id', '=', clientId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    serialNumber: row.serial_number,
    purpose: row.purpose,
    subject: row.subject,
    notBefore: asDate(row.not_before),
    notAfter: asDate(row.not_after),
    revokedAt: row.revoked_at === null ? null : asDate(row.revoked_at),
    revocationReason: row.revocation_reason,
  }));
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

/** One reason a client counts as used, in English and French. */
export interface UseReason {
  readonly en: string;
  readonly fr: string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Why a client counts as used, if it does: a certificate ever issued or imported (revoked ones
 * count), a container received from it, a movement or a charged row on its account, a row from it
 * in any exchanged table of `xm_data`, a signatory registered for it. Empty: never used.
 */
export async function usesOf(db: Db, client: Client): Promise<UseReason[]> {
  const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }) =>
    Number((await query.executeTakeFirstOrThrow()).n);
  const accountId = client.accountId ?? -1;
  const reasons: UseReason[] = [];
  const certificates = await count(
    db
      .selectFrom('xm_system.certificates')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('client_id', '=', client.id),
  );
  if (certificates > 0) {
    reasons.push({
      en: `${plural(certificates, 'certificate', 'certificates')} issued or imported`,
      fr: `${plural(certificates, 'certificat émis ou importé', 'certificats émis ou importés')}`,
    });
  }
  const containers = await count(
    db
      .selectFrom('xm_system.received_containers')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('sender_matricule', '=', client.matricule),
  );
  if (containers > 0) {
    reasons.push({
      en: `${plural(containers, 'container', 'containers')} received from it`,
      fr: `${plural(containers, 'conteneur reçu', 'conteneurs reçus')} de lui`,
    });
  }
  const movements = await count(
    db
      .selectFrom('xm_system.ledger_entries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', accountId),
  );
  if (movements > 0) {
    reasons.push({
      en: `${plural(movements, 'movement', 'movements')} on its account`,
      fr: `${plural(movements, 'mouvement', 'mouvements')} sur son compte`,
    });
  }
  const charged =
    (await count(
      db
        .selectFrom('xm_system.charged_rows')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('account_id', '=', accountId),
    )) +
    (await count(
      db
        .selectFrom('xm_system.usage_daily')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('account_id', '=', accountId),
    ));
  if (charged > 0) {
    reasons.push({ en: 'usage recorded on its account', fr: 'un usage enregistré sur son compte' });
  }
  // Every exchanged table, the contract's and any a new form added: each has origin_matricule.
  const tables = await sql<{ table_name: string }>`select table_name from information_schema.columns
    where table_schema = 'xm_data' and column_name = 'origin_matricule' order by table_name`.execute(db);
  for (const { table_name } of tables.rows) {
    const found = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(`xm_data.${table_name}`)}
      where origin_matricule = ${client.matricule}`.execute(db);
    const rows = Number(found.rows[0]?.n ?? 0);
    if (rows > 0) {
      reasons.push({
        en: `${plural(rows, 'row', 'rows')} from it in xm_data.${table_name}`,
        fr: `${plural(rows, 'ligne', 'lignes')} de lui dans xm_data.${table_name}`,
      });
    }
  }
  const signatories = await count(
    db
      .selectFrom('xm_system.signatories')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('client_id', '=', client.id),
  );
  if (signatories > 0) {
    reasons.push({
      en: `${plural(signatories, 'signatory', 'signatories')} registered for it`,
      fr: `${plural(signatories, 'signataire enregistré', 'signataires enregistrés')} pour lui`,
    });
  }
  return reasons;
}

/**
 * Deletes a client registered by mistake and never used, with its account and its quotas, in the
 * caller's transaction; its place in the edition is free again. A used client is refused
 * (`client-in-use`, with every reason): its history must stay, and suspension (status 0) stops it.
 * The client's and account's rows are locked first, so that nothing can start using it meanwhile.
 */
export async function deleteUnusedClient(db: Db, matricule: string): Promise<Client> {
  const locked = await db
    .selectFrom('xm_system.clients')
    .select('id')
    .where('matricule', '=', matricule)
    .forUpdate()
    .executeTakeFirst();
  if (!locked)
    throw new XmServerError('unknown-client', `unknown client ${matricule}`, { params: { matricule } });
  await db
    .selectFrom('xm_system.accounts')
    .select('id')
    .where('client_id', '=', locked.id)
    .forUpdate()
    .execute();
  const client = await getClient(db, matricule);
  const reasons = await usesOf(db, client);
  if (reasons.length > 0) {
    throw new XmServerError('client-in-use', `client ${matricule} has been used`, {
      params: {
        matricule,
        reasons: reasons.map((r) => r.en).join('; '),
        reasonsFr: reasons.map((r) => r.fr).join(' ; '),
      },
    });
  }
  await db.deleteFrom('xm_system.quotas').where('client_id', '=', client.id).execute();
  await db.deleteFrom('xm_system.accounts').where('client_id', '=', client.id).execute();
  await db.deleteFrom('xm_system.clients').where('id', '=', client.id).execute();
  return client;
}

/** Services an operator grants beyond a client's status (`xmserver client services --grant`). */
export const grantableServices = ['juris'] as const;

/** The services granted to a client beyond its status. */
export async function clientServices(db: Db, matricule: string): Promise<string[]> {
  const client = await getClient(db, matricule);
  const row = await db
    .selectFrom('xm_system.clients')
    .select('services')
    .where('id', '=', client.id)
    .executeTakeFirstOrThrow();
  return (row.services ?? '').split(' ').filter(Boolean);
}

export async function setClientServices(
  db: Db,
  matricule: string,
  services: readonly string[],
): Promise<void> {
  const client = await getClient(db, matricule);
  await db
    .updateTable('xm_system.clients')
    .set({
      services: services.length > 0 ? [...services].sort().join(' ') : null,
      updated_at: nowForUpdate(),
    })
    .where('id', '=', client.id)
    .execute();
}
