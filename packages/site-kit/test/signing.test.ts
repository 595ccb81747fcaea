import { afterAll, beforeAll, expect, test } from 'vitest';
import { SiteKitError } from '../src/index.js';
import { createTestKit, type TestKit, testPasswords } from '../src/testing.js';
import { licence, sampleLicence } from './licences.js';

// The head's first signature: no key exists yet, so the password cannot be checked by opening one.
// A fresh site per file, so the head has never signed (PGlite, or PostgreSQL with DATABASE_URL).

let t: TestKit;

beforeAll(async () => {
  t = await createTestKit({ recordTypes: [licence], today: () => '2026-03-15' });
});
afterAll(() => t?.close());

const keyCount = async () =>
  Number(
    (
      await t.database.db
        .selectFrom('xm_site.user_keys')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

test('a wrong password on the first validation makes no key and signs nothing', async () => {
  const { kit, agent, secretary, head } = t;
  const ref = await kit.records.draft(agent, 'licence', sampleLicence);
  await kit.records.verify(secretary, ref);
  const refused = await kit.records.validate(head, 'not-the-head-password', ref).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(SiteKitError);
  expect((refused as SiteKitError).code).toBe('key-unavailable');
  expect((refused as SiteKitError).messageFr).toContain('mot de passe');
  expect(await keyCount()).toBe(0);
  expect((await kit.records.get(head, ref)).status).toBe(1);

  const { niu } = await kit.records.validate(head, testPasswords.head, ref);
  expect(niu).toBeTruthy();
  expect(await keyCount()).toBe(1);
  expect((await kit.records.get(head, ref)).signature).toMatchObject({ signer: 'head', valid: true });
});
