import type { Generated } from 'kysely';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { date, oneOf, text } from './columns.js';
import type { ServerDatabase, SiteDatabase } from './database.js';
import { defineExchangedTable, defineSystemTable, type KyselyTableOf } from './define-table.js';
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

  test('derives Kysely types from the same definition', () => {
    const judgments = defineExchangedTable('judgments', {
      court: text({ maxLength: 100, required: true }),
      verdict: oneOf(['guilty', 'acquitted']),
      decided_on: date({ required: true }),
    });
    type Judgment = KyselyTableOf<typeof judgments>;
    expectTypeOf<Judgment['court']>().toEqualTypeOf<string>();
    expectTypeOf<Judgment['verdict']>().toEqualTypeOf<'guilty' | 'acquitted' | null>();
    expectTypeOf<Judgment['numero']>().toEqualTypeOf<Generated<number>>();
    expectTypeOf<ServerDatabase['xm_data.births']['child_sex']>().toEqualTypeOf<
      'male' | 'female' | 'undetermined'
    >();
    expectTypeOf<SiteDatabase['xm_site.outbox']['payload']>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<ServerDatabase['xm_system.clients']['matricule']>().toEqualTypeOf<string>();
  });
});

test('timestamps with a database default may be omitted on insert and set on update', () => {
  type Users = ServerDatabase['xm_system.users'];
  expectTypeOf<import('kysely').Insertable<Users>['created_at']>().toEqualTypeOf<Date | string | undefined>();
  expectTypeOf<import('kysely').Updateable<Users>['updated_at']>().toEqualTypeOf<Date | string | undefined>();
  expectTypeOf<import('kysely').Selectable<Users>['updated_at']>().toEqualTypeOf<Date>();
});
