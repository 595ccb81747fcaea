import { type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ActFieldError,
  actHistory,
  actStatistics,
  addUser,
  authenticate,
  type CentreContext,
  cancelAct,
  checkAct,
  defaultRules,
  draftAct,
  EcrError,
  editAct,
  getAct,
  insertUser,
  listUsers,
  parseNiu,
  readRules,
  type SessionUser,
  saveCentre,
  saveRules,
  searchActs,
  setPrivilege,
  statsToCsv,
  validateAct,
  verifyAct,
} from '../src/index.js';
import { birth, death, marriage } from './fixtures.js';

// The same suite on the embedded PGlite (default) and on PostgreSQL (DATABASE_URL set).

const today = () => '2026-03-15';
const passwords = { chef: 'officer-password', sec: 'secretary-password', ali: 'agent-password' };

let database: TestDatabase<SiteDatabase>;
let ctx: CentreContext;
let officer: SessionUser;
let secretary: SessionUser;
let agent: SessionUser;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EcrError) return error.code;
    throw error;
  }
  return 'no error';
}

async function fieldErrorsOf(promise: Promise<unknown>): Promise<readonly ActFieldError[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EcrError && error.code === 'invalid-act') return error.fieldErrors;
    throw error;
  }
  throw new Error('the act was accepted');
}

beforeAll(async () => {
  database = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
  await saveCentre(database.db, { matricule: 'CEC-YDE-01', centreCode: '102034', name: 'Yaoundé 1' });
  ctx = {
    db: database.db,
    centre: { matricule: 'CEC-YDE-01', centreCode: '102034' },
    rules: defaultRules,
    today,
  };
  await insertUser(database.db, { login: 'chef', privilege: 3, password: passwords.chef });
  officer = await authenticate(database.db, 'chef', passwords.chef);
  await addUser(database.db, officer, { login: 'sec', privilege: 2, password: passwords.sec });
  await addUser(database.db, officer, { login: 'ali', privilege: 1, password: passwords.ali });
  secretary = await authenticate(database.db, 'sec', passwords.sec);
  agent = await authenticate(database.db, 'ali', passwords.ali);
});
afterAll(() => database?.close());

describe('users', () => {
  test('a wrong password and an unknown user get the same refusal', async () => {
    expect(await codeOf(authenticate(database.db, 'ali', 'not-the-password'))).toBe('authentication-failed');
    expect(await codeOf(authenticate(database.db, 'nobody', 'whatever-pass'))).toBe('authentication-failed');
  });

  test('only the officer manages users', async () => {
    expect(
      await codeOf(addUser(database.db, secretary, { login: 'x1', privilege: 1, password: 'password-x1' })),
    ).toBe('permission-denied');
    expect(await codeOf(listUsers(database.db, agent))).toBe('permission-denied');
    expect(await codeOf(setPrivilege(database.db, secretary, 'ali', 0))).toBe('permission-denied');
    expect((await listUsers(database.db, officer)).map((u) => `${u.login}:${u.role}`)).toEqual(
      expect.arrayContaining(['chef:officer', 'sec:secretary', 'ali:agent']),
    );
  });

  test('one officer, up to 19 secretaries and 19 agents; a suspended user does not count and cannot log in', async () => {
    expect(
      await codeOf(
        addUser(database.db, officer, { login: 'chef2', privilege: 3, password: 'password-chef2' }),
      ),
    ).toBe('user-limit');
    const extra: string[] = [];
    for (let i = 2; i <= 19; i++) {
      const login = `agent${i}`;
      await addUser(database.db, officer, { login, privilege: 1, password: `password-${login}` });
      extra.push(login);
    }
    expect(
      await codeOf(
        addUser(database.db, officer, { login: 'agent20', privilege: 1, password: 'password-a20' }),
      ),
    ).toBe('user-limit');
    await setPrivilege(database.db, officer, 'agent19', 0);
    expect(await codeOf(authenticate(database.db, 'agent19', 'password-agent19'))).toBe('user-suspended');
    await addUser(database.db, officer, { login: 'agent20', privilege: 1, password: 'password-a20' });
    expect(await codeOf(setPrivilege(database.db, officer, 'agent19', 1))).toBe('user-limit');
    expect(await codeOf(setPrivilege(database.db, officer, 'chef', 2))).toBe('invalid-state');
    expect(
      await codeOf(addUser(database.db, officer, { login: 'ali', privilege: 2, password: 'password-dup' })),
    ).toBe('duplicate-user');
    for (const login of [...extra, 'agent20']) await setPrivilege(database.db, officer, login, 0);
  });
});

