import { SiteKitError } from '@xmcomm/site-kit';
import { createTestKit, type TestKit, testPasswords } from '@xmcomm/site-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jurisRecordTypes } from '../src/record-types.js';
import { checkEntryRules } from '../src/rules.js';
import { kobila } from './fixtures.js';

const today = '2026-12-07';

test('every form field and every value of both record types has a French and an English label', () => {
  const missing: string[] = [];
  for (const type of jurisRecordTypes) {
    for (const column of type.formFields) {
      const labels = type.fields?.[column];
      if (!labels?.label.en || !labels.label.fr) missing.push(`${type.name}.${column}`);
      for (const value of type.table.columns[column]?.values ?? []) {
        const text = labels?.values?.[value];
        if (!text?.en || !text.fr) missing.push(`${type.name}.${column}=${value}`);
      }
    }
  }
  expect(missing).toEqual([]);
});

// One row per domain rule: the change to a valid entry, and the field:code it must raise.
test.each([
  [{ decision_date: '2027-01-01' }, 'decision_date:in-the-future'],
  [{ offence_date: '2018-07-01' }, 'decision_date:before-event'],
  [{ offence_date: '1989-01-01', decision_date: '1990-01-01' }, 'offence_date:before-event'],
  [{ minor_at_the_time: true }, 'minor_at_the_time:inconsistent'],
  [{ offence_date: '2007-09-15', decision_date: '2008-01-01' }, 'minor_at_the_time:inconsistent'],
  [{ prison_months: null }, 'prison_months:required'],
  [{ suspension: 'partial', suspended_months: 36, probation_months: 24 }, 'suspended_months:inconsistent'],
  [{ suspension: 'full' }, 'probation_months:required'],
  [{ bans_until: '2030-01-01' }, 'bans:required'],
  [{ bans: 'Driving', bans_until: '2018-01-01' }, 'bans_until:before-event'],
])('entry rule: %o gives %s', (change, expected) => {
  expect(checkEntryRules(kobila, today)).toEqual([]);
  const errors = checkEntryRules({ ...kobila, ...change }, today);
  expect(errors.map((error) => `${error.field}:${error.code}`)).toEqual([expected]);
  expect(errors[0]?.messageFr).toMatch(/[a-z]/);
});

describe('a court on the site kit', () => {
  let court: TestKit;
  beforeAll(async () => {
    court = await createTestKit({
      recordTypes: jurisRecordTypes,
      centre: { matricule: 'TGI-GAROUA-01', centreCode: '200701' },
      today: () => today,
    });
  });
  afterAll(() => court?.close());

  test("its database holds the criminal record's tables and no civil registration's", async () => {
    const { rows } = await sql<{ name: string }>`
      select table_name as name from information_schema.tables where table_schema = 'xm_data' order by 1`.execute(
      court.database.db,
    );
    const names = rows.map((row) => row.name);
    expect(names).toEqual(expect.arrayContaining(['criminal_record_entries', 'criminal_record_annotations']));
    expect(names).not.toContain('births');
  });

  test('an agent types, a secretary verifies, only the clerk (privilege 3) signs and the entry gets its NIU', async () => {
    const { kit, agent, secretary, head } = court;
    const ref = await kit.records.draft(agent, 'entry', kobila);
    expect(ref.ref).toMatch(/^J\d+$/);
    await kit.records.verify(secretary, ref);
    await expect(kit.records.validate(secretary, testPasswords.secretary, ref)).rejects.toBeInstanceOf(
      SiteKitError,
    );
    const signed = await kit.records.validate(head, testPasswords.head, ref);
    expect(signed.niu).toMatch(/^200701-2026-\d{7}-\d{2}$/);

    // An annotation names the entry by its NIU; the entry itself is never changed by it.
    const pardon = await kit.records.draft(agent, 'annotation', {
      entry_niu: signed.niu,
      kind: 'pardon',
      effective_date: '2020-01-01',
      authority: 'Décret 2020/001',
    });
    expect(pardon.ref).toMatch(/^A\d+$/);
    const found = await kit.records.search(head, { type: 'entry', name: 'kob' });
    expect(found.items.map((record) => record.ref)).toEqual([ref.ref]);
  });

  test('a draft breaking a rule is refused with the field named in both languages', async () => {
    const refusal = await court.kit.records
      .draft(court.agent, 'entry', { ...kobila, minor_at_the_time: true })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SiteKitError);
    expect((refusal as SiteKitError).fieldErrors.map((error) => error.field)).toEqual(['minor_at_the_time']);
    const annotation = await court.kit.records
      .draft(court.agent, 'annotation', {
        entry_niu: 'not-a-niu',
        kind: 'amnesty',
        effective_date: '2020-01-01',
        authority: 'Loi',
      })
      .catch((error: unknown) => error);
    expect((annotation as SiteKitError).fieldErrors.map((error) => error.field)).toEqual(['entry_niu']);
  });

  test('the records read as a court says them', () => {
    expect(court.kit.recordNoun('entry').fr.one).toBe('fiche');
    expect(court.kit.recordNoun('annotation').fr.one).toBe('mention');
  });
});
