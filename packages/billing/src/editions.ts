import { clients, type FieldError, validateRow } from '@xmcomm/schema';
import { type Kysely, sql } from 'kysely';
import { type BillingConnection, type BillingDatabase, inTransaction, narrow } from './database.js';
import { BillingError } from './errors.js';
import { isExpired, type Licence, maximumClientLimit } from './licence.js';

/** Without a licence key: 10 clients and 20 users. */
export const freeEdition = { clients: 10, users: 20 } as const;

export interface EditionLimits {
  readonly edition: 'free' | 'licensed';
  readonly clients: number;
  /** null: no limit on users. */
  readonly users: number | null;
  /** The licence in force, if any. */
  readonly licence?: Licence;
  /** A licence was given but has expired: the free edition applies until it is renewed. */
  readonly expiredLicence?: Licence;
}

/**
 * The limits in force: a valid licence raises the client limit (and sets the user limit it states, or
 * none); without one, or once it has expired, the free edition's 10 clients and 20 users apply.
 */
export function editionLimits(licence?: Licence, now: Date = new Date()): EditionLimits {
  if (licence && !isExpired(licence, now)) {
    return { edition: 'licensed', clients: licence.clientLimit, users: licence.userLimit ?? null, licence };
  }
  return { edition: 'free', ...freeEdition, ...(licence ? { expiredLicence: licence } : {}) };
}

export type LimitCheck =
  | { readonly ok: true; readonly limit: number | null; readonly count: number }
  | { readonly ok: false; readonly limit: number; readonly count: number; readonly error: BillingError };

const format = (n: number, lang: 'en' | 'fr') =>
  lang === 'en' ? n.toLocaleString('en-GB') : n.toLocaleString('fr-FR').replace(/\s/g, ' ');

/** Says which limit is reached and how to raise it, in English and French. */
function limitMessage(kind: 'clients' | 'users', limits: EditionLimits, count: number) {
  const limit = (kind === 'clients' ? limits.clients : limits.users) ?? 0;
  const what = {
    en: kind === 'clients' ? 'clients' : 'users',
    fr: kind === 'clients' ? 'clients' : 'utilisateurs',
  };
  const registered = {
    en: `${format(count, 'en')} ${what.en} are registered and this server allows ${format(limit, 'en')}`,
    fr: `${format(count, 'fr')} ${what.fr} sont enregistrés et ce serveur en autorise ${format(limit, 'fr')}`,
  };
  const range = {
    en: `${format(1_000, 'en')} to ${format(maximumClientLimit, 'en')} clients`,
    fr: `${format(1_000, 'fr')} à ${format(maximumClientLimit, 'fr')} clients`,
  };
  if (limits.licence) {
    const l = limits.licence;
    return {
      en: `${registered.en} under licence ${l.licenceNumber} (${l.organisation}). To register more, ask the publisher for a licence key with a higher ${kind === 'clients' ? 'client' : 'user'} limit (up to ${format(maximumClientLimit, 'en')} clients).`,
      fr: `${registered.fr} selon la licence ${l.licenceNumber} (${l.organisation}). Pour en enregistrer davantage, demandez à l'éditeur une clé de licence avec une limite ${kind === 'clients' ? 'de clients' : "d'utilisateurs"} plus élevée (jusqu'à ${format(maximumClientLimit, 'fr')} clients).`,
    };
  }
  if (limits.expiredLicence) {
    const l = limits.expiredLicence;
    return {
      en: `${registered.en} without a valid licence key: licence ${l.licenceNumber} expired after ${l.expiresOn}. To register more, renew it with the publisher.`,
      fr: `${registered.fr} sans clé de licence valide : la licence ${l.licenceNumber} a expiré après le ${l.expiresOn}. Pour en enregistrer davantage, renouvelez-la auprès de l'éditeur.`,
    };
  }
  return {
    en: `${registered.en} without a licence key. To register more, install a licence key from the publisher (${range.en}).`,
    fr: `${registered.fr} sans clé de licence. Pour en enregistrer davantage, installez une clé de licence de l'éditeur (${range.fr}).`,
  };
}

async function count(
  db: Kysely<BillingDatabase>,
  table: 'xm_system.clients' | 'xm_system.users',
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** May one more client (or `adding` more) be registered under this licence (or none)? */
export async function checkClientLimit<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  licence?: Licence,
  options: { readonly now?: Date; readonly adding?: number } = {},
): Promise<LimitCheck> {
  const limits = editionLimits(licence, options.now);
  const registered = await count(narrow(db), 'xm_system.clients');
  if (registered + (options.adding ?? 1) <= limits.clients)
    return { ok: true, limit: limits.clients, count: registered };
  const error = new BillingError('client-limit-reached', limitMessage('clients', limits, registered));
  return { ok: false, limit: limits.clients, count: registered, error };
}

/** May one more server user be created? The xmserver app asks before it adds one. */
export async function checkUserLimit<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  licence?: Licence,
  options: { readonly now?: Date; readonly adding?: number } = {},
): Promise<LimitCheck> {
  const limits = editionLimits(licence, options.now);
  const registered = await count(narrow(db), 'xm_system.users');
  if (limits.users === null || registered + (options.adding ?? 1) <= limits.users) {
    return { ok: true, limit: limits.users, count: registered };
  }
  const error = new BillingError('user-limit-reached', limitMessage('users', limits, registered));
  return { ok: false, limit: limits.users, count: registered, error };
}

