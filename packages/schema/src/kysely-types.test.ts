import { date, defineExchangedTable, oneOf, text } from '@xmcomm/contract';
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import { expectTypeOf, test } from 'vitest';
import type { ServerDatabase, SiteDatabase } from './database.js';
import type { KyselyTableOf } from './kysely-types.js';

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

test('timestamps with a database default may be omitted on insert and set on update', () => {
  type Users = ServerDatabase['xm_system.users'];
  expectTypeOf<Insertable<Users>['created_at']>().toEqualTypeOf<Date | string | undefined>();
  expectTypeOf<Updateable<Users>['updated_at']>().toEqualTypeOf<Date | string | undefined>();
  expectTypeOf<Selectable<Users>['updated_at']>().toEqualTypeOf<Date>();
});
