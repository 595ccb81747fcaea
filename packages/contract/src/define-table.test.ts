import { describe, expect, test } from 'vitest';
import { text } from './columns.js';
import { defineExchangedTable, defineSystemTable } from './define-table.js';
import { SchemaError } from './errors.js';
import { births } from './tables/civil-registration.js';

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
});
