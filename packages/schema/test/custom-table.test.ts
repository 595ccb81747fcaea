// The README's "Adding a table for a new form" example, kept runnable here.
import { afterAll, expect, test } from 'vitest';
import {
  createTablesMigration,
  type DatabaseOf,
  date,
  defineExchangedTable,
  oneOf,
  type ServerDatabase,
  serverMigrations,
  text,
  validateRow,
} from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';

const judgments = defineExchangedTable('judgments', {
  court: text({ maxLength: 100, required: true }),
  person_surname: text({ maxLength: 100, required: true }),
  offence: text({ maxLength: 300, required: true }),
  verdict: oneOf(['convicted', 'acquitted', 'dismissed'], { required: true }),
  decided_on: date({ required: true }),
  clerk: text({ maxLength: 150 }),
});

type JurisDatabase = ServerDatabase & DatabaseOf<[typeof judgments]>;

const migrations = { ...serverMigrations, '20270115-01-judgments': createTablesMigration([judgments]) };
const database = await createTestDatabase<JurisDatabase>({ migrations });
afterAll(() => database.close());

test('a new form-based client adds a table with the mechanism alone', async () => {
  const input = {
    court: 'TPI Yaoundé',
    person_surname: 'Abega',
    offence: 'Vol simple',
    verdict: 'acquitted',
    decided_on: '2026-10-02',
  };
  const checked = validateRow(judgments, input);
  expect(checked.ok).toBe(true);
  if (!checked.ok) return;
  await database.db
    .insertInto('xm_data.judgments')
    .values(checked.value as never)
    .execute();
  const stored = await database.db
    .selectFrom('xm_data.judgments')
    .select(['numero', 'status', 'verdict', 'decided_on'])
    .executeTakeFirstOrThrow();
  expect(stored).toEqual({ numero: 1, status: 1, verdict: 'acquitted', decided_on: '2026-10-02' });

  const refused = validateRow(judgments, { ...input, verdict: 'maybe', decided_on: '2026-02-30' });
  expect(refused.ok ? [] : refused.errors.map((e) => e.code)).toEqual(['not-allowed', 'invalid-date']);
});
