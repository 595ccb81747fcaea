import { readFileSync } from 'node:fs';
import { type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FormsError, installForm, listForms, loadForms, serverFormsMigrations } from '../src/index.js';

// Installing definitions in a server database, on PGlite (default) and PostgreSQL (DATABASE_URL).

const example = (name: string) =>
  readFileSync(new URL(`../../../apps/docstream/examples/${name}.json`, import.meta.url), 'utf8');
const diploma = example('diploma');
const card = example('registration-card');

/** The diploma definition with changes, as an operator would edit the file. */
function edited(
  change: (definition: { version: number; fields: Record<string, unknown>[] }) => void,
): string {
  const definition = JSON.parse(diploma);
  change(definition);
  return JSON.stringify(definition, null, 2);
}

let server: TestDatabase<ServerDatabase>;

beforeAll(async () => {
  server = await createTestDatabase<ServerDatabase>({
    migrations: { ...serverMigrations, ...serverFormsMigrations },
  });
}, 120_000);
afterAll(async () => {
  await server?.close();
});

async function refusal(source: string): Promise<FormsError> {
  const error = await installForm(server.db, 'server', source, { by: 'op' }).catch((e: unknown) => e);
  if (!FormsError.isInstance(error)) throw new Error(`expected a FormsError, got ${String(error)}`);
  return error;
}

describe('installing a form on the server', () => {
  test('a new form: its table exists with the lifecycle guard, the version is recorded', async () => {
    const installed = await installForm(server.db, 'server', diploma, { by: 'op' });
    expect(installed).toMatchObject({ name: 'diploma', version: 1, table: 'diplomas', outcome: 'installed' });
    const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns
      where table_schema = 'xm_data' and table_name = 'diplomas'`.execute(server.db);
    expect(columns.rows.map((row) => row.column_name)).toEqual(
      expect.arrayContaining(['numero', 'niu', 'holder_surname', 'mention', 'validated_at']),
    );
    // The contract's CHECK constraints are there: the database refuses what validation refuses.
    await expect(
      sql`insert into xm_data.diplomas (holder_surname, holder_given_names, date_of_birth, place_of_birth, diploma, session_year, mention, date_of_deliberation, date_of_issue, institution)
          values ('A', 'B', '2000-01-01', 'C', 'phd', 2020, 'bien', '2020-07-01', '2020-08-01', 'D')`.execute(
        server.db,
      ),
    ).rejects.toThrow();
    expect((await listForms(server.db, 'server')).map((form) => form.name)).toEqual(['diploma']);
  });

  test('the same file again changes nothing; the same version with other content is refused', async () => {
    expect((await installForm(server.db, 'server', diploma, { by: 'op' })).outcome).toBe('unchanged');
    const conflict = await refusal(edited((d) => ((d.fields[0] as { maxLength: number }).maxLength = 90)));
    expect(conflict.code).toBe('version-conflict');
  });

  test('a new version that adds an optional field at the end extends the table; rows stay', async () => {
    const v2 = edited((d) => {
      d.version = 2;
      d.fields.push({
        name: 'remarks',
        type: 'text',
        maxLength: 200,
        label: { en: 'Remarks', fr: 'Observations' },
      });
    });
    const installed = await installForm(server.db, 'server', v2, { by: 'op' });
    expect(installed).toMatchObject({ version: 2, outcome: 'updated', addedColumns: ['remarks'] });
    const forms = await loadForms(server.db, 'server');
    expect(forms[0]?.definition.version).toBe(2);
    await sql`select remarks from xm_data.diplomas`.execute(server.db);
  });

  test('an older version, a changed field, a required new field and a second form on the table are refused', async () => {
    expect((await refusal(diploma)).code).toBe('older-version');
    const changed = edited((d) => {
      d.version = 3;
      (d.fields[0] as { maxLength: number }).maxLength = 90;
    });
    expect((await refusal(changed)).code).toBe('incompatible-change');
    const required = edited((d) => {
      d.version = 3;
      d.fields.push({ name: 'remarks', type: 'text', maxLength: 200, label: { en: 'R', fr: 'R' } });
      d.fields.push({
        name: 'grade',
        type: 'text',
        maxLength: 2,
        required: true,
        label: { en: 'G', fr: 'G' },
      });
    });
    expect((await refusal(required)).code).toBe('incompatible-change');
    const thief = JSON.stringify({ ...JSON.parse(card), table: 'diplomas' });
    expect((await refusal(thief)).code).toBe('table-exists');
  });

  test('a broken file is refused with its problems, nothing is written', async () => {
    const error = await refusal('{"format": "xmcomm-form/1"}');
    expect(error.code).toBe('invalid-definition');
    expect(error.problems.length).toBeGreaterThan(3);
    expect((await listForms(server.db, 'server')).length).toBe(1);
  });

  test('fingerprints are per table: installing or changing one form leaves the other as it was', async () => {
    const before = (await listForms(server.db, 'server')).find(
      (form) => form.name === 'diploma',
    )?.fingerprint;
    await installForm(server.db, 'server', card, { by: 'op' });
    const v2 = JSON.stringify({
      ...JSON.parse(card),
      version: 2,
      fields: [
        ...JSON.parse(card).fields,
        { name: 'phone', type: 'text', maxLength: 20, label: { en: 'Phone', fr: 'Téléphone' } },
      ],
    });
    await installForm(server.db, 'server', v2, { by: 'op' });
    const after = await listForms(server.db, 'server');
    expect(after.find((form) => form.name === 'diploma')?.fingerprint).toBe(before);
    expect(after.map((form) => `${form.name} v${form.version}`)).toEqual([
      'diploma v2',
      'registration-card v2',
    ]);
  });
});
