import { exchangedTables, lifecycleViolationCode, type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, sampleBirth, type TestDatabase, withRollback } from '@xmcomm/schema/testing';
import { type ControlledTransaction, type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sqlStateOf } from '../src/errors.js';
import { asLifecycleViolation } from '../src/index.js';

let site: TestDatabase<SiteDatabase>;
beforeAll(async () => {
  site = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
});
afterAll(() => site?.close());

async function draft(db: Kysely<SiteDatabase>, extra: Record<string, unknown> = {}): Promise<number> {
  const { numero } = await db
    .insertInto('xm_data.births')
    .values({ ...sampleBirth, ...extra } as never)
    .returning('numero')
    .executeTakeFirstOrThrow();
  return numero;
}

/** Runs raw SQL the way any other application could; returns the SQLSTATE it failed with, if it did. */
async function refusal(
  db: Kysely<SiteDatabase>,
  statement: ReturnType<typeof sql>,
): Promise<string | undefined> {
  const trx = db as ControlledTransaction<SiteDatabase>;
  const savepoint = await trx.savepoint('probe').execute();
  try {
    await statement.execute(savepoint);
    await savepoint.releaseSavepoint('probe').execute();
    return undefined;
  } catch (error) {
    await savepoint.rollbackToSavepoint('probe').execute();
    return sqlStateOf(error);
  }
}

async function setStatus(db: Kysely<SiteDatabase>, numero: number, status: number, niu?: string) {
  return refusal(
    db,
    niu
      ? sql`update xm_data.births set status = ${status}, niu = ${niu} where numero = ${numero}`
      : sql`update xm_data.births set status = ${status} where numero = ${numero}`,
  );
}

