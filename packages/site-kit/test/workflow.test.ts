import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSiteKit, parseNiu, privilegeNames, type SessionUser, SiteKitError } from '../src/index.js';
import { createTestKit, type TestKit, testPasswords } from '../src/testing.js';
import { licence, sampleLicence } from './licences.js';

// The kit on a record type that is not civil registration, on PGlite (default) and PostgreSQL
// (DATABASE_URL set).

let t: TestKit;

beforeAll(async () => {
  t = await createTestKit({ recordTypes: [licence], today: () => '2026-03-15' });
});
afterAll(() => t?.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SiteKitError) return error.code;
    throw error;
  }
  return 'no error';
}

const historyCount = async () =>
  Number(
    (
      await t.database.db
        .selectFrom('xm_site.act_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('the workflow', () => {
  test('draft, edit, verify, validate: statuses, NIU, signature, history with workstations', async () => {
    const { kit, agent, secretary, head } = t;
    const ref = await kit.records.draft(agent, 'licence', sampleLicence);
    expect(ref.ref).toMatch(/^L\d+$/);
    expect(await kit.records.edit(agent, ref, { employees: 4 })).toEqual(['employees']);
    await kit.records.verify({ ...secretary, workstation: 'guichet-2' }, ref);
    const { niu } = await kit.records.validate(head, testPasswords.head, ref);
    expect(parseNiu(niu)).toEqual({ ok: true, value: { centreCode: '100001', year: 2026, sequence: 1 } });
    const view = await kit.records.get(agent, ref);
    expect(view).toMatchObject({ status: 2, niu, readOnly: false, title: 'Eto (food)' });
    expect(view.signature).toMatchObject({ signer: 'head', valid: true });
    const history = await kit.records.history(agent, ref);
    expect(history.map((e) => [e.kind, e.user, e.workstation])).toEqual([
      ['drafted', 'agent', 'test-workstation'],
      ['edited', 'agent', 'test-workstation'],
      ['verified', 'secretary', 'guichet-2'],
      ['validated', 'head', 'test-workstation'],
    ]);
    expect(await kit.records.resolve(niu)).toEqual(ref);
    expect(await codeOf(kit.records.edit(head, ref, { employees: 5 }))).toBe('invalid-state');
  });

  test('field errors from the contract and the rules, both languages, and nothing saved', async () => {
    const before = await historyCount();
    try {
      await t.kit.records.draft(t.agent, 'licence', {
        ...sampleLicence,
        trade: 'banking',
        date_of_expiry: '2026-01-01',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SiteKitError);
      const fieldErrors = (error as SiteKitError).fieldErrors;
      expect(fieldErrors.map((e) => `${e.field}:${e.code}`).sort()).toEqual([
        'date_of_expiry:before-issue',
        'trade:not-allowed',
      ]);
      expect(fieldErrors.find((e) => e.code === 'before-issue')?.messageFr).toContain('patente');
    }
    expect(await historyCount()).toBe(before);
  });

  test('privileges are refused with code forbidden, per action and per type', async () => {
    const { kit, agent, secretary } = t;
    const ref = await kit.records.draft(agent, 'licence', sampleLicence);
    expect(await codeOf(kit.records.verify(agent, ref))).toBe('forbidden');
    expect(await codeOf(kit.records.validate(secretary, testPasswords.secretary, ref))).toBe('forbidden');
    // This type's declaration keeps cancelling to the head.
    const refused = await kit.records.cancel(secretary, ref).catch((error: SiteKitError) => error);
    expect(refused).toMatchObject({ code: 'forbidden', params: { actionKey: 'cancel' } });
    expect(kit.allows(secretary, 'licence', 'cancel')).toBe(false);
    expect(await codeOf(kit.users.list(secretary))).toBe('forbidden');
  });

  test('a change that fails leaves no history line: both are in one transaction', async () => {
    const ref = await t.kit.records.draft(t.agent, 'licence', sampleLicence);
    // The validation's NIU must be unique: a record holding the NIU the next validation takes
    // makes the UPDATE fail after the counter moved, inside the transaction.
    await t.database.db
      .insertInto('xm_site.counters')
      .values({ name: 'niu-2026', value: 1 })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const { value } = await t.database.db
      .selectFrom('xm_site.counters')
      .select('value')
      .where('name', '=', 'niu-2026')
      .executeTakeFirstOrThrow();
    const { formatNiu } = await import('../src/index.js');
    const taken = formatNiu({ centreCode: '100001', year: 2026, sequence: Number(value) + 1 });
    const other = await t.kit.records.draft(t.agent, 'licence', sampleLicence);
    await t.database.db
      .updateTable('xm_data.business_licences' as never)
      .set({ niu: taken } as never)
      .where('numero' as never, '=', other.numero as never)
      .execute();
    await t.kit.records.verify(t.secretary, ref);
    const before = await historyCount();
    await expect(t.kit.records.validate(t.head, testPasswords.head, ref)).rejects.toThrow();
    expect(await historyCount()).toBe(before);
    expect((await t.kit.records.get(t.head, ref)).status).toBe(1);
    // The counter moved back with the rest: the same NIU is taken once the other record lets it go.
    await t.database.db
      .updateTable('xm_data.business_licences' as never)
      .set({ niu: null } as never)
      .where('numero' as never, '=', other.numero as never)
      .execute();
    expect((await t.kit.records.validate(t.head, testPasswords.head, ref)).niu).toBe(taken);
  });

  test('a record imported from elsewhere is read-only', async () => {
    const imported = await t.database.db
      .insertInto('xm_data.business_licences' as never)
      .values({
        ...sampleLicence,
        status: 2,
        origin_matricule: 'OTHER-SITE',
        origin_numero: 7,
        niu: '100002-2026-0000007-00',
      } as never)
      .returning('numero' as never)
      .executeTakeFirstOrThrow();
    const ref = await t.kit.records.resolve(`L${(imported as { numero: number }).numero}`);
    expect(await codeOf(t.kit.records.edit(t.head, ref, { employees: 1 }))).toBe('read-only');
    expect(await codeOf(t.kit.records.cancel(t.head, ref))).toBe('read-only');
    expect(await t.kit.records.get(t.agent, ref)).toMatchObject({ readOnly: true, origin: 'OTHER-SITE' });
  });

  test('cancel: status 0, only from status 1', async () => {
    const ref = await t.kit.records.draft(t.agent, 'licence', sampleLicence);
    await t.kit.records.cancel(t.head, ref, 'duplicate');
    expect((await t.kit.records.get(t.agent, ref)).status).toBe(0);
    expect(await codeOf(t.kit.records.cancel(t.head, ref))).toBe('invalid-state');
  });
});

describe('search, counts, waiting for', () => {
  test('name prefix (any case), place, dates, status, with paging and total', async () => {
    const { kit, agent } = t;
    for (let i = 0; i < 7; i++) {
      await kit.records.draft(agent, 'licence', {
        ...sampleLicence,
        holder_surname: `Mbarga${i}`,
        date_of_issue: `2025-01-0${i + 1}`,
        town: 'Yaoundé',
      });
    }
    const page1 = await kit.records.search(agent, { name: 'mbar', limit: 3 });
    expect(page1.total).toBe(7);
    expect(page1.items.map((item) => item.title)).toEqual([
      'Mbarga6 (food)',
      'Mbarga5 (food)',
      'Mbarga4 (food)',
    ]);
    const page3 = await kit.records.search(agent, { name: 'MBAR', limit: 3, offset: 6 });
    expect(page3.items.map((item) => item.title)).toEqual(['Mbarga0 (food)']);
    expect((await kit.records.search(agent, { name: 'barga' })).total).toBe(0);
    expect((await kit.records.search(agent, { name: '%' })).total).toBe(0);
    expect(
      (await kit.records.search(agent, { place: 'aound', from: '2025-01-03', to: '2025-01-05' })).total,
    ).toBe(3);
    expect((await kit.records.search(agent, { status: 0 })).total).toBeGreaterThanOrEqual(1);
  });

  test('counts by status and type; what waits for whom', async () => {
    const { kit, agent, secretary, head } = t;
    const counts = await kit.records.counts(agent);
    expect(counts.byType.licence?.[2]).toBe(2);
    expect(counts.byStatus[1]).toBeGreaterThan(0);
    const ref = await kit.records.draft(agent, 'licence', { ...sampleLicence, holder_surname: 'Waiting' });
    const forSecretary = await kit.records.waitingFor(secretary);
    expect(forSecretary.toVerify.map((r) => r.ref)).toContain(ref.ref);
    expect(forSecretary.toValidate).toEqual([]);
    await kit.records.verify(secretary, ref);
    const forHead = await kit.records.waitingFor(head);
    expect(forHead.toValidate.map((r) => r.ref)).toContain(ref.ref);
    expect((await kit.records.waitingFor(agent)).toVerify).toEqual([]);
    await t.database.db
      .insertInto('xm_site.rejections')
      .values({
        table_name: 'business_licences',
        numero: ref.numero,
        container_id: '0192f0c4-1111-7000-8000-000000000001',
        reason: 'duplicate',
        detail: 'L1',
      })
      .execute();
    const refused = (await kit.records.waitingFor(agent)).refused;
    expect(refused).toEqual([expect.objectContaining({ ref: ref.ref, reason: 'duplicate', detail: 'L1' })]);
  });

  test('statistics are generic over the types', async () => {
    const rows = await t.kit.statistics(t.agent, { by: ['type', 'place'] });
    expect(rows).toContainEqual({ type: 'licence', place: 'Yaoundé', count: 7 });
  });
});

describe('unfinished forms', () => {
  test('kept while incomplete, seen by their author only, completed through the same checks', async () => {
    const { kit, agent, secretary } = t;
    const saved = await kit.unfinished.save(agent, 'licence', { holder_surname: 'Later', trade: 'retail' });
    expect(saved.problems.map((p) => `${p.field}:${p.code}`).sort()).toEqual([
      'date_of_issue:required',
      'town:required',
    ]);
    expect((await kit.unfinished.list(agent)).map((u) => u.id)).toContain(saved.id);
    expect(await kit.unfinished.list(secretary)).toEqual([]);
    expect(await codeOf(kit.unfinished.open(secretary, saved.id))).toBe('not-found');
    expect(await codeOf(kit.unfinished.complete(agent, saved.id))).toBe('invalid-record');
    const updated = await kit.unfinished.save(agent, 'licence', { ...saved.fields, town: 'Kribi' }, saved.id);
    expect(updated.problems.map((p) => p.field)).toEqual(['date_of_issue']);
    const ref = await kit.unfinished.complete(agent, saved.id, { date_of_issue: '2026-02-02' });
    expect((await kit.records.get(agent, ref)).status).toBe(1);
    expect(await kit.unfinished.list(agent)).toEqual([]);
    const discarded = await kit.unfinished.save(agent, 'licence', {});
    await kit.unfinished.discard(agent, discarded.id);
    expect(await codeOf(kit.unfinished.open(agent, discarded.id))).toBe('not-found');
  });
});

describe('users', () => {
  test('lockout after repeated wrong passwords; the head unlocks', async () => {
    const { kit, head } = t;
    await kit.users.add(head, { login: 'clumsy', privilege: 1, password: 'clumsy-password' });
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(kit.users.authenticate('clumsy', 'wrong-password'))).toBe('bad-login');
    }
    expect(await codeOf(kit.users.authenticate('clumsy', 'clumsy-password'))).toBe('account-locked');
    await kit.users.unlock(head, 'clumsy');
    const user: SessionUser = await kit.users.authenticate('clumsy', 'clumsy-password', {
      workstation: 'w1',
    });
    expect(user).toMatchObject({ login: 'clumsy', privilege: 1, workstation: 'w1' });
  });

  test('privilege 0 cannot log in; limits; the head cannot demote themself', async () => {
    const { kit, head } = t;
    await kit.users.add(head, { login: 'gone', privilege: 2, password: 'gone-password' });
    await kit.users.suspend(head, 'gone');
    expect(await codeOf(kit.users.authenticate('gone', 'gone-password'))).toBe('suspended');
    expect(await codeOf(kit.users.authenticate('gone', 'bad-password'))).toBe('bad-login');
    expect(await codeOf(kit.users.add(head, { login: 'chef2', privilege: 3, password: 'second-head' }))).toBe(
      'user-limit',
    );
    expect(await codeOf(kit.users.setPrivilege(head, 'head', 2))).toBe('last-head');
    expect(await codeOf(kit.users.add(head, { login: 'x', privilege: 1, password: 'short' }))).toBe(
      'invalid-login',
    );
    expect(await codeOf(kit.users.add(head, { login: 'shorty', privilege: 1, password: 'short' }))).toBe(
      'weak-password',
    );
  });

  test('password reset and change; the head signs again after a change of password', async () => {
    const { kit, head } = t;
    await kit.users.add(head, { login: 'forgetful', privilege: 1, password: 'first-password' });
    await kit.users.resetPassword(head, 'forgetful', 'second-password');
    const user = await kit.users.authenticate('forgetful', 'second-password');
    expect(user.mustChangePassword).toBe(true);
    await kit.users.changeOwnPassword(user, 'second-password', 'third-password');
    expect((await kit.users.authenticate('forgetful', 'third-password')).mustChangePassword).toBe(false);
    await kit.users.changeOwnPassword(head, testPasswords.head, 'new-head-password');
    const ref = await kit.records.draft(head, 'licence', sampleLicence);
    await kit.records.verify(head, ref);
    await kit.records.validate(head, 'new-head-password', ref);
    await kit.users.changeOwnPassword(head, 'new-head-password', testPasswords.head);
  });
});

describe('the site’s words', () => {
  test('roleNames rename roles for the site; the others keep the kit’s names', () => {
    const kit = createSiteKit({
      db: t.database.db,
      recordTypes: [licence],
      centre: t.centre,
      roleNames: { 3: { en: 'licensing officer', fr: 'officier des patentes' } },
    });
    expect(kit.roleNames[3]).toEqual({ en: 'licensing officer', fr: 'officier des patentes' });
    expect(kit.roleNames[1]).toEqual(privilegeNames[1]);
    expect(t.kit.roleNames[3]).toEqual(privilegeNames[3]);
  });
});