describe('acts', () => {
  test('a birth goes from draft to verified to validated, with its NIU, signature and history', async () => {
    const ref = await draftAct(ctx, agent, 'birth', birth);
    expect((await getAct(ctx, agent, ref)).status).toBe(1);

    expect(await codeOf(verifyAct(ctx, agent, ref))).toBe('permission-denied');
    expect(await codeOf(validateAct(ctx, secretary, passwords.sec, ref))).toBe('permission-denied');
    expect(await codeOf(validateAct(ctx, officer, passwords.chef, ref))).toBe('invalid-state'); // not verified

    await verifyAct(ctx, secretary, ref);
    expect(await codeOf(validateAct(ctx, officer, 'wrong-password', ref))).not.toBe('no error');
    const { niu } = await validateAct(ctx, officer, passwords.chef, ref);
    const parsed = parseNiu(niu);
    expect(parsed.ok && parsed.value.centreCode).toBe('102034');
    expect(parsed.ok && parsed.value.year).toBe(2026);

    const view = await getAct(ctx, secretary, ref);
    expect(view).toMatchObject({ status: 2, niu, readOnly: false });
    expect(view.fields).toMatchObject({ drafted_by: 'ali', verified_by: 'sec', validated_by: 'chef' });
    expect(view.signature).toMatchObject({ signer: 'chef', valid: true });

    const history = await actHistory(ctx, agent, ref);
    expect(history.map((e) => `${e.kind}:${e.user}`)).toEqual([
      'drafted:ali',
      'verified:sec',
      'validated:chef',
    ]);

    // Frozen once validated.
    expect(await codeOf(editAct(ctx, agent, ref, { child_given_names: 'Other' }))).toBe('invalid-state');
    expect(await codeOf(cancelAct(ctx, officer, ref))).toBe('invalid-state');
    expect(await codeOf(verifyAct(ctx, secretary, ref))).toBe('invalid-state');
  });

  test('NIUs follow one sequence across births, marriages and deaths, and never repeat', async () => {
    const nius: string[] = [];
    for (const [kind, act] of [
      ['marriage', marriage],
      ['death', death],
      ['birth', { ...birth, child_given_names: 'Paul' }],
    ] as const) {
      const ref = await draftAct(ctx, agent, kind, act);
      await verifyAct(ctx, secretary, ref);
      nius.push((await validateAct(ctx, officer, passwords.chef, ref)).niu);
    }
    const sequences = nius.map((niu) => {
      const parsed = parseNiu(niu);
      return parsed.ok ? parsed.value.sequence : -1;
    });
    expect(new Set(nius).size).toBe(3);
    expect(sequences[1]).toBe((sequences[0] as number) + 1);
    expect(sequences[2]).toBe((sequences[0] as number) + 2);
  });

  test('an edit changes the act and sends it back to verification; a cancelled act stays cancelled', async () => {
    const ref = await draftAct(ctx, agent, 'birth', { ...birth, child_given_names: 'Before' });
    await verifyAct(ctx, secretary, ref);
    expect(await editAct(ctx, agent, ref, { child_given_names: 'After', remarks: 'corrected' })).toEqual([
      'child_given_names',
      'remarks',
    ]);
    const view = await getAct(ctx, agent, ref);
    expect(view.fields).toMatchObject({ child_given_names: 'After', remarks: 'corrected' });
    expect(view.fields.verified_by).toBeUndefined();
    expect(await codeOf(validateAct(ctx, officer, passwords.chef, ref))).toBe('invalid-state');
    expect(await codeOf(cancelAct(ctx, agent, ref))).toBe('permission-denied');
    await cancelAct(ctx, secretary, ref, 'duplicate declaration');
    expect((await getAct(ctx, agent, ref)).status).toBe(0);
    expect(await codeOf(editAct(ctx, agent, ref, { remarks: 'x' }))).toBe('invalid-state');
    const history = await actHistory(ctx, agent, ref);
    expect(history.map((e) => e.kind)).toEqual(['drafted', 'verified', 'edited', 'cancelled']);
    expect(history[3]?.detail).toEqual({ reason: 'duplicate declaration' });
  });

  test('an act received from elsewhere is read-only', async () => {
    const row = await database.db
      .insertInto('xm_data.births')
      .values({
        ...birth,
        status: 2,
        niu: '999999-2025-0000001-00',
        origin_matricule: 'CEC-DLA-02',
        origin_numero: 7,
      } as never)
      .returning('numero')
      .executeTakeFirstOrThrow();
    const ref = { kind: 'birth' as const, numero: row.numero };
    expect(await codeOf(editAct(ctx, agent, ref, { remarks: 'x' }))).toBe('read-only');
    expect(await codeOf(verifyAct(ctx, secretary, ref))).toBe('read-only');
    expect((await getAct(ctx, agent, ref)).readOnly).toBe(true);
  });

  test('search by name, NIU, dates, place, type and status', async () => {
    const all = await searchActs(ctx, agent, {});
    expect(all.length).toBeGreaterThanOrEqual(6);
    const byName = await searchActs(ctx, agent, { name: 'mbar' });
    expect(byName.map((a) => a.kind)).toEqual(['marriage']);
    const validated = await searchActs(ctx, agent, { status: 2, kind: 'birth' });
    const niu = validated.find((a) => !a.imported)?.niu as string;
    expect((await searchActs(ctx, agent, { niu })).map((a) => a.niu)).toEqual([niu]);
    expect((await searchActs(ctx, agent, { place: 'douala' })).map((a) => a.kind)).toEqual(['marriage']);
    const inJanuary = await searchActs(ctx, agent, { from: '2025-01-01', to: '2025-01-31' });
    expect(inJanuary.map((a) => a.kind)).toEqual(['death']);
    expect(await searchActs(ctx, agent, { name: '%' })).toEqual([]);
  });

  test('statistics count acts by type, month, sex and place, without cancelled or imported acts', async () => {
    const rows = await actStatistics(ctx, secretary);
    expect(rows).toEqual([
      { type: 'birth', month: '2024-02', sex: 'female', place: 'Yaoundé', count: 2 },
      { type: 'death', month: '2025-01', sex: 'male', place: 'Yaoundé', count: 1 },
      { type: 'marriage', month: '2025-06', sex: '-', place: 'Douala', count: 1 },
    ]);
    const byPlace = await actStatistics(ctx, secretary, { by: ['place'] });
    expect(byPlace).toEqual([
      { place: 'Douala', count: 1 },
      { place: 'Yaoundé', count: 3 },
    ]);
    expect(statsToCsv(byPlace, ['place'])).toBe('place,count\r\nDouala,1\r\nYaoundé,3\r\n');
  });
});

