import {
  checkClientLimit,
  checkUserLimit,
  editionLimits,
  type Licence,
  verifyLicence,
} from '@xmcomm/billing';
import { audited } from '../audit.js';
import { access, handler, type XmCommand } from '../command.js';
import type { Io } from '../context.js';
import type { ServerDb } from '../database.js';
import { XmServerError } from '../errors.js';

/** The licence recorded by `licence activate`, checked again on every read (an edited row is refused). */
export async function currentLicence(db: ServerDb): Promise<Licence | undefined> {
  const row = await db
    .selectFrom('xm_system.settings')
    .select('value')
    .where('key', '=', 'licence')
    .executeTakeFirst();
  const key = (row?.value as { key?: unknown } | undefined)?.key;
  if (typeof key !== 'string') return undefined;
  const checked = verifyLicence(key, { now: null });
  return checked.ok ? checked.value : undefined;
}

/** Refuses to go past the edition's client or user limit (10 clients and 20 users without a licence). */
export async function enforceLimit(db: ServerDb, kind: 'clients' | 'users'): Promise<void> {
  const licence = await currentLicence(db);
  const check = kind === 'clients' ? await checkClientLimit(db, licence) : await checkUserLimit(db, licence);
  if (!check.ok) {
    throw new XmServerError('billing-refused', check.error.message, {
      cause: check.error,
      params: { detail: check.error.message, detailFr: check.error.messageFr },
    });
  }
}

export function registerLicence(program: XmCommand, io: Io): void {
  const licence = program
    .command('licence')
    .description('the edition: 10 clients and 20 users without a licence key; a key raises the client limit');
  licence
    .command('show')
    .description('the edition in force, its limits and what is used')
    .requires(access.readOnly)
    .action(
      handler(io, async (ctx) => {
        const db = await ctx.database();
        const limits = editionLimits(await currentLicence(db));
        const count = async (table: 'xm_system.clients' | 'xm_system.users') =>
          Number(
            (
              await db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
        const used = { clients: await count('xm_system.clients'), users: await count('xm_system.users') };
        ctx.print({ ...limits, used }, () =>
          [
            `edition: ${limits.edition}${limits.licence ? ` (licence ${limits.licence.licenceNumber}, ${limits.licence.organisation}, until ${limits.licence.expiresOn})` : ''}`,
            `clients: ${used.clients} of ${limits.clients}`,
            `users: ${used.users} of ${limits.users ?? 'unlimited'}`,
            ...(limits.expiredLicence
              ? [
                  `licence ${limits.expiredLicence.licenceNumber} expired after ${limits.expiredLicence.expiresOn}`,
                ]
              : []),
          ].join('\n'),
        );
      }),
    );
  licence
    .command('activate')
    .description('install a licence key from the publisher (checked offline against its signature)')
    .argument('<key>', 'XMLIC1.…')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, key: string) => {
        const checked = verifyLicence(key);
        if (!checked.ok) {
          throw new XmServerError('billing-refused', checked.error.message, {
            cause: checked.error,
            params: { detail: checked.error.message, detailFr: checked.error.messageFr },
          });
        }
        const db = await ctx.database();
        const value = JSON.stringify({ key: key.trim() });
        await audited(db, ctx.operator, 'licence.activate', async (trx) => {
          await trx
            .insertInto('xm_system.settings')
            .values({ key: 'licence', value })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
            .execute();
          return {
            result: undefined,
            target: checked.value.licenceNumber,
            details: { clients: checked.value.clientLimit, expires: checked.value.expiresOn },
          };
        });
        ctx.print(
          checked.value,
          () =>
            `Licence ${checked.value.licenceNumber} active: ${checked.value.clientLimit} clients until ${checked.value.expiresOn}.`,
        );
      }),
    );
}
