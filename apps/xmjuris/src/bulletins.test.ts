import type { Row } from '@xmcomm/site-kit';
import { describe, expect, test } from 'vitest';
import {
  addMonths,
  type Bulletin,
  type BulletinRules,
  exclusionsOf,
  extractOf,
  frenchBulletinRules,
  type RecordEntry,
  rulesInForce,
  unsuspendedMonths,
} from './bulletins.js';

const today = '2026-12-07';

/** Three years of prison without suspension for an adult: on every bulletin, no rule matches. */
const serious: Row = {
  status: 4,
  niu: '100001-2018-0000001-00',
  reference: '103/SD/Just/2018',
  person_surname: 'Kobila',
  decision_date: '2018-06-18',
  offence_class: 'misdemeanour',
  main_penalty: 'imprisonment',
  prison_months: 36,
  suspension: 'none',
  minor_at_the_time: false,
  excluded_from_b2: false,
};

const note = (kind: string, effective_date = '2020-01-01'): Row => ({
  status: 4,
  entry_niu: serious.niu,
  kind,
  effective_date,
});

interface Case {
  readonly why: string;
  /** The rule expected to match, or none. */
  readonly rule?: string;
  readonly entry?: Row;
  readonly annotations?: readonly Row[];
  readonly on: Readonly<Record<Bulletin, boolean>>;
}

const all = { b1: true, b2: true, b3: true };
const b1Only = { b1: true, b2: false, b3: false };
const notB3 = { b1: true, b2: true, b3: false };

// One row per rule of the French table (and the cases next to its edge), each with the bulletins the
// entry must appear on.
const cases: readonly Case[] = [
  { why: 'a serious unsuspended sentence', on: all },
  {
    why: 'a removal',
    rule: 'removed',
    annotations: [note('removal')],
    on: { b1: false, b2: false, b3: false },
  },
  { why: 'a removal dated after today', annotations: [note('removal', '2027-01-01')], on: all },
  { why: 'a decision on a minor', rule: 'minor', entry: { minor_at_the_time: true }, on: b1Only },
  {
    why: 'a petty offence',
    rule: 'petty-offence',
    entry: { offence_class: 'petty-offence', main_penalty: 'fine', prison_months: null },
    on: b1Only,
  },
  {
    why: 'a fully suspended sentence whose probation ended',
    rule: 'lapsed-suspension',
    entry: { suspension: 'full', probation_months: 60, decision_date: '2021-12-07' },
    on: b1Only,
  },
  {
    why: 'a fully suspended sentence still on probation',
    rule: 'b3-not-serious',
    entry: { suspension: 'full', probation_months: 60, decision_date: '2021-12-08' },
    on: notB3,
  },
  {
    why: 'a lapsed probation whose suspension was revoked',
    entry: { suspension: 'full', probation_months: 24, decision_date: '2018-06-18' },
    annotations: [note('suspension-revoked', '2019-01-01')],
    on: all,
  },
  { why: 'an exclusion by the court', rule: 'court-excluded', entry: { excluded_from_b2: true }, on: b1Only },
  { why: 'a rehabilitation', rule: 'rehabilitated', annotations: [note('rehabilitation')], on: b1Only },
  { why: 'an amnesty', rule: 'amnestied', annotations: [note('amnesty')], on: b1Only },
  { why: 'a pardon (mentioned, excludes nothing)', annotations: [note('pardon')], on: all },
  {
    why: 'an end of sentence (mentioned, excludes nothing)',
    annotations: [note('end-of-sentence')],
    on: all,
  },
  { why: 'two years exactly', rule: 'b3-not-serious', entry: { prison_months: 24 }, on: notB3 },
  { why: 'a fine', rule: 'b3-not-serious', entry: { main_penalty: 'fine', prison_months: null }, on: notB3 },
  {
    why: 'a partly suspended sentence leaving 24 months',
    rule: 'b3-not-serious',
    entry: { suspension: 'partial', prison_months: 48, suspended_months: 24, probation_months: 36 },
    on: notB3,
  },
  {
    why: 'a partly suspended sentence leaving 25 months',
    entry: { suspension: 'partial', prison_months: 48, suspended_months: 23, probation_months: 36 },
    on: all,
  },
  {
    why: 'a fine with a current ban',
    entry: { main_penalty: 'fine', prison_months: null, bans: 'Driving', bans_until: '2027-06-01' },
    on: all,
  },
  {
    why: 'a fine with a ban without end',
    entry: { main_penalty: 'fine', prison_months: null, bans: 'Public office' },
    on: all,
  },
  {
    why: 'a fine with a ban that ended',
    rule: 'b3-not-serious',
    entry: { main_penalty: 'fine', prison_months: null, bans: 'Driving', bans_until: today },
    on: notB3,
  },
  {
    why: 'a cancelled entry',
    rule: 'cancelled',
    entry: { status: 0 },
    on: { b1: false, b2: false, b3: false },
  },
];