export interface RegisterClientInput {
  readonly matricule: string;
  readonly name: string;
  /**
   * What every NIU of the site begins with (ECR: its six-digit national code). Default: the next
   * free six-digit code, from the client's registration number.
   */
  readonly centreCode?: string;
  /** scrypt PHC string of the site's initial password (`zerokey` until the site changes it). */
  readonly passwordHash: string;
  /** 0-3; a new client starts suspended (0) unless the operator says otherwise. */
  readonly status?: number;
  readonly domain?: string;
  readonly region?: string;
  readonly locality?: string;
  readonly contact?: string;
  /** The account's currency, ISO 4217 (default XAF). */
  readonly currency?: string;
  /** In minor units (default 0: no overdraft). */
  readonly overdraftLimit?: number;
}

export type RegisterClientResult =
  | { readonly ok: true; readonly clientId: number; readonly accountId: number }
  | { readonly ok: false; readonly error: BillingError; readonly fields?: readonly FieldError[] };

// Any constant: registrations take this transaction-scoped lock so that two of them at once cannot both
// pass the limit check with the last free place.
const registrationLock = 0x786d_6269; // "xmbi"

/**
 * Registers a client and opens its account, in one transaction, unless the edition's client limit is
 * reached (then the error says which limit and how to raise it, in English and French).
 */
export async function registerClient<DB extends BillingDatabase>(
  db: BillingConnection<DB>,
  input: RegisterClientInput,
  options: { readonly licence?: Licence; readonly now?: Date } = {},
): Promise<RegisterClientResult> {
  // `status` is left to the check below: the contract treats that column name as lifecycle state.
  const checked = validateRow(clients, {
    matricule: input.matricule,
    // A blank name is no name.
    name: typeof input.name === 'string' && input.name.trim() === '' ? undefined : input.name,
    domain: input.domain,
    region: input.region,
    locality: input.locality,
    contact: input.contact,
    password_hash: input.passwordHash,
    centre_code: input.centreCode,
  });
  const status = input.status ?? 0;
  const statusErrors: FieldError[] =
    Number.isInteger(status) && status >= 0 && status <= 3
      ? []
      : [
          {
            field: 'status',
            code: 'out-of-range',
            message: 'status must be 0, 1, 2 or 3.',
            messageFr: 'status doit valoir 0, 1, 2 ou 3.',
          },
        ];
  if (!checked.ok || statusErrors.length > 0) {
    const fields = [...(checked.ok ? [] : checked.errors), ...statusErrors];
    return {
      ok: false,
      fields,
      error: new BillingError('invalid-input', {
        en: fields.map((f) => f.message).join(' '),
        fr: fields.map((f) => f.messageFr).join(' '),
      }),
    };
  }
  const currency = input.currency ?? 'XAF';
  const overdraft = input.overdraftLimit ?? 0;
  if (!/^[A-Z]{3}$/.test(currency) || !Number.isSafeInteger(overdraft) || overdraft < 0) {
    return {
      ok: false,
      error: new BillingError('invalid-input', {
        en: 'currency is an ISO 4217 code and the overdraft an integer >= 0',
        fr: 'la devise est un code ISO 4217 et le découvert un entier >= 0',
      }),
    };
  }
  return inTransaction(narrow(db), async (trx) => {
    await sql`select pg_advisory_xact_lock(${registrationLock})`.execute(trx);
    const limit = await checkClientLimit(trx, options.licence, options.now ? { now: options.now } : {});
    if (!limit.ok) return { ok: false, error: limit.error };
    const existing = await trx
      .selectFrom('xm_system.clients')
      .select('id')
      .where('matricule', '=', input.matricule)
      .executeTakeFirst();
    if (existing) {
      return {
        ok: false,
        error: new BillingError('duplicate-matricule', { en: input.matricule, fr: input.matricule }),
      };
    }
    if (input.centreCode !== undefined && (await centreCodeTaken(trx, input.centreCode))) {
      return {
        ok: false,
        error: new BillingError('duplicate-centre-code', { en: input.centreCode, fr: input.centreCode }),
      };
    }
    const client = await trx
      .insertInto('xm_system.clients')
      .values({ ...checked.value, status } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    if (input.centreCode === undefined) await assignCentreCode(trx, client.id);
    const account = await trx
      .insertInto('xm_system.accounts')
      .values({ client_id: client.id, currency, overdraft_limit: overdraft })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ok: true, clientId: client.id, accountId: account.id };
  });
}

async function centreCodeTaken(db: Kysely<BillingDatabase>, code: string): Promise<boolean> {
  const found = await db
    .selectFrom('xm_system.clients')
    .select('id')
    .where('centre_code', '=', code)
    .executeTakeFirst();
  return found !== undefined;
}

/**
 * The next free six-digit code: the registration number, zero-padded, unless an operator already
 * gave that code to another client; then the code after the highest six-digit one in use.
 */
async function assignCentreCode(db: Kysely<BillingDatabase>, clientId: number): Promise<void> {
  let code = String(clientId).padStart(6, '0');
  if (code.length > 6 || (await centreCodeTaken(db, code))) {
    const highest = await db
      .selectFrom('xm_system.clients')
      .select((eb) => eb.fn.max('centre_code').as('code'))
      .where('centre_code', '~', '^[0-9]{6}$')
      .executeTakeFirst();
    code = String(Number(highest?.code ?? 0) + 1).padStart(6, '0');
  }
  await db.updateTable('xm_system.clients').set({ centre_code: code }).where('id', '=', clientId).execute();
}
