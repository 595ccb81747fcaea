import { type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { checkCentreSettings, EcrError, openCentreDatabase, readCentre, saveCentre } from '../src/index.js';

// The centre's identity and database now go through the site kit's settings (shared with XMJuris):
// ECR's errors, codes and messages stay what they were.

let database: TestDatabase<SiteDatabase>;
beforeAll(async () => {
  database = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
});
afterAll(() => database?.close());

const refusal = (run: () => unknown): EcrError => {
  try {
    run();
  } catch (error) {
    if (error instanceof EcrError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

test.each([
  [
    { matricule: 'bad matricule', centreCode: '100001' },
    'usage',
    'The matricule is 1-32 letters, digits, dots, dashes or underscores.',
  ],
  [{ matricule: 'CEC-01', centreCode: '1001' }, 'usage', 'The centre code is 6 digits.'],
  [
    { matricule: 'CEC-01', centreCode: '100001', caCertificatePem: 'not a certificate' },
    'configuration',
    'Configuration problem: the national CA certificate is not a PEM X.509 certificate.',
  ],
])('%o is refused as ECR said it', (settings, code, message) => {
  const error = refusal(() => checkCentreSettings(settings));
  expect(error.code).toBe(code);
  expect(error.message).toBe(message);
  expect(error.messageIn('fr')).not.toBe(message);
});

test('a password in a PostgreSQL URL is a configuration problem that does not show it', async () => {
  const error = await openCentreDatabase('postgres://centre:s3cret@127.0.0.1:5432/centre').catch((e) => e);
  expect(error).toBeInstanceOf(EcrError);
  expect(error.code).toBe('configuration');
  expect(error.message).toMatch(/^Configuration problem: .* carries a password: put it in PGPASSWORD/);
  expect(error.message).not.toContain('s3cret');
});

test('the centre is kept under ecr.centre, where databases made before keep it', async () => {
  await saveCentre(database.db, { matricule: 'CEC-YDE-01', centreCode: '102034', name: 'Yaoundé I' });
  expect(await readCentre(database.db)).toEqual({
    matricule: 'CEC-YDE-01',
    centreCode: '102034',
    name: 'Yaoundé I',
  });
  const row = await database.db
    .selectFrom('xm_site.settings')
    .select('key')
    .where('key', '=', 'ecr.centre')
    .executeTakeFirst();
  expect(row).toEqual({ key: 'ecr.centre' });
});
