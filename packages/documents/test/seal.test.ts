import { beforeAll, describe, expect, it } from 'vitest';
import {
  acceptTrustList,
  createSeal,
  keyIdentifier,
  readTrustList,
  SEAL_PREFIX,
  type SealContent,
  trustListToText,
  verifySeal,
} from '../src/index.js';
import { CHECKED_AT, ISSUED_AT, makeList, makePki, type Pki, tamper } from './fixtures.js';

const content: SealContent = {
  issuer: 'CEC-0042',
  recordType: 'birth',
  documentKind: 'extract',
  niu: '2026-0042-000123',
  documentId: 'D-2026-000123',
  issuedAt: ISSUED_AT,
  fields: {
    lastName: 'NDIAYE',
    firstName: 'Aïssatou Hélène',
    gender: 'F',
    dateOfBirth: '2026-03-14',
    placeOfBirth: 'Thiès',
  },
};

describe('seal', () => {
  let pki: Pki;
  let seal: string;
  beforeAll(async () => {
    pki = await makePki();
    seal = createSeal(content, pki.site);
  });

  it('verifies against the trust list and gives back every field', () => {
    const result = verifySeal(seal, readTrustList(makeList(pki, 1)), { at: CHECKED_AT });
    expect(result.status).toBe('VALID');
    if (result.status !== 'VALID') return;
    expect(result.content).toEqual(content);
    expect(result.signer.label).toBe('CEC-0042');
    expect(result.signer.keyIdentifier).toBe(
      Buffer.from(keyIdentifier(pki.site.certificate)).toString('hex'),
    );
  });

  it('is INVALID (bad-signature) when one claim was changed', () => {
    const forged = tamper(seal, (claims) => ({
      ...claims,
      fields: { ...claims.fields, lastName: 'NDIAYÉ' },
    }));
    const result = verifySeal(forged, readTrustList(makeList(pki, 1)), { at: CHECKED_AT });
    expect(result).toMatchObject({ status: 'INVALID', reason: 'bad-signature' });
  });

  it('is INVALID (revoked) once a newer trust list revokes its signer', () => {
    const held = readTrustList(makeList(pki, 1));
    const newer = readTrustList(
      makeList(pki, 2, {
        revocations: [
          {
            keyIdentifier: keyIdentifier(pki.site.certificate),
            revokedAt: CHECKED_AT,
            reason: 'keyCompromise',
          },
        ],
      }),
    );
    const kept = acceptTrustList(held, newer);
    expect(kept.content.sequence).toBe(2);
    expect(verifySeal(seal, kept, { at: CHECKED_AT })).toMatchObject({
      status: 'INVALID',
      reason: 'revoked',
    });
  });

  it('refuses an older trust list than the one held', () => {
    const held = readTrustList(makeList(pki, 5));
    expect(() => acceptTrustList(held, readTrustList(makeList(pki, 4)))).toThrow(
      expect.objectContaining({ code: 'trust-list-older' }),
    );
    expect(acceptTrustList(held, readTrustList(makeList(pki, 5))).content.sequence).toBe(5);
  });

  it('is INVALID (unknown-signer) for a signer the list does not name', () => {
    const list = readTrustList(
      makeList(pki, 1, { signers: [{ certificate: pki.other.certificate, label: 'Awa Diop' }] }),
    );
    expect(verifySeal(seal, list, { at: CHECKED_AT })).toMatchObject({
      status: 'INVALID',
      reason: 'unknown-signer',
    });
  });

  it('is INVALID (trust-list-expired) past the list expiry', () => {
    const list = readTrustList(makeList(pki, 1, { expiresAt: new Date('2026-12-02T00:00:00Z') }));
    expect(verifySeal(seal, list, { at: CHECKED_AT })).toMatchObject({
      status: 'INVALID',
      reason: 'trust-list-expired',
    });
  });

  it('says not-our-scheme for random text, a URL and an EU DCC', () => {
    const list = readTrustList(makeList(pki, 1));
    for (const text of [
      'hello world',
      'https://example.org/verify?id=42',
      'HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DCMH0LDK2%K:XFE70*LP$V25$0Q:J:4MO1P0%0L0HD+9E/HY+4J6TH48S%4K.GJ2PT3QY:GQ3TE2I+-CPHN6D7LLK*Y0ZQ8XC2RV1N25S74O8RE$6YK8',
    ])
      expect(verifySeal(text, list, { at: CHECKED_AT })).toEqual({
        status: 'INVALID',
        reason: 'not-our-scheme',
      });
  });

  it('says damaged for a truncated seal, a bad character or garbage after the prefix', () => {
    const list = readTrustList(makeList(pki, 1));
    for (const text of [
      seal.slice(0, 200),
      seal.slice(0, -1),
      `${seal.slice(0, 50)}~${seal.slice(51)}`,
      `${SEAL_PREFIX}AAAAAA`,
    ])
      expect(verifySeal(text, list, { at: CHECKED_AT })).toEqual({ status: 'INVALID', reason: 'damaged' });
  });

  it('round-trips the trust list through its text armour; a changed byte is refused', () => {
    const bytes = makeList(pki, 3);
    expect(readTrustList(trustListToText(bytes)).content.sequence).toBe(3);
    const broken = new Uint8Array(bytes);
    broken[broken.length - 70]! ^= 1;
    expect(() => readTrustList(broken)).toThrow(expect.objectContaining({ code: 'invalid-trust-list' }));
  });

  it('refuses a trust list under another CA than the pinned one', async () => {
    const stranger = await makePki();
    expect(() => readTrustList(makeList(stranger, 9), { pinnedCa: pki.root })).toThrow(
      expect.objectContaining({ code: 'trust-list-other-ca' }),
    );
    expect(() =>
      acceptTrustList(readTrustList(makeList(pki, 1)), readTrustList(makeList(stranger, 9))),
    ).toThrow(expect.objectContaining({ code: 'trust-list-other-ca' }));
  });

  it('never throws on hostile text and never calls a seal with altered content VALID', () => {
    const list = readTrustList(makeList(pki, 1));
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
    let state = 42;
    const random = (limit: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % limit;
    };
    let invalid = 0;
    for (let round = 0; round < 300; round += 1) {
      const at = SEAL_PREFIX.length + random(seal.length - SEAL_PREFIX.length);
      const altered = seal.slice(0, at) + alphabet[random(alphabet.length)] + seal.slice(at + 1);
      const result = verifySeal(altered, list, { at: CHECKED_AT });
      // A change in the deflate stream's padding bits inflates to the same signed bytes: VALID is
      // right then, and only then.
      if (result.status === 'VALID') expect(result.content).toEqual(content);
      else invalid += 1;
    }
    expect(invalid).toBeGreaterThan(270);
    for (const text of ['', 'XM1:', `XM1:${'0'.repeat(30_000)}`, 'XM1:%%%', '\u0000'.repeat(10)])
      expect(verifySeal(text, list).status).toBe('INVALID');
    for (const bytes of [new Uint8Array(0), new Uint8Array(100).fill(0xff), new Uint8Array([0xd2, 0x84])])
      expect(() => readTrustList(bytes)).toThrow(expect.objectContaining({ code: 'invalid-trust-list' }));
  });
});
