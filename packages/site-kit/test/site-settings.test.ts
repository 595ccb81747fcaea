import type { SiteDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  checkSiteIdentity,
  openSiteDatabase,
  readSetting,
  readSiteIdentity,
  SiteKitError,
  saveSiteIdentity,
  siteIdentityKey,
  siteKitMigrations,
  writeSetting,
} from '../src/index.js';
import { licence } from './licences.js';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as SiteKitError;
  }
  throw new Error('expected a refusal');
};

describe("a site's identity", () => {
  test.each([
    [{ matricule: 'bad matricule', centreCode: '100001' }, 'The matricule is 1-32', undefined],
    [{ matricule: 'CEC-01', centreCode: '12345' }, 'The centre code is 6 digits.', undefined],
    [
      { matricule: 'CEC-01', centreCode: '100001', brokerUrl: 'mqtt://u:p@host' },
      'without credentials',
      undefined,
    ],
    [
      { matricule: 'CEC-01', centreCode: '100001', caCertificatePem: 'nope' },
      'not a PEM X.509',
      'certificate',
    ],
  ])('%o is refused', (identity, message, field) => {
    const error = refusal(() => checkSiteIdentity(identity));
    expect(error).toBeInstanceOf(SiteKitError);
    expect(error.code).toBe('invalid-settings');
    expect(error.message).toContain(message);
    expect(error.messageFr).not.toBe(error.message);
    expect(error.params.field).toBe(field);
  });

  test('a PostgreSQL URL with a password is refused before anything opens, and names no password', async () => {
    const error = await openSiteDatabase('postgres://court:secret@127.0.0.1:5432/x', {}).catch((e) => e);
    expect(error).toBeInstanceOf(SiteKitError);
    expect(error.code).toBe('invalid-settings');
    expect(error.params.field).toBe('database-url');
    expect(error.message).not.toContain('secret');
  });
});

describe("a site's settings in its database", () => {
  let site: TestDatabase<SiteDatabase>;
  beforeAll(async () => {
    site = await createTestDatabase<SiteDatabase>({ migrations: siteKitMigrations([licence]) });
  });
  afterAll(() => site?.close());

  test('are read back as written, a second write replacing the first', async () => {
    expect(await readSetting(site.db, 'court.rules')).toBeUndefined();
    await writeSetting(site.db, 'court.rules', { threshold: 24 });
    await writeSetting(site.db, 'court.rules', { threshold: 12 });
    expect(await readSetting(site.db, 'court.rules')).toEqual({ threshold: 12 });
  });

  test('the identity is checked before it is kept, under the key the app names', async () => {
    expect(await readSiteIdentity(site.db)).toBeUndefined();
    await expect(saveSiteIdentity(site.db, { matricule: 'TGI-01', centreCode: '1' })).rejects.toThrow(
      SiteKitError,
    );
    await saveSiteIdentity(site.db, { matricule: 'TGI-01', centreCode: '200701', name: 'Garoua' });
    expect(await readSiteIdentity(site.db, siteIdentityKey)).toEqual({
      matricule: 'TGI-01',
      centreCode: '200701',
      name: 'Garoua',
    });
    await saveSiteIdentity(site.db, { matricule: 'CEC-02', centreCode: '100002' }, 'ecr.centre');
    expect((await readSiteIdentity(site.db, 'ecr.centre'))?.matricule).toBe('CEC-02');
  });
});
