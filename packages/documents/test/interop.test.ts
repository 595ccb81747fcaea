/**
 * The seal and the trust list read by independent tools: node-cbor (not cbor2) with the `base45`
 * package and node:crypto, as a generic COSE/CBOR verifier would; and the certificates by OpenSSL.
 */
import { execFileSync } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import base45 from 'base45';
import cbor from 'cbor';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSeal, readTrustList, SEAL_PREFIX, trustListToText } from '../src/index.js';
import { ISSUED_AT, makeList, makePki, type Pki } from './fixtures.js';

describe('interoperability', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await makePki();
  });

  it('a generic CBOR/COSE reader decodes the seal and node:crypto verifies it', () => {
    const seal = createSeal(
      {
        issuer: 'CEC-0042',
        recordType: 'birth',
        documentKind: 'extract',
        niu: '2026-0042-000123',
        documentId: 'D-1',
        issuedAt: ISSUED_AT,
        fields: {
          lastName: 'NDIAYE',
          firstName: 'Aïssatou',
          dateOfBirth: '2026-03-14',
          gender: 'F',
          placeOfBirth: 'Thiès',
        },
      },
      pki.site,
    );
    expect(seal.startsWith('XM1:')).toBe(true);
    const cose = inflateSync(base45.decode(seal.slice(SEAL_PREFIX.length)));
    const tagged = cbor.decodeFirstSync(cose) as {
      tag: number;
      value: [Buffer, Map<number, unknown>, Buffer, Buffer];
    };
    expect(tagged.tag).toBe(18);
    const [protectedBytes, , payload, signature] = tagged.value;
    const header = cbor.decodeFirstSync(protectedBytes) as Map<number, unknown>;
    expect(header.get(1)).toBe(-7);
    const certificateHash = createHash('sha256').update(pki.site.certificate).digest();
    expect(Buffer.compare(header.get(4) as Buffer, certificateHash.subarray(0, 8))).toBe(0);

    const toBeSigned = cbor.encodeCanonical(['Signature1', protectedBytes, Buffer.alloc(0), payload]);
    const publicKey = new X509Certificate(pki.site.certificate).publicKey;
    expect(verify('sha256', toBeSigned, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);

    const claims = cbor.decodeFirstSync(payload) as Map<number, unknown>;
    expect(claims.get(1)).toBe('CEC-0042');
    expect(claims.get(6)).toBe(ISSUED_AT.getTime() / 1000);
    const identity = claims.get(169) as Map<number, unknown>;
    expect([identity.get(1), identity.get(5), identity.get(7), identity.get(8), identity.get(9)]).toEqual([
      '2026-0042-000123',
      'Aïssatou',
      'NDIAYE',
      '2026-03-14',
      2,
    ]);
  });

  it('OpenSSL reads and verifies the certificates a trust list carries', () => {
    const folder = mkdtempSync(join(tmpdir(), 'documents-openssl-'));
    const list = readTrustList(trustListToText(makeList(pki, 1)));
    writeFileSync(join(folder, 'ca.der'), list.content.caCertificate);
    execFileSync('openssl', [
      'x509',
      '-inform',
      'DER',
      '-in',
      join(folder, 'ca.der'),
      '-out',
      join(folder, 'ca.pem'),
    ]);
    for (const [index, signer] of list.content.signers.entries()) {
      const der = join(folder, `signer-${index}.der`);
      const pem = join(folder, `signer-${index}.pem`);
      writeFileSync(der, signer.certificate);
      execFileSync('openssl', ['x509', '-inform', 'DER', '-in', der, '-out', pem]);
      const out = execFileSync(
        'openssl',
        ['verify', '-attime', String(ISSUED_AT.getTime() / 1000), '-CAfile', join(folder, 'ca.pem'), pem],
        {
          encoding: 'utf8',
        },
      );
      expect(out).toContain(': OK');
    }
  });
});
