import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { signLicence } from '../tools/licence-signer.js';
import { type Licence, verifyLicence } from './licence.js';

// Tests make their own publisher key pair; the embedded key's private half is not in the repository.
const publisher = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const licence: Licence = {
  organisation: 'Ministère de la Décentralisation',
  licenceNumber: 'L-2027-001',
  clientLimit: 5_000,
  issuedOn: '2026-11-01',
  expiresOn: '2027-12-31',
};
const now = new Date('2027-06-01T12:00:00Z');
const options = { publicKey: publisher.publicKey, now };
const codeOf = (result: ReturnType<typeof verifyLicence>) => (result.ok ? 'ok' : result.error.code);

describe('licence keys', () => {
  test('a key signed by the publisher is read back offline', () => {
    const key = signLicence(licence, publisher.privateKey);
    expect(verifyLicence(key, { ...options, organisation: licence.organisation })).toEqual({
      ok: true,
      value: licence,
    });
    expect(verifyLicence(` ${key}\n`, options).ok).toBe(true);
  });

  test('a key signed by anyone else, or altered, is refused', () => {
    expect(codeOf(verifyLicence(signLicence(licence, stranger.privateKey), options))).toBe(
      'licence-bad-signature',
    );
    const key = signLicence(licence, publisher.privateKey);
    const [prefix, , signature] = key.split('.');
    const raised = Buffer.from(JSON.stringify({ v: 1, ...licence, clientLimit: 100_000 })).toString(
      'base64url',
    );
    expect(codeOf(verifyLicence(`${prefix}.${raised}.${signature}`, options))).toBe('licence-bad-signature');
    // The embedded publisher key does not accept the test publisher's keys.
    expect(codeOf(verifyLicence(key, { now }))).toBe('licence-bad-signature');
  });

  test('expiry, organisation and client limit are checked', () => {
    const key = signLicence(licence, publisher.privateKey);
    expect(codeOf(verifyLicence(key, { ...options, now: new Date('2027-12-31T23:59:59Z') }))).toBe('ok');
    const expired = verifyLicence(key, { ...options, now: new Date('2028-01-01T00:00:00Z') });
    expect(codeOf(expired)).toBe('licence-expired');
    expect(expired.ok ? '' : expired.error.messageFr).toContain('a expiré après le 2027-12-31');
    expect(verifyLicence(key, { ...options, now: null }).ok).toBe(true);
    expect(codeOf(verifyLicence(key, { ...options, organisation: 'Another ministry' }))).toBe(
      'licence-wrong-organisation',
    );
    for (const clientLimit of [999, 100_001]) {
      expect(
        codeOf(verifyLicence(signLicence({ ...licence, clientLimit }, publisher.privateKey), options)),
      ).toBe('licence-invalid-limit');
    }
    expect(
      codeOf(verifyLicence(signLicence({ ...licence, clientLimit: 100_000 }, publisher.privateKey), options)),
    ).toBe('ok');
  });

  test('hostile input is refused as a value, never thrown', () => {
    const hostile: unknown[] = [
      undefined,
      null,
      42,
      {},
      '',
      'XMLIC1',
      'XMLIC1..',
      'XMLIC2.e30.AAAA',
      'XMLIC1.e30.AAAA',
      'XMLIC1.!!!.AAAA',
      `XMLIC1.${'A'.repeat(10_000)}.AAAA`,
      'XMLIC1.e30.AAAA.extra',
      signLicence(licence, publisher.privateKey).replace(/\.[^.]*\./, '.ew.'),
    ];
    for (const input of hostile) {
      const result = verifyLicence(input, options);
      expect(result.ok).toBe(false);
      expect(['licence-malformed', 'licence-bad-signature']).toContain(codeOf(result));
    }
    expect(
      codeOf(verifyLicence(signLicence(licence, publisher.privateKey), { publicKey: 'not a key', now })),
    ).toBe('licence-bad-signature');
    expect(
      codeOf(
        verifyLicence(signLicence(licence, publisher.privateKey), { publicKey: stranger.privateKey, now }),
      ),
    ).toBe('licence-bad-signature');
  });

  test('signed payloads with missing or wrong fields are malformed', () => {
    const bad = [
      { ...licence, organisation: '' },
      { ...licence, licenceNumber: 'x\u0000y' },
      { ...licence, clientLimit: 1_000.5 },
      { ...licence, expiresOn: '31/12/2027' },
      { ...licence, userLimit: -1 },
    ];
    for (const claims of bad) {
      expect(codeOf(verifyLicence(signLicence(claims as Licence, publisher.privateKey), options))).toBe(
        'licence-malformed',
      );
    }
  });
});
