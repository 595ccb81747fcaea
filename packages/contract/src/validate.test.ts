import { describe, expect, test } from 'vitest';
import { boolean, smallint, text, timestamp } from './columns.js';
import { defineSystemTable } from './define-table.js';
import { births, deaths } from './tables/civil-registration.js';
import { sampleBirth as validBirth } from './testing.js';
import { dataColumns, isExistingDate, validateRow } from './validate.js';

/** A system table with defaults and optional columns, shaped like the server's clients. */
const clients = defineSystemTable('xm_system', 'clients', {
  matricule: text({ maxLength: 32, required: true }),
  name: text({ maxLength: 150, required: true }),
  status: smallint({ required: true, min: 0, max: 3, default: 0 }),
  region: text({ maxLength: 100 }),
  password_hash: text({ maxLength: 255, required: true }),
  must_change_password: boolean({ required: true, default: true }),
  created_at: timestamp({ required: true, default: 'now' }),
  centre_code: text({ maxLength: 32 }),
});

describe('validateRow', () => {
  test('accepts a valid birth, normalises the time and fills absent optional fields with null', () => {
    const result = validateRow(births, validBirth);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.time_of_birth).toBe('06:45:00');
    expect(result.value.father_surname).toBeNull();
    expect(result.value.child_given_names).toBe('Marie Claire');
  });

  test('ignore: fields left out of the value without an unknown-field error', () => {
    const row = { numero: 7, status: 2, ...validBirth };
    const refused = validateRow(births, row);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.map((e) => e.field)).toEqual(['numero', 'status']);
    const checked = validateRow(births, row, { ignore: new Set(['numero', 'status']) });
    expect(checked).toEqual(validateRow(births, validBirth));
    const unknown = validateRow(births, { ...row, colour: 'red' }, { ignore: new Set(['numero', 'status']) });
    expect(unknown.ok ? [] : unknown.errors.map((e) => [e.field, e.code])).toEqual([
      ['colour', 'unknown-field'],
    ]);
  });

  test('refuses a 31 February, a missing required field, a wrong enum value and an over-long name, each by field', () => {
    const { child_surname: _, ...withoutSurname } = validBirth;
    const result = validateRow(births, {
      ...withoutSurname,
      date_of_birth: '2023-02-31',
      child_sex: 'boy',
      mother_given_names: 'x'.repeat(151),
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byField = Object.fromEntries(result.errors.map((e) => [e.field, e.code]));
    expect(byField).toEqual({
      child_surname: 'required',
      date_of_birth: 'invalid-date',
      child_sex: 'not-allowed',
      mother_given_names: 'too-long',
    });
    const sex = result.errors.find((e) => e.field === 'child_sex');
    expect(sex?.message).toContain('male, female, undetermined');
    expect(sex?.messageFr).toContain("doit être l'une des valeurs");
  });

  test('refuses unknown fields, wrong types, out-of-range numbers and badly formatted codes', () => {
    const result = validateRow(births, {
      ...validBirth,
      favourite_colour: 'blue',
      weight_at_birth_grams: '3150',
      mother_children_born_alive: 0,
      mother_nationality: 'cm',
      time_of_birth: '25:00',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.fromEntries(result.errors.map((e) => [e.field, e.code]))).toEqual({
      favourite_colour: 'unknown-field',
      weight_at_birth_grams: 'type',
      mother_children_born_alive: 'out-of-range',
      mother_nationality: 'invalid-format',
      time_of_birth: 'invalid-time',
    });
  });

  test('counts length in characters, not bytes, as varchar does', () => {
    const result = validateRow(births, { ...validBirth, child_surname: 'é'.repeat(100) });
    expect(result.ok).toBe(true);
    // Outside the BMP a character is two UTF-16 units: 100 of them still fit varchar(100).
    expect(validateRow(births, { ...validBirth, child_surname: '𓀀'.repeat(100) }).ok).toBe(true);
    expect(validateRow(births, { ...validBirth, child_surname: '𓀀'.repeat(101) }).ok).toBe(false);
  });

  test('does not let a caller set lifecycle columns through a form', () => {
    const result = validateRow(births, { ...validBirth, status: 4, numero: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field).sort()).toEqual(['numero', 'status']);
  });

  test('validates the status of a system table as ordinary data', () => {
    const client = { matricule: 'CEC-0001', name: 'Centre de Yaoundé I', password_hash: '$scrypt$…' };
    expect(validateRow(clients, { ...client, status: 3 }).ok).toBe(true);
    const refused = validateRow(clients, { ...client, status: 4 });
    expect(refused.ok ? [] : refused.errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      'status:out-of-range',
    ]);
  });

  test('checks ICD codes on deaths and refuses a non-object row', () => {
    const death = validateRow(deaths, { cause_of_death_icd: 'I21.9' });
    expect(death.ok).toBe(false);
    if (!death.ok) expect(death.errors.some((e) => e.field === 'cause_of_death_icd')).toBe(false);
    expect(validateRow(births, null).ok).toBe(false);
    expect(validateRow(births, [validBirth]).ok).toBe(false);
  });
});