describe('the French bulletin rules', () => {
  test.each(cases)('$why', ({ rule, entry, annotations, on }) => {
    const record: RecordEntry = { entry: { ...serious, ...entry }, annotations: annotations ?? [] };
    for (const bulletin of ['b1', 'b2', 'b3'] as const) {
      const exclusions = exclusionsOf(record, bulletin, today);
      expect(exclusions.length === 0, `${bulletin}: ${exclusions.join(', ')}`).toBe(on[bulletin]);
      if (!on[bulletin] && rule) expect(exclusions).toContain(rule);
    }
  });

  test('every rule of the table has a case that it decides', () => {
    const tested = new Set(cases.map((c) => c.rule));
    for (const rule of frenchBulletinRules.rules) expect(tested, rule.id).toContain(rule.id);
  });

  // An extract leaks no entry its bulletin excludes: the excluded entry, among others that appear,
  // leaves nothing of itself (its NIU, its reference) in what the bulletin returns.
  test.each(cases.filter((c) => c.rule))('an extract leaks nothing of $why', ({ entry, annotations, on }) => {
    const other: RecordEntry = {
      entry: {
        ...serious,
        niu: '100002-2019-0000009-00',
        reference: 'OTHER/2019',
        decision_date: '2019-01-01',
      },
      annotations: [],
    };
    const excluded: RecordEntry = {
      entry: { ...serious, ...entry, niu: '100003-2020-0000042-00', reference: 'SECRET/2020' },
      annotations: (annotations ?? []).map((row) => ({ ...row, entry_niu: '100003-2020-0000042-00' })),
    };
    for (const bulletin of ['b1', 'b2', 'b3'] as const) {
      const extract = extractOf(bulletin, [excluded, other], today);
      const printed = JSON.stringify(extract);
      expect(printed).toContain('OTHER/2019');
      if (!on[bulletin]) {
        expect(printed).not.toContain('SECRET/2020');
        expect(printed).not.toContain('100003-2020-0000042');
        expect(extract.entries).toHaveLength(1);
      } else {
        expect(extract.entries).toHaveLength(2);
      }
    }
  });

  test('an extract lists oldest decision first, with only the annotations in effect', () => {
    const later: RecordEntry = {
      entry: { ...serious, niu: 'N2', decision_date: '2020-01-01' },
      annotations: [
        note('pardon', '2021-01-01'),
        note('pardon', '2027-01-01'),
        { ...note('pardon'), status: 0 },
      ],
    };
    const earlier: RecordEntry = {
      entry: { ...serious, niu: 'N1', decision_date: '2010-01-01' },
      annotations: [],
    };
    const extract = extractOf('b1', [later, earlier], today);
    expect(extract.entries.map((record) => record.entry.niu)).toEqual(['N1', 'N2']);
    expect(extract.entries[1]?.annotations.map((row) => row.effective_date)).toEqual(['2021-01-01']);
    expect(extract).toMatchObject({ bulletin: 'b1', today, country: 'FRA' });
  });
});

describe('a dated, replaceable table', () => {
  test('a rule applies only while in force', () => {
    const table: BulletinRules = {
      ...frenchBulletinRules,
      rules: frenchBulletinRules.rules.map((rule) =>
        rule.id === 'minor'
          ? { ...rule, from: '2027-01-01' }
          : rule.id === 'amnestied'
            ? { ...rule, until: today }
            : rule,
      ),
    };
    const minor: RecordEntry = { entry: { ...serious, minor_at_the_time: true }, annotations: [] };
    expect(exclusionsOf(minor, 'b2', today, table)).toEqual([]);
    expect(exclusionsOf(minor, 'b2', '2027-01-01', table)).toEqual(['minor']);
    const amnestied: RecordEntry = { entry: serious, annotations: [note('amnesty')] };
    expect(exclusionsOf(amnestied, 'b2', '2026-12-06', table)).toEqual(['amnestied']);
    expect(exclusionsOf(amnestied, 'b2', today, table)).toEqual([]);
    expect(rulesInForce(table, today).map((rule) => rule.id)).not.toContain('minor');
  });

  test("another country's table and threshold replace the French ones", () => {
    const table: BulletinRules = {
      country: 'CMR',
      parameters: { b3MinimumPrisonMonths: 12 },
      rules: frenchBulletinRules.rules.filter((rule) => rule.id !== 'petty-offence'),
    };
    const petty: RecordEntry = {
      entry: { ...serious, offence_class: 'petty-offence', prison_months: 18 },
      annotations: [],
    };
    expect(exclusionsOf(petty, 'b2', today)).toEqual(['petty-offence']);
    expect(exclusionsOf(petty, 'b3', today, table)).toEqual([]);
    expect(extractOf('b3', [petty], today, table).country).toBe('CMR');
  });

  test('months are added by the calendar', () => {
    expect(addMonths('2021-12-07', 60)).toBe('2026-12-07');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-11-30', 3)).toBe('2024-02-29');
    expect(unsuspendedMonths({ entry: { ...serious, suspension: 'full' }, annotations: [] }, today)).toBe(0);
  });
});
