import { type AnyTable, exchangedTables, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, sampleBirth, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkFilter, compileFilter, type ImportFilter } from '../src/index.js';

const tables = exchangedTables as readonly AnyTable[];
let server: TestDatabase<ServerDatabase>;

beforeAll(async () => {
  server = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
  const rows = ['Essomba', 'Atangana', "O'Neill", 'Robert'].map((surname, index) => ({
    ...sampleBirth,
    child_surname: surname,
    niu: `F-${index + 1}`,
    status: 2,
    origin_matricule: 'CEC-0001',
    origin_numero: index + 1,
  }));
  await server.db
    .insertInto('xm_data.births')
    .values(rows as never)
    .execute();
});
afterAll(() => server?.close());

async function run(filter: unknown) {
  const checked = checkFilter(filter, tables);
  if (!checked.ok) return { refused: checked.error.code };
  const query = compileFilter(server.db, checked.value, checked.value.limit);
  const rows = (await query.execute()) as { niu: string }[];
  return { rows: rows.map((r) => r.niu), sql: query.compile().sql, parameters: query.compile().parameters };
}

async function tablesAreIntact() {
  const { count } = await server.db
    .selectFrom('xm_data.births')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  expect(count).toBe(4);
  await server.db.selectFrom('xm_system.clients').select('id').execute();
}

describe('structured filters', () => {
  test('every operator, checked against the contract and run with parameters', async () => {
    const cases: [ImportFilter, string[]][] = [
      [{ table: 'births' }, ['F-1', 'F-2', 'F-3', 'F-4']],
      [{ table: 'births', conditions: [{ field: 'child_surname', op: '=', value: 'Robert' }] }, ['F-4']],
      [
        { table: 'births', conditions: [{ field: 'child_surname', op: '!=', value: 'Robert' }] },
        ['F-1', 'F-2', 'F-3'],
      ],
      [{ table: 'births', conditions: [{ field: 'origin_numero', op: '<', value: 2 }] }, ['F-1']],
      [{ table: 'births', conditions: [{ field: 'origin_numero', op: '<=', value: 2 }] }, ['F-1', 'F-2']],
      [{ table: 'births', conditions: [{ field: 'origin_numero', op: '>', value: 3 }] }, ['F-4']],
      [{ table: 'births', conditions: [{ field: 'origin_numero', op: '>=', value: 3 }] }, ['F-3', 'F-4']],
      [{ table: 'births', conditions: [{ field: 'child_surname', op: 'like', value: 'At%' }] }, ['F-2']],
      [{ table: 'births', conditions: [{ field: 'niu', op: 'in', value: ['F-1', 'F-3'] }] }, ['F-1', 'F-3']],
      [
        { table: 'births', conditions: [{ field: 'origin_numero', op: 'between', value: [2, 3] }] },
        ['F-2', 'F-3'],
      ],
      [
        { table: 'births', conditions: [{ field: 'date_of_birth', op: '=', value: '2024-02-29' }] },
        ['F-1', 'F-2', 'F-3', 'F-4'],
      ],
      [
        { table: 'births', conditions: [{ field: 'place_of_birth_facility', op: 'is-null' }] },
        ['F-1', 'F-2', 'F-3', 'F-4'],
      ],
      [{ table: 'births', order: [{ field: 'child_surname', direction: 'desc' }], limit: 2 }, ['F-4', 'F-3']],
      [{ table: 'births', limit: 2, cursor: '2' }, ['F-3', 'F-4']],
    ];
    for (const [filter, expected] of cases) {
      const result = await run(filter);
      expect(result, JSON.stringify(filter)).toMatchObject({ rows: expected });
    }
  });

  test('anything the contract does not allow is refused with a reason in both languages', () => {
    const refused = checkFilter(
      { table: 'births', conditions: [{ field: 'weight_at_birth_grams', op: '=', value: 'heavy' }] },
      tables,
    );
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'invalid-value',
        where: 'conditions[0].value',
        message: "conditions[0].value: the value does not fit the field's type",
        messageFr: 'conditions[0].value: la valeur ne correspond pas au type du champ',
      },
    });
  });
});