describe('the database enforces the row lifecycle, whatever SQL an application sends', () => {
  test('the legal path 1 -> 2 -> 3 -> 4 is accepted, one step at a time', () =>
    withRollback(site.db, async (trx) => {
      const numero = await draft(trx);
      expect(await setStatus(trx, numero, 2, 'NIU-LEGAL-1')).toBeUndefined();
      expect(await setStatus(trx, numero, 3)).toBeUndefined();
      expect(await setStatus(trx, numero, 4)).toBeUndefined();
      const { status } = await trx
        .selectFrom('xm_data.births')
        .select('status')
        .where('numero', '=', numero)
        .executeTakeFirstOrThrow();
      expect(status).toBe(4);
    }));

  test('skipping a step or going backwards is refused by the database itself', () =>
    withRollback(site.db, async (trx) => {
      const fresh = await draft(trx);
      expect(await setStatus(trx, fresh, 3)).toBe(lifecycleViolationCode);
      expect(await setStatus(trx, fresh, 4)).toBe(lifecycleViolationCode);
      expect(await setStatus(trx, fresh, 2)).toBe(lifecycleViolationCode); // no NIU
      expect(await setStatus(trx, fresh, 2, 'NIU-SKIP-1')).toBeUndefined();
      expect(await setStatus(trx, fresh, 1)).toBe(lifecycleViolationCode); // validated is frozen
      expect(await setStatus(trx, fresh, 4)).toBe(lifecycleViolationCode); // 2 -> 4 skips the container
      expect(await setStatus(trx, fresh, 0)).toBe(lifecycleViolationCode);
      expect(await setStatus(trx, fresh, 3)).toBeUndefined();
      expect(await setStatus(trx, fresh, 0)).toBe(lifecycleViolationCode);
      expect(await setStatus(trx, fresh, 4)).toBeUndefined();
      for (const status of [0, 1, 2, 3])
        expect(await setStatus(trx, fresh, status)).toBe(lifecycleViolationCode);
    }));

  test('a rejected row goes from 3 back to 1, where it can be corrected', () =>
    withRollback(site.db, async (trx) => {
      const numero = await draft(trx);
      await setStatus(trx, numero, 2, 'NIU-REJ-1');
      await setStatus(trx, numero, 3);
      expect(await setStatus(trx, numero, 1)).toBeUndefined();
      expect(
        await refusal(
          trx,
          sql`update xm_data.births set child_surname = 'Corrected' where numero = ${numero}`,
        ),
      ).toBeUndefined();
    }));

  test('a row refused for its account goes from 3 back to 2, unchanged: it stays validated with its NIU', () =>
    withRollback(site.db, async (trx) => {
      const numero = await draft(trx);
      await setStatus(trx, numero, 2, 'NIU-HELD-1');
      await setStatus(trx, numero, 3);
      // Back to 2 with changed data is still refused: only the status moves.
      expect(
        await refusal(
          trx,
          sql`update xm_data.births set status = 2, child_surname = 'Changed' where numero = ${numero}`,
        ),
      ).toBe(lifecycleViolationCode);
      expect(await setStatus(trx, numero, 2)).toBeUndefined();
      expect(await setStatus(trx, numero, 3)).toBeUndefined();
    }));

  test('a validated, sealed or exported row is frozen: its data cannot change', () =>
    withRollback(site.db, async (trx) => {
      const numero = await draft(trx);
      await setStatus(trx, numero, 2, 'NIU-FROZEN-1');
      const edit = sql`update xm_data.births set child_surname = 'Changed' where numero = ${numero}`;
      expect(await refusal(trx, edit)).toBe(lifecycleViolationCode);
      await setStatus(trx, numero, 3);
      expect(await refusal(trx, edit)).toBe(lifecycleViolationCode);
      expect(
        await refusal(trx, sql`update xm_data.births set status = 4, niu = 'OTHER' where numero = ${numero}`),
      ).toBe(lifecycleViolationCode);
      expect(await refusal(trx, sql`delete from xm_data.births where numero = ${numero}`)).toBe(
        lifecycleViolationCode,
      );
    }));

  test('rows are inserted new or validated, never further along', () =>
    withRollback(site.db, async (trx) => {
      for (const status of [0, 3, 4]) {
        expect(
          await refusal(trx, sql`insert into xm_data.births (status, child_surname) values (${status}, 'X')`),
        ).toBe(lifecycleViolationCode);
      }
      // Validated means numbered: a local row inserted at 2 needs its NIU.
      expect(
        await refusal(trx, sql`insert into xm_data.births (status, child_surname) values (2, 'X')`),
      ).toBe(lifecycleViolationCode);
    }));

  test('imported rows (with an origin) are read-only and cannot pretend to be local', () =>
    withRollback(site.db, async (trx) => {
      const numero = await draft(trx, {
        status: 2,
        niu: 'NIU-IMP-1',
        origin_matricule: 'CEC-0009',
        origin_numero: 12,
      });
      expect(await setStatus(trx, numero, 3)).toBe(lifecycleViolationCode);
      expect(
        await refusal(
          trx,
          sql`update xm_data.births set origin_matricule = null, origin_numero = null where numero = ${numero}`,
        ),
      ).toBe(lifecycleViolationCode);
      expect(await refusal(trx, sql`delete from xm_data.births where numero = ${numero}`)).toBe(
        lifecycleViolationCode,
      );
      const local = await draft(trx);
      expect(
        await refusal(
          trx,
          sql`update xm_data.births set origin_matricule = 'CEC-0009', origin_numero = 99 where numero = ${local}`,
        ),
      ).toBe(lifecycleViolationCode);
      expect(
        await refusal(
          trx,
          sql`insert into xm_data.births (child_surname, origin_matricule) values ('X', 'CEC-0009')`,
        ),
      ).toBe(lifecycleViolationCode);
    }));

  test('an application gets the refusal as a StatusSyncError, in English and French', () =>
    withRollback(site.db, async (trx) => {
      const numero = await draft(trx);
      const savepoint = await trx.savepoint('jump').execute();
      const error = await savepoint
        .updateTable('xm_data.births')
        .set({ status: 4 })
        .where('numero', '=', numero)
        .execute()
        .then(
          () => null,
          (e: unknown) => e,
        );
      await savepoint.rollbackToSavepoint('jump').execute();
      const violation = asLifecycleViolation(error);
      expect(violation?.code).toBe('illegal-transition');
      expect(violation?.message).toContain('cannot go from status 1 to 4');
      expect(violation?.messageFr).toBe('La fiche ne peut pas faire ce changement de statut');
      expect(asLifecycleViolation(new Error('other'))).toBeNull();
    }));

  test('every exchanged table has the trigger', async () => {
    const { rows } = await sql<{ table: string }>`
      select event_object_table as table from information_schema.triggers
      where event_object_schema = 'xm_data' and event_manipulation = 'UPDATE' order by 1`.execute(site.db);
    expect(rows.map((r) => r.table)).toEqual(exchangedTables.map((table) => table.name).sort());
  });
});
