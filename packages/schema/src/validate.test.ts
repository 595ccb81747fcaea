import { describe, expect, test } from 'vitest';
import { births, deaths } from './tables/civil-registration.js';
import { clients } from './tables/server-system.js';
import { sampleBirth as validBirth } from './testing.js';
import { isExistingDate, validateRow } from './validate.js';

describe('validateRow', () => {
  test('accepts a valid birth, normalises the time and fills absent optional fields with null', () => {
    const result = validateRow(births, validBirth);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.time_of_birth).toBe('06:45:00');
    expect(result.value.father_surname).toBeNull();
    expect(result.value.child_given_names).toBe('Marie Claire');
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
