import { generateKeyPairSync } from 'node:crypto';
import { openDatabase, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, withRollback } from '@xmcomm/schema/testing';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, test } from 'vitest';
import {
  balanceOf,
  checkClientLimit,
  checkUserLimit,
  editionLimits,
  type Licence,
  type RegisterClientResult,
  registerClient,
  verifyLicence,
} from '../src/index.js';
import { signLicence } from '../tools/licence-signer.js';

const database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
afterAll(() => database.close());
const onPostgres = database.kind === 'postgres';

const publisher = generateKeyPairSync('ed25519');
const now = new Date('2027-01-10T00:00:00Z');
const verified = verifyLicence(
  signLicence(
    {
      organisation: 'MINDDEVEL',
      licenceNumber: 'L-42',
      clientLimit: 1_000,
      issuedOn: '2026-12-01',
      expiresOn: '2027-06-30',
    },
    publisher.privateKey,
  ),
  { publicKey: publisher.publicKey, now },
);
if (!verified.ok) throw verified.error;
const licence: Licence = verified.value;

const register = (
  db: Kysely<ServerDatabase>,
  matricule: string,
  options: { licence?: Licence; now?: Date } = {},
) =>
  registerClient(
    db,
    { matricule, name: `Centre ${matricule}`, passwordHash: '$scrypt$test' },
    { now, ...options },
  );

const errorOf = (result: RegisterClientResult) => (result.ok ? undefined : result.error);

describe(`editions and registration on ${database.kind}`, () => {
  test('without a licence the 11th client is refused, saying which limit and how to raise it', () =>
    withRollback(database.db, async (db) => {
      for (let i = 1; i <= 10; i++) expect((await register(db, `FREE${i}`)).ok).toBe(true);
      const refused = errorOf(await register(db, 'FREE11'));
      expect(refused?.code).toBe('client-limit-reached');
      expect(refused?.message).toContain(
        '10 clients are registered and this server allows 10 without a licence key',
      );
      expect(refused?.message).toContain(
        'install a licence key from the publisher (1,000 to 100,000 clients)',
      );
      expect(refused?.messageFr).toContain('10 clients sont enregistrés');
      expect(refused?.messageFr).toContain(
        "installez une clé de licence de l'éditeur (1 000 à 100 000 clients)",
      );
      // A licence raises the limit; the same registration then passes.
      expect(await register(db, 'FREE11', { licence })).toMatchObject({ ok: true });
      const full = await checkClientLimit(db, licence, { now, adding: 990 });
      expect(full.ok).toBe(false);
      expect(full.ok ? '' : full.error.message).toContain('under licence L-42 (MINDDEVEL)');
      expect(full.ok ? '' : full.error.messageFr).toContain("demandez à l'éditeur une clé de licence");
      expect(await checkClientLimit(db, licence, { now, adding: 989 })).toEqual({
        ok: true,
        limit: 1_000,
        count: 11,
      });
      // Once the licence has expired, the free edition applies again and the message says to renew.
      const expired = errorOf(await register(db, 'LATE', { licence, now: new Date('2027-07-01T00:00:00Z') }));
      expect(expired?.message).toContain('licence L-42 expired after 2027-06-30');
      expect(expired?.messageFr).toContain("renouvelez-la auprès de l'éditeur");
    }));

  test('registering opens the account; duplicates and bad fields are refused as values', () =>
    withRollback(database.db, async (db) => {
      const result = await registerClient(
        db,
        {
          matricule: 'CEC-YDE-01',
          name: 'Yaoundé I',
          passwordHash: '$scrypt$x',
          status: 3,
          currency: 'EUR',
          overdraftLimit: 500,
        },
        { now },
      );
      expect(result.ok).toBe(true);
      expect(await balanceOf(db, { matricule: 'CEC-YDE-01' })).toMatchObject({
        balance: 0,
        currency: 'EUR',
        overdraftLimit: 500,
        available: 500,
        clientId: result.ok ? result.clientId : 0,
      });
      expect(errorOf(await register(db, 'CEC-YDE-01'))?.code).toBe('duplicate-matricule');
      const bad = await registerClient(db, {
        matricule: 'bad matricule!',
        name: '',
        passwordHash: 'x',
        status: 7,
      });
      expect(bad.ok ? [] : (bad.fields ?? []).map((f) => `${f.field}:${f.code}`).sort()).toEqual([
        'matricule:invalid-format',
        'name:required',
        'status:out-of-range',
      ]);
      expect(
        errorOf(
          await registerClient(db, { matricule: 'OK1', name: 'n', passwordHash: 'x', currency: 'euro' }),
        )?.code,
      ).toBe('invalid-input');
    }));

  test('without a licence 20 users; a licence without a user limit lifts it', () =>
    withRollback(database.db, async (db) => {
      const users = (n: number, from: number) =>
        Array.from({ length: n }, (_, i) => ({ login: `user${from + i}`, privilege: 1, password_hash: 'x' }));
      await db.insertInto('xm_system.users').values(users(19, 0)).execute();
      expect(await checkUserLimit(db, undefined, { now })).toEqual({ ok: true, limit: 20, count: 19 });
      await db.insertInto('xm_system.users').values(users(1, 19)).execute();
      const refused = await checkUserLimit(db, undefined, { now });
      expect(refused.ok ? '' : refused.error.code).toBe('user-limit-reached');
      expect(refused.ok ? '' : refused.error.message).toContain(
        '20 users are registered and this server allows 20',
      );
      expect(await checkUserLimit(db, licence, { now })).toEqual({ ok: true, limit: null, count: 20 });
      expect(editionLimits({ ...licence, userLimit: 20 }, now)).toMatchObject({
        edition: 'licensed',
        users: 20,
      });
    }));

  test(`registrations racing for the last free place: exactly one wins (${
    onPostgres ? 'PostgreSQL, 8 connections' : 'PGlite, one connection, serialised'
  })`, async () => {
    for (let i = 1; i <= 9; i++) expect((await register(database.db, `RACE${i}`)).ok).toBe(true);
    const workers = onPostgres
      ? await Promise.all(
          Array.from({ length: 8 }, () => openDatabase<ServerDatabase>(database.url, { maxConnections: 1 })),
        )
      : Array.from({ length: 8 }, () => database.db);
    try {
      const results = await Promise.all(workers.map((db, i) => register(db, `RACER${i}`)));
      expect(results.filter((r) => r.ok).length).toBe(1);
      expect(results.filter((r) => errorOf(r)?.code === 'client-limit-reached').length).toBe(7);
      expect((await checkClientLimit(database.db, undefined, { now, adding: 0 })).count).toBe(10);
    } finally {
      if (onPostgres) await Promise.all(workers.map((db) => db.destroy()));
    }
  });
});