describe('validateRow edge cases', () => {
  const birth = (changes: Record<string, unknown>) => validateRow(births, { ...validBirth, ...changes });
  const codes = (result: ReturnType<typeof validateRow>) =>
    result.ok ? [] : result.errors.map((e) => `${e.field}:${e.code}`);

  test.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['0000-01-01', false],
    ['0001-01-01', true],
    ['2024-06-31', false],
    ['2024-00-10', false],
    ['2024-01-00', false],
    ['2024-01-01 ', false],
    ['2024/01/01', false],
    ['２０２４-01-01', false],
  ])('date %s accepted: %s', (date_of_birth, accepted) => {
    expect(codes(birth({ date_of_birth }))).toEqual(accepted ? [] : ['date_of_birth:invalid-date']);
    expect(codes(birth({ date_of_birth: 20240229 }))).toEqual(['date_of_birth:type']);
  });

  test.each([
    ['00:00', '00:00:00'],
    ['23:59', '23:59:00'],
    ['23:59:59', '23:59:59'],
    ['09:05:07', '09:05:07'],
    ['24:00', undefined],
    ['19:60', undefined],
    ['12:30:60', undefined],
    ['2:30', undefined],
    ['12:3', undefined],
    ['12:30:', undefined],
    ['12:30:00 ', undefined],
    ['12-30', undefined],
    ['０6:45', undefined],
  ])('time %s is stored as %s', (time_of_birth, stored) => {
    const result = birth({ time_of_birth });
    if (stored === undefined) expect(codes(result)).toEqual(['time_of_birth:invalid-time']);
    else expect(result.ok && result.value.time_of_birth).toBe(stored);
  });

  test('refuses an enumeration value that is only a property name, and a non-string', () => {
    expect(codes(birth({ child_sex: 'constructor', attendant: 'toString', place_of_birth_type: 1 }))).toEqual(
      ['child_sex:not-allowed', 'place_of_birth_type:type', 'attendant:not-allowed'],
    );
  });

  test('refuses U+0000 in a text, which PostgreSQL could not store, and keeps other control characters', () => {
    expect(
      codes(birth({ child_surname: 'Nul\u0000', remarks: '\u0000', mother_nationality: 'C\u0000M' })),
    ).toEqual([
      'child_surname:invalid-format',
      'mother_nationality:invalid-format',
      'remarks:invalid-format',
    ]);
    const kept = birth({ remarks: 'tab\there\nline\u0001\u007f' });
    expect(kept.ok && kept.value.remarks).toBe('tab\there\nline\u0001\u007f');
  });

  test('counts characters outside the BMP at the limit, with the limit in the message', () => {
    expect(birth({ child_surname: `${'𓀀'.repeat(99)}x` }).ok).toBe(true);
    const refused = birth({ child_surname: `${'𓀀'.repeat(100)}x` });
    expect(refused.ok ? [] : refused.errors).toEqual([
      {
        field: 'child_surname',
        code: 'too-long',
        message: 'child_surname is longer than 100 characters.',
        messageFr: 'child_surname dépasse 100 caractères.',
      },
    ]);
  });

  test('reports unknown fields first, in the row order, then the columns in table order', () => {
    const { child_surname: _, weight_at_birth_grams: __, ...rest } = validBirth;
    const result = validateRow(births, {
      zeta: 1,
      weight_at_birth_grams: 1,
      ...rest,
      alpha: 2,
      date_of_birth: '2023-02-29',
    });
    expect(codes(result)).toEqual([
      'zeta:unknown-field',
      'alpha:unknown-field',
      'child_surname:required',
      'date_of_birth:invalid-date',
      'weight_at_birth_grams:out-of-range',
    ]);
    expect(result.ok ? undefined : result.errors[4]?.message).toBe(
      'weight_at_birth_grams must be between 200 and 8000.',
    );
  });

  test('gives every column in table order whatever the row order, the same from the first row to the hundredth', () => {
    const reversed = Object.fromEntries(Object.entries(validBirth).reverse());
    const first = validateRow(births, reversed);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const expected = dataColumns(births);
    expect(Object.keys(first.value)).toEqual(expected);
    for (let i = 0; i < 100; i++) {
      const again = validateRow(births, i % 2 === 0 ? validBirth : reversed);
      expect(again.ok && Object.keys(again.value)).toEqual(expected);
      expect(again).toEqual(first);
    }
  });

  test('leaves an absent column with a database default out of the value, and keeps a given null', () => {
    const client = { matricule: 'CEC-0001', name: 'Centre de Yaoundé I', password_hash: '$scrypt$…' };
    for (let i = 0; i < 20; i++) {
      const absent = validateRow(clients, client);
      expect(absent.ok && Object.keys(absent.value)).toEqual([
        'matricule',
        'name',
        'region',
        'password_hash',
        'centre_code',
      ]);
      const given = validateRow(clients, { ...client, status: null, created_at: '2024-01-01T00:00:00Z' });
      expect(given.ok && given.value.status).toBeNull();
      expect(given.ok && given.value.created_at).toEqual(new Date('2024-01-01T00:00:00Z'));
      expect(given.ok && Object.keys(given.value)).toEqual([
        'matricule',
        'name',
        'status',
        'region',
        'password_hash',
        'created_at',
        'centre_code',
      ]);
    }
  });
});

test.each([
  ['2024-02-29', true],
  ['2023-02-29', false],
  ['1900-02-29', false],
  ['2000-02-29', true],
  ['2024-04-31', false],
  ['2024-12-31', true],
  ['2024-13-01', false],
  ['2024-1-01', false],
  ['0000-01-01', false],
])('isExistingDate(%s) is %s', (text, expected) => {
  expect(isExistingDate(text)).toBe(expected);
});

test.each([
  ['2024-02-30', false],
  ['2024-06-30', true],
  ['2024-06-31', false],
  ['0001-01-01', true],
  ['9999-12-31', true],
  ['2024-00-01', false],
  ['2024-01-00', false],
  ['2024-01-32', false],
  ['2024/01/01', false],
  ['+024-01-01', false],
  ['2024-01-01 ', false],
  ['2024-01-01\n', false],
  ['２０２４-01-01', false],
  ['', false],
])('isExistingDate(%j) is %s', (text, expected) => {
  expect(isExistingDate(text)).toBe(expected);
});