describe('validation on entry', () => {
  const codes = (errors: readonly ActFieldError[]) => errors.map((e) => `${e.field}:${e.code}`).sort();

  test('field errors from the contract, in English and French', async () => {
    const { child_surname: _, ...withoutSurname } = birth;
    const errors = await fieldErrorsOf(
      draftAct(ctx, agent, 'birth', {
        ...withoutSurname,
        date_of_birth: '2023-02-29',
        child_sex: 'x',
        colour: 'red',
      }),
    );
    expect(codes(errors)).toEqual([
      'child_sex:not-allowed',
      'child_surname:required',
      'colour:unknown-field',
      'date_of_birth:invalid-date',
    ]);
    const surname = errors.find((e) => e.field === 'child_surname');
    expect(surname?.message).toBe('child_surname is required.');
    expect(surname?.messageFr).toBe('child_surname est obligatoire.');
  });

  test('dates in the future, a declaration before the event, a mother too young', () => {
    const errors = checkAct(
      'birth',
      {
        ...birth,
        date_of_birth: '2026-03-16',
        date_of_declaration: '2026-03-14',
        mother_date_of_birth: '2015-01-01',
      },
      today(),
      defaultRules,
    );
    expect(Array.isArray(errors) && codes(errors)).toEqual([
      'date_of_birth:in-the-future',
      'date_of_declaration:before-event',
      'mother_date_of_birth:too-young',
    ]);
    const fr = Array.isArray(errors) ? errors.find((e) => e.code === 'in-the-future')?.messageFr : '';
    expect(fr).toBe('date_of_birth est dans le futur.');
    // The day before the limit is refused, the day itself accepted.
    const atLimit = checkAct(
      'birth',
      { ...birth, mother_date_of_birth: '2012-02-29' },
      today(),
      defaultRules,
    );
    expect(Array.isArray(atLimit)).toBe(false);
    const dayBefore = checkAct(
      'birth',
      { ...birth, mother_date_of_birth: '2012-03-01' },
      today(),
      defaultRules,
    );
    expect(Array.isArray(dayBefore) && codes(dayBefore)).toEqual(['mother_date_of_birth:too-young']);
  });

  test('spouses of legal age as the centre configures it', async () => {
    const young = { ...marriage, spouse2_date_of_birth: '2008-06-15' };
    expect(codes(await fieldErrorsOf(draftAct(ctx, agent, 'marriage', young)))).toEqual([
      'spouse2_date_of_birth:too-young',
    ]);
    await saveRules(database.db, { ...defaultRules, legalMarriageAgeYears: 16 });
    const rules = await readRules(database.db);
    expect(rules.legalMarriageAgeYears).toBe(16);
    expect(Array.isArray(checkAct('marriage', young, today(), rules))).toBe(false);
    await saveRules(database.db, defaultRules);
  });

  test("deaths: age consistent with the dates; workflow fields are not the author's", async () => {
    const errors = await fieldErrorsOf(
      draftAct(ctx, agent, 'death', {
        ...death,
        deceased_age_years: 60,
        niu: '102034-2026-0000001-37',
        validated_by: 'me',
      }),
    );
    expect(codes(errors)).toEqual([
      'deceased_age_years:inconsistent',
      'niu:unknown-field',
      'validated_by:unknown-field',
    ]);
    expect(await codeOf(draftAct(ctx, agent, 'death', { ...death, date_of_death: '1949-01-01' }))).toBe(
      'invalid-act',
    );
  });
});
