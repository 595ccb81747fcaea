import type { Row, SessionUser } from '@xmcomm/site-kit';
import { SiteKitError } from '@xmcomm/site-kit';
import { describe, expect, test } from 'vitest';
import { bulletinLines } from './bulletin-command.js';
import { askBulletin, type Register } from './bulletin-flow.js';
import { JurisError } from './errors.js';

// A bulletin asked of the register: the register is a table of rows here (the real one, `registerOver`,
// is the court's synchronisation), so each check of the flow is seen alone.

const today = '2026-12-08';
const clerk = { id: 1, login: 'greffier', privilege: 3 } as SessionUser;
const secretary = { id: 2, login: 'zambo', privilege: 2 } as SessionUser;
const person = {
  person_surname: 'Kobila',
  person_given_names: 'Mangué',
  person_date_of_birth: '1990-04-17',
  person_place_of_birth: 'Ekouk',
};
const entry = (niu: string, court: string, extra: Partial<Row>): Row => ({
  status: 4,
  niu,
  reference: `${niu.slice(0, 3)}/SD/Just`,
  court_name: court,
  ...person,
  father_surname: 'Bikoula',
  mother_surname: 'Atouba',
  person_sex: 'male',
  person_nationality: 'CMR',
  decision_date: '2018-06-18',
  offence_class: 'misdemeanour',
  legal_qualification: 'Vol',
  main_penalty: 'imprisonment',
  prison_months: 36,
  suspension: 'none',
  minor_at_the_time: false,
  excluded_from_b2: false,
  ...extra,
});
// Two courts' entries for the same person: a serious sentence (on No 3) and a short one (not on No 3).
const serious = entry('200701-2018-0000001-00', 'Garoua-Boulai', {});
const short = entry('200702-2020-0000007-00', 'Yaoundé', {
  decision_date: '2020-02-02',
  prison_months: 6,
  legal_qualification: 'Outrage',
});

function registerOf(tables: Record<string, Row[]>) {
  const calls: { table: string; conditions: unknown; declaration: unknown }[] = [];
  const register: Register = {
    async fetch(table, conditions, declaration) {
      calls.push({ table, conditions, declaration });
      const rows = tables[table] ?? [];
      return table === 'criminal_record_annotations'
        ? rows.filter((row) => ((conditions[0]?.value ?? []) as string[]).includes(String(row.entry_niu)))
        : rows;
    },
  };
  return { register, calls };
}

describe('a bulletin asked of the register', () => {
  test('No 3 of a person with entries from two courts shows only what No 3 may show', async () => {
    const { register, calls } = registerOf({ criminal_record_entries: [serious, short] });
    const outcome = await askBulletin(
      register,
      secretary,
      { bulletin: 'b3', identity: person, purpose: 'emploi' },
      today,
    );
    expect(outcome.kind).toBe('extract');
    expect(outcome.extract.entries.map(({ entry: e }) => e.niu)).toEqual([serious.niu]);
    const printed = bulletinLines(outcome.extract, 'fr').join('\n');
    expect(printed).toContain(serious.niu);
    // Nothing of the excluded entry: not its NIU, its court, its offence.
    expect(printed).not.toContain(String(short.niu));
    expect(printed).not.toContain('Yaoundé');
    expect(printed).not.toContain('Outrage');
    // Who asks and why went with both requests; the search fixed the identity.
    expect(calls.map((c) => c.table)).toEqual(['criminal_record_entries', 'criminal_record_annotations']);
    expect(calls[0]?.declaration).toMatchObject({
      requestedBy: 'zambo',
      purpose: 'emploi',
      detail: { bulletin: 'b3' },
    });
    expect(calls[0]?.conditions).toEqual([
      { field: 'person_surname', op: 'in', value: ['Kobila', 'KOBILA'] },
      { field: 'person_date_of_birth', op: '=', value: '1990-04-17' },
    ]);
  });

  test('No 2 shows both; a removal annotation takes an entry off every bulletin', async () => {
    const removal = {
      status: 4,
      entry_niu: short.niu,
      kind: 'removal',
      effective_date: '2024-01-01',
      authority: 'CA',
    };
    const { register } = registerOf({
      criminal_record_entries: [serious, short],
      criminal_record_annotations: [],
    });
    const b2 = await askBulletin(
      register,
      secretary,
      { bulletin: 'b2', identity: person, purpose: 'concours' },
      today,
    );
    expect(b2.extract.entries).toHaveLength(2);
    const removed = registerOf({
      criminal_record_entries: [serious, short],
      criminal_record_annotations: [removal],
    });
    const b1 = await askBulletin(
      removed.register,
      clerk,
      { bulletin: 'b1', identity: person, purpose: 'instruction' },
      today,
    );
    expect(b1.extract.entries.map(({ entry: e }) => e.niu)).toEqual([serious.niu]);
  });

  test('namesakes: asks for more identity fields and prints nobody', async () => {
    const namesake = entry('200703-2019-0000002-00', 'Bertoua', {
      father_surname: 'Ngono',
      mother_surname: 'Essomba',
    });
    const { register, calls } = registerOf({ criminal_record_entries: [serious, namesake] });
    const refused = await askBulletin(
      register,
      clerk,
      { bulletin: 'b1', identity: person, purpose: 'x-y-z' },
      today,
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(JurisError);
    expect((refused as JurisError).code).toBe('not-identified');
    expect((refused as JurisError).message).toContain('father_surname');
    // The annotations were never asked for.
    expect(calls).toHaveLength(1);
    const told = await askBulletin(
      register,
      clerk,
      { bulletin: 'b1', identity: { ...person, father_surname: 'ngono' }, purpose: 'x-y-z' },
      today,
    );
    expect(told.extract.entries.map(({ entry: e }) => e.niu)).toEqual([namesake.niu]);
  });

  test('No 1 for the clerk only; a purpose and the whole identity are needed; nobody found prints NIL', async () => {
    const { register, calls } = registerOf({ criminal_record_entries: [] });
    await expect(
      askBulletin(register, secretary, { bulletin: 'b1', identity: person, purpose: 'instruction' }, today),
    ).rejects.toBeInstanceOf(SiteKitError);
    await expect(
      askBulletin(register, clerk, { bulletin: 'b3', identity: person, purpose: '' }, today),
    ).rejects.toMatchObject({ code: 'usage' });
    const { person_place_of_birth: _, ...partial } = person;
    await expect(
      askBulletin(register, clerk, { bulletin: 'b3', identity: partial, purpose: 'emploi' }, today),
    ).rejects.toMatchObject({ code: 'usage' });
    expect(calls).toHaveLength(0);
    const none = await askBulletin(
      register,
      clerk,
      { bulletin: 'b3', identity: person, purpose: 'emploi' },
      today,
    );
    expect(none.kind).toBe('none');
    expect(bulletinLines(none.extract, 'en')).toEqual([`Bulletin No 3 — ${today}`, 'NIL']);
  });
});