describe('SQL injection attempts are refused or harmless, on the real database', () => {
  const hostileNames = [
    'child_surname; drop table xm_data.births; --',
    '"child_surname"',
    'child_surname"--',
    'child_surname ',
    'CHILD_SURNAME',
    '1=1',
    'xm_system.clients.password_hash',
    'password_hash',
    'numero',
    'status',
    '__proto__',
    'constructor',
    'hasOwnProperty',
    '',
  ];
  const hostileTables = [
    'births; drop table xm_data.births',
    'xm_system.clients',
    'clients',
    'received_containers',
    'Births',
    '__proto__',
    'xm_data.births',
    'pg_catalog.pg_user',
  ];
  const hostileOperators = [
    '= 1 or 1=1 --',
    ';',
    '==',
    'LIKE',
    'or',
    'in (select 1)',
    '= ANY',
    'is not null',
    'is-null; drop',
  ];
  const hostileValues = [
    "' or '1'='1",
    "'; drop table xm_data.births; --",
    "Robert'); DROP TABLE births;--",
    "\\'; select pg_sleep(5); --",
    '$$ or true $$',
    'Robert\u0000',
  ];

  test('hostile field names are refused as unknown fields', async () => {
    for (const field of hostileNames) {
      expect(await run({ table: 'births', conditions: [{ field, op: '=', value: 'x' }] }), field).toEqual({
        refused: 'unknown-field',
      });
      expect(await run({ table: 'births', order: [{ field }] }), field).toEqual({ refused: 'invalid-order' });
    }
    await tablesAreIntact();
  });

  test('hostile table names are refused as unknown tables', async () => {
    for (const table of hostileTables)
      expect(await run({ table }), table).toEqual({ refused: 'unknown-table' });
    await tablesAreIntact();
  });

  test('hostile operators, directions, limits and cursors are refused', async () => {
    for (const op of hostileOperators) {
      expect(await run({ table: 'births', conditions: [{ field: 'niu', op, value: 'x' }] }), op).toEqual({
        refused: 'unknown-operator',
      });
    }
    for (const direction of ['desc; drop table xm_data.births', 'asc nulls first', 'DESC']) {
      expect(await run({ table: 'births', order: [{ field: 'niu', direction }] })).toEqual({
        refused: 'invalid-order',
      });
    }
    for (const cursor of ['1; drop table xm_data.births', '-1', '1e3', '0x10', ' 1', '1 ', '99999999999']) {
      expect(await run({ table: 'births', cursor }), cursor).toEqual({ refused: 'invalid-cursor' });
    }
    for (const limit of [-1, 0, 1.5, '10', 1e9, Number.NaN]) {
      expect(await run({ table: 'births', limit })).toEqual({ refused: 'invalid-limit' });
    }
    await tablesAreIntact();
  });

  test('hostile values are parameters: they match nothing and never appear in the SQL text', async () => {
    for (const value of hostileValues) {
      for (const [op, v] of [
        ['=', value],
        ['like', value],
        ['in', [value, 'x']],
      ] as const) {
        const result = await run({ table: 'births', conditions: [{ field: 'child_surname', op, value: v }] });
        if ('refused' in result) {
          // A value the column cannot hold (NUL, too long) is refused before SQL, which is fine too.
          expect(result.refused).toBe('invalid-value');
          continue;
        }
        expect(result.rows, value).toEqual([]);
        expect(result.sql).not.toContain(value);
        expect(result.parameters).toContain(value);
      }
    }
    await tablesAreIntact();
  });

  test('values of the wrong shape are refused', async () => {
    const attempts: unknown[] = [
      { field: 'child_surname', op: '=', value: { toString: 'x' } },
      { field: 'child_surname', op: '=', value: ['a'] },
      { field: 'child_surname', op: '=', value: null },
      { field: 'origin_numero', op: '=', value: '1 or 1=1' },
      { field: 'origin_numero', op: 'between', value: [1] },
      { field: 'origin_numero', op: 'in', value: [] },
      { field: 'date_of_birth', op: '<', value: "2024-01-01' or '1'='1" },
      { field: 'child_surname', op: 'is-null', value: 'x' },
      'child_surname = 1',
      null,
    ];
    for (const condition of attempts) {
      const result = await run({ table: 'births', conditions: [condition] });
      expect(result, JSON.stringify(condition)).toHaveProperty('refused');
    }
    expect(await run('select * from xm_system.clients')).toEqual({ refused: 'not-an-object' });
    await tablesAreIntact();
  });
});
