import { describe, expect, test } from 'vitest';
import { integer, oneOf, text } from './columns.js';
import { defineExchangedTable, defineSystemTable } from './define-table.js';
import { SchemaError } from './errors.js';
import { births, deaths, marriages } from './tables/civil-registration.js';

describe('defineExchangedTable', () => {
  test('adds the implicit exchanged columns before the declared ones', () => {
    expect(Object.keys(births.columns).slice(0, 6)).toEqual([
      'numero',
      'status',
      'origin_matricule',
      'origin_numero',
      'niu',
      'child_surname',
    ]);
    expect(births.columns.status).toMatchObject({ type: 'smallint', min: 0, max: 4, required: true });
    expect(births.qualifiedName).toBe('xm_data.births');
    expect(births.uniques).toContainEqual(['origin_matricule', 'origin_numero']);
  });

  test('refuses identifiers that are not plain SQL names, and redefining implicit columns', () => {
    expect(() => defineExchangedTable('Births; drop', {})).toThrow(SchemaError);
    expect(() => defineExchangedTable('x', { 'bad name': text({ maxLength: 1 }) })).toThrow(/identifier/);
    expect(() => defineExchangedTable('x', { status: text({ maxLength: 1 }) })).toThrow(/implicit/);
    expect(() =>
      defineSystemTable('xm_site', 'x', { a: text({ maxLength: 1 }) }, { indexes: [['b']] }),
    ).toThrow(/unknown column/);
  });

  test('a sex declaration names a text column and its male and female values, outside the fingerprint', () => {
    expect(births.sex).toEqual({ column: 'child_sex', male: ['male'], female: ['female'] });
    expect(deaths.sex?.column).toBe('deceased_sex');
    // Two persons, no one sex to count.
    expect(marriages.sex).toBeUndefined();
    const columns = { person_sex: oneOf(['m', 'f', 'x'], { required: true }) };
    const plain = defineExchangedTable('people', columns);
    const declared = defineExchangedTable('people', columns, {
      sex: { column: 'person_sex', male: ['m'], female: ['f'] },
    });
    expect(declared.fingerprint).toBe(plain.fingerprint);
    const declare = (sex: { column: string; male: string[]; female: string[] }) => () =>
      defineExchangedTable('people', { ...columns, age: integer() }, { sex });
    expect(declare({ column: 'nope', male: ['m'], female: ['f'] })).toThrow(/not one of its text columns/);
    expect(declare({ column: 'age', male: ['m'], female: ['f'] })).toThrow(/not one of its text columns/);
    expect(declare({ column: 'person_sex', male: ['m'], female: ['m'] })).toThrow(/distinct values/);
    expect(declare({ column: 'person_sex', male: [], female: ['f'] })).toThrow(/distinct values/);
    expect(declare({ column: 'person_sex', male: ['male'], female: ['f'] })).toThrow(/never holds/);
  });
});
