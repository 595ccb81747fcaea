import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cameroonDictionary, defineDictionary } from '@xmcomm/contract';
import { TrustStore } from '@xmcomm/pki';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { birthAct } from '../bench/acts.js';
import { parseEnvelope } from '../src/cms/envelope.js';
import {
  createCertificateResolver,
  createDecoder,
  createEncoder,
  type DecoderOptions,
  decodeContainer,
  encodePayload,
  inspectContainer,
  type PayloadInput,
  type SdcResult,
  type SignerResolver,
} from '../src/index.js';
import { createTestPki, type TestPki } from './pki-fixtures.js';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki?.cleanup());

const input: PayloadInput = {
  kind: 'rows',
  sender: 'CE0001',
  recipient: 'SRV01',
  sequence: 7,
  table: 'births',
  rows: [birthAct(1)],
};

function openssl(args: string[], stdin?: string): Buffer {
  return execFileSync('openssl', args, { cwd: pki.dir, input: stdin, stdio: ['pipe', 'pipe', 'pipe'] });
}

function resolver(): SignerResolver {
  return createCertificateResolver({
    trustAnchors: [pki.read('ca.pem')],
    certificates: ['site.pem', 'pss-site.pem', 'rsa-site.pem', 'rogue-site.pem'].map((name) =>
      pki.read(name),
    ),
  });
}

function encoder(signer = 'site', recipients = ['server'], cipher: 'gcm' | 'cbc' = 'gcm') {
  return createEncoder({
    signer: { privateKey: pki.read(`${signer}.key`), certificate: pki.read(`${signer}.pem`) },
    recipients: recipients.map((name) => ({ certificate: pki.read(`${name}.pem`) })),
    cipher,
  });
}

function decoderOptions(recipient = 'server', extra: Partial<DecoderOptions> = {}): DecoderOptions {
  return {
    recipient: { privateKey: pki.read(`${recipient}.key`), certificate: pki.read(`${recipient}.pem`) },
    signers: resolver(),
    ...extra,
  };
}

function decode(bytes: Uint8Array | string, recipient = 'server', extra: Partial<DecoderOptions> = {}) {
  return decodeContainer(bytes, decoderOptions(recipient, extra));
}

function code<T>(result: SdcResult<T>): string {
  return result.ok ? 'ok' : result.error.code;
}

describe('our containers', () => {
  it.each([
    ['site', 'server', 'gcm'],
    ['site', 'server', 'cbc'],
    ['site', 'rsa-server', 'gcm'],
    ['site', 'rsa-server', 'cbc'],
    ['pss-site', 'server', 'gcm'],
    ['rsa-site', 'rsa-server', 'cbc'],
  ] as const)('signed by %s, for %s, %s: round trip here', async (signer, recipient, cipher) => {
    const der = encoder(signer, [recipient], cipher).encode(input) as Uint8Array;
    const result = await decode(der, recipient);
    if (!result.ok) throw result.error;
    expect(result.value.cipher).toBe(cipher);
    expect(result.value.header).toMatchObject({ sender: 'CE0001', sequence: 7, table: 'births' });
    expect(result.value.signer.subject).toContain(signer);
    const { numero, ...data } = birthAct(1);
    expect(result.value.body).toEqual({
      kind: 'rows',
      rows: [{ origin_matricule: 'CE0001', origin_numero: numero, ...data }],
    });
  });

  it('sign then encrypt for another recipient: the same signed container, readable by that one only', async () => {
    const signed = encoder('site', ['server']).sign(input);
    // Encrypted later by an encoder made for another key: the signature is the one made first.
    const forRsa = encoder('site', ['rsa-server']).encrypt(signed) as Uint8Array;
    const opened = await decode(forRsa, 'rsa-server');
    if (!opened.ok) throw opened.error;
    expect(opened.value.header).toMatchObject({ sender: 'CE0001', sequence: 7 });
    expect(code(await decode(forRsa, 'server'))).not.toBe('ok');
    // encode is sign then encrypt.
    expect(code(await decode(encoder('site', ['server']).encrypt(signed), 'server'))).toBe('ok');
    expect(() => encoder().encrypt(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]))).toThrow(
      expect.objectContaining({ code: 'invalid-input' }),
    );
  });

  it.each([
    ['server', 'gcm'],
    ['server', 'cbc'],
    ['rsa-server', 'gcm'],
    ['rsa-server', 'cbc'],
  ] as const)(
    'openssl cms -decrypt then -verify opens ours (%s, %s) and gives back the payload',
    async (recipient, cipher) => {
      const der = encoder('site', [recipient], cipher).encode(input) as Uint8Array;
      writeFileSync(pki.path('ours.der'), der);
      openssl([
        'cms',
        '-decrypt',
        '-inform',
        'DER',
        '-in',
        'ours.der',
        '-inkey',
        `${recipient}.key`,
        '-recip',
        `${recipient}.pem`,
        '-out',
        'ours-signed.der',
      ]);
      openssl([
        'cms',
        '-verify',
        '-inform',
        'DER',
        '-in',
        'ours-signed.der',
        '-CAfile',
        'ca.pem',
        '-certfile',
        'site.pem',
        '-out',
        'ours-payload.bin',
      ]);
      const decoded = await decode(der, recipient);
      if (!decoded.ok) throw decoded.error;
      expect(Buffer.compare(readFileSync(pki.path('ours-payload.bin')), decoded.value.payload)).toBe(0);
    },
  );

  it('reuses its originator key for ten minutes per recipient, with a fresh content key each time; OpenSSL opens every one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const sealer = encoder('site', ['server']);
      const agreement = (der: Uint8Array) => {
        const recipient = parseEnvelope(der).recipients[0];
        if (recipient?.type !== 'key-agreement') throw new Error('expected key agreement');
        return {
          originator: Buffer.from(recipient.originatorKey?.point ?? []).toString('hex'),
          wrappedKey: Buffer.from(recipient.keys[0]?.encryptedKey ?? []).toString('hex'),
        };
      };
      const first = sealer.encode(input) as Uint8Array;
      vi.advanceTimersByTime(9 * 60_000);
      const second = sealer.encode({ ...input, sequence: 8 }) as Uint8Array;
      vi.advanceTimersByTime(61_000);
      const third = sealer.encode({ ...input, sequence: 9 }) as Uint8Array;
      expect(agreement(second).originator).toBe(agreement(first).originator);
      expect(agreement(second).wrappedKey).not.toBe(agreement(first).wrappedKey);
      expect(agreement(third).originator).not.toBe(agreement(first).originator);
      for (const [index, der] of [first, second, third].entries()) {
        const decoded = await decode(der);
        if (!decoded.ok) throw decoded.error;
        expect(decoded.value.header.sequence).toBe(7 + index);
        writeFileSync(pki.path('reused.der'), der);
        openssl([
          'cms',
          '-decrypt',
          '-inform',
          'DER',
          '-in',
          'reused.der',
          '-inkey',
          'server.key',
          '-out',
          'reused-signed.der',
        ]);
        const verified = openssl([
          'cms',
          '-verify',
          '-inform',
          'DER',
          '-in',
          'reused-signed.der',
          '-CAfile',
          'ca.pem',
          '-certfile',
          'site.pem',
        ]);
        expect(Buffer.compare(verified, decoded.value.payload)).toBe(0);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('is opened by each of several recipients', async () => {
    const der = encoder('site', ['server', 'rsa-server', 'other-server']).encode(input) as Uint8Array;
    for (const recipient of ['server', 'rsa-server', 'other-server'])
      expect(code(await decode(der, recipient))).toBe('ok');
    expect(inspectContainer(der)).toMatchObject({
      ok: true,
      value: { contentType: 'authEnvelopedData', cipher: 'aes-256-gcm', recipients: [{}, {}, {}] },
    });
  });

  it('travels in text armour', async () => {
    const text = createEncoder({
      signer: { privateKey: pki.read('site.key'), certificate: pki.read('site.pem') },
      recipients: [{ certificate: pki.read('server.pem') }],
      armor: 'text',
    }).encode(input) as string;
    expect(text.startsWith('-----BEGIN SDC-----\n')).toBe(true);
    expect(text.split('\n').every((line) => line.length <= 64)).toBe(true);
    expect(code(await decode(text))).toBe('ok');
  });

  it('signs with an encrypted PKCS#8 key and its passphrase, and refuses a wrong one', async () => {
    const signer = { privateKey: pki.read('site-encrypted.key'), certificate: pki.read('site.pem') };
    const recipients = [{ certificate: pki.read('server.pem') }];
    const der = createEncoder({ signer: { ...signer, passphrase: pki.passphrase }, recipients }).encode(
      input,
    ) as Uint8Array;
    expect(code(await decode(der))).toBe('ok');
    expect(() => createEncoder({ signer: { ...signer, passphrase: 'wrong' }, recipients })).toThrow(
      expect.objectContaining({ code: 'invalid-key' }),
    );
  });

  it('embeds the signer certificate only when asked', () => {
    const plain = encoder().encode(input) as Uint8Array;
    const embedded = createEncoder({
      signer: {
        privateKey: pki.read('site.key'),
        certificate: pki.read('site.pem'),
        embedCertificates: true,
      },
      recipients: [{ certificate: pki.read('server.pem') }],
    }).encode(input) as Uint8Array;
    expect(embedded.length - plain.length).toBeGreaterThan(300);
  });
});

describe('OpenSSL-made containers decode here', () => {
  const combos = [
    ['gcm', 'server'],
    ['cbc', 'rsa-server'],
    ['gcm', 'rsa-server'],
    ['cbc', 'server'],
  ] as const;
  for (const keyid of [false, true]) {
    it.each(combos)(`%s to %s, ${keyid ? 'with' : 'without'} -keyid`, async (cipher, recipient) => {
      writeFileSync(pki.path('p.bin'), encodePayload(input));
      const id = keyid ? ['-keyid', '-nocerts'] : [];
      openssl([
        'cms',
        '-sign',
        '-nodetach',
        '-binary',
        '-in',
        'p.bin',
        '-signer',
        'site.pem',
        '-inkey',
        'site.key',
        '-md',
        'sha256',
        '-outform',
        'DER',
        '-out',
        's.der',
        ...id,
      ]);
      const keyopts =
        recipient === 'server'
          ? ['-keyopt', 'ecdh_kdf_md:sha256']
          : ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256'];
      openssl([
        'cms',
        '-encrypt',
        '-binary',
        '-in',
        's.der',
        `-aes-256-${cipher}`,
        '-recip',
        `${recipient}.pem`,
        ...keyopts,
        '-outform',
        'DER',
        '-out',
        'e.der',
        ...(keyid ? ['-keyid'] : []),
      ]);
      const result = await decode(readFileSync(pki.path('e.der')), recipient);
      if (!result.ok) throw result.error;
      expect(result.value.header.sender).toBe('CE0001');
      expect(result.value.cipher).toBe(cipher);
    });
  }

  it('refuses RSA PKCS#1 v1.5 key transport with a clear error', async () => {
    writeFileSync(pki.path('p.bin'), encodePayload(input));
    openssl([
      'cms',
      '-sign',
      '-nodetach',
      '-binary',
      '-in',
      'p.bin',
      '-signer',
      'site.pem',
      '-inkey',
      'site.key',
      '-outform',
      'DER',
      '-out',
      's.der',
    ]);
    openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-in',
      's.der',
      '-aes-256-cbc',
      '-recip',
      'rsa-server.pem',
      '-outform',
      'DER',
      '-out',
      'v15.der',
    ]);
    const result = await decode(readFileSync(pki.path('v15.der')), 'rsa-server');
    expect(result).toMatchObject({ ok: false, error: { code: 'unsupported-algorithm' } });
    expect(result.ok ? '' : result.error.message).toMatch(/PKCS#1 v1.5/);
  });

  it('reads PEM as OpenSSL writes it', async () => {
    openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-in',
      's.der',
      '-aes-256-gcm',
      '-recip',
      'server.pem',
      '-keyopt',
      'ecdh_kdf_md:sha256',
      '-outform',
      'PEM',
      '-out',
      'e.pem',
    ]);
    expect(code(await decode(pki.read('e.pem')))).toBe('ok');
  });
});

describe('failures have stable codes', () => {
  it('not-for-me, decrypt-failed, too-large, malformed', async () => {
    const der = encoder().encode(input) as Uint8Array;
    expect(code(await decode(der, 'other-server'))).toBe('not-for-me');
    const tampered = new Uint8Array(der);
    tampered[tampered.length - 30] = (tampered[tampered.length - 30] as number) ^ 1; // inside the ciphertext
    expect(code(await decode(tampered))).toBe('decrypt-failed');
    expect(code(await decode(der, 'server', { limits: { maxContainerBytes: 100 } }))).toBe('too-large');
    expect(code(await decode(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])))).toBe('malformed');
    expect(code(await decode('-----BEGIN SDC-----\n!!!\n-----END SDC-----\n'))).toBe('malformed');
  });

  it('bad-signature, unknown-signer, untrusted-signer', async () => {
    // A key that is not the one in the certificate its SKI names.
    const siteSki = (await decode(encoder().encode(input) as Uint8Array)) as {
      ok: true;
      value: { signer: { subjectKeyIdentifier: Uint8Array } };
    };
    const forged = createEncoder({
      signer: {
        privateKey: pki.read('rogue-site.key'),
        subjectKeyIdentifier: siteSki.value.signer.subjectKeyIdentifier,
      },
      recipients: [{ certificate: pki.read('server.pem') }],
    }).encode(input) as Uint8Array;
    expect(code(await decode(forged))).toBe('bad-signature');
    const unknown = createEncoder({
      signer: { privateKey: pki.read('other-server.key'), certificate: pki.read('other-server.pem') },
      recipients: [{ certificate: pki.read('server.pem') }],
    }).encode(input) as Uint8Array;
    expect(code(await decode(unknown))).toBe('unknown-signer');
    expect(code(await decode(encoder('rogue-site').encode(input) as Uint8Array))).toBe('untrusted-signer');
  });

  it('containers opened at once (signatures checked on the thread pool) get the same verdicts', async () => {
    const good = encoder().encode(input) as Uint8Array;
    const { value } = (await decode(good)) as {
      ok: true;
      value: { signer: { subjectKeyIdentifier: Uint8Array } };
    };
    const forged = createEncoder({
      signer: {
        privateKey: pki.read('rogue-site.key'),
        subjectKeyIdentifier: value.signer.subjectKeyIdentifier,
      },
      recipients: [{ certificate: pki.read('server.pem') }],
    }).encode(input) as Uint8Array;
    const decoder = createDecoder(decoderOptions());
    const results = await Promise.all([good, forged, good, forged, good].map((c) => decoder.decode(c)));
    expect(results.map(code)).toEqual(['ok', 'bad-signature', 'ok', 'bad-signature', 'ok']);
  });

  it('expired-signer and revoked-signer, from the resolver', async () => {
    const der = encoder().encode(input) as Uint8Array;
    expect(code(await decode(der, 'server', { at: new Date('2040-01-01') }))).toBe('expired-signer');
    expect(code(await decode(der, 'server', { at: new Date('2001-01-01') }))).toBe('expired-signer');
    const revoked: SignerResolver = {
      checkSigner: async () => ({ ok: false, error: { code: 'revoked', message: 'key compromise' } }),
    };
    expect(code(await decode(der, 'server', { signers: revoked }))).toBe('revoked-signer');
    const broken: SignerResolver = {
      checkSigner: () => {
        throw new Error('database down');
      },
    };
    expect(code(await decode(der, 'server', { signers: broken }))).toBe('untrusted-signer');
  });

  it('with @xmcomm/pki’s TrustStore as the resolver: valid, unknown, untrusted, expired, revoked', async () => {
    const store = new TrustStore({ requireRegistration: true, signerPurposes: null });
    expect(store.addTrustAnchor(pki.read('ca.pem')).ok).toBe(true);
    expect(store.loadRevocationList(readFileSync(pki.path('ca.crl'))).ok).toBe(true);
    for (const name of ['site', 'revoked-site', 'rogue-site']) {
      expect(store.registerCertificate(pki.read(`${name}.pem`), { matricule: 'CE0001' }).ok).toBe(true);
    }
    const withStore = (der: Uint8Array, at?: Date) =>
      decode(der, 'server', { signers: store, ...(at ? { at } : {}) });
    const valid = await withStore(encoder().encode(input) as Uint8Array);
    expect(valid).toMatchObject({ ok: true, value: { signer: { matricule: 'CE0001' } } });
    expect(code(await withStore(encoder('site').encode(input) as Uint8Array, new Date('2040-01-01')))).toBe(
      'expired-signer',
    );
    expect(code(await withStore(encoder('revoked-site').encode(input) as Uint8Array))).toBe('revoked-signer');
    expect(code(await withStore(encoder('rogue-site').encode(input) as Uint8Array))).toBe('untrusted-signer');
    expect(code(await withStore(encoder('pss-site').encode(input) as Uint8Array))).toBe('unknown-signer');
    // The certificate says CE0001: a container claiming to come from CE0002 is refused.
    const spoofed = encoder().encode({ ...input, sender: 'CE0002' }) as Uint8Array;
    expect(code(await withStore(spoofed))).toBe('untrusted-signer');
  });

  it('refuses a container whose header claims another sender than the certificate', async () => {
    const der = encoder().encode(input) as Uint8Array;
    const inner = resolver();
    const withMatricule: SignerResolver = {
      checkSigner: async (ski, options) => {
        const check = await inner.checkSigner(ski, options);
        return check.ok ? { ok: true, signer: { ...check.signer, matricule: 'CE0002' } } : check;
      },
    };
    expect(await decode(der, 'server', { signers: withMatricule })).toMatchObject({
      ok: false,
      error: { code: 'untrusted-signer', message: expect.stringMatching(/CE0002/) },
    });
  });

  it('a body failure carries the verified header and signer, and only once they verified', async () => {
    const der = encoder().encode(input) as Uint8Array;
    const noContract = { tables: { findTable: () => undefined } };
    const result = await decode(der, 'server', noContract);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'schema-mismatch' },
      verified: {
        header: { sender: 'CE0001', recipient: 'SRV01', sequence: 7, table: 'births', kind: 'rows' },
        signer: { subject: 'CN=site' },
      },
    });
    // A forged signature, or a signer of another matricule, exposes nothing of the payload.
    const inner = resolver();
    const otherMatricule: SignerResolver = {
      checkSigner: async (ski, options) => {
        const check = await inner.checkSigner(ski, options);
        return check.ok ? { ok: true, signer: { ...check.signer, matricule: 'CE0002' } } : check;
      },
    };
    const spoofed = await decode(der, 'server', { ...noContract, signers: otherMatricule });
    expect(spoofed).toMatchObject({ ok: false, error: { code: 'untrusted-signer' } });
    expect(spoofed).not.toHaveProperty('verified');
    const siteSki = (await decode(der)) as {
      ok: true;
      value: { signer: { subjectKeyIdentifier: Uint8Array } };
    };
    const forged = createEncoder({
      signer: {
        privateKey: pki.read('rogue-site.key'),
        subjectKeyIdentifier: siteSki.value.signer.subjectKeyIdentifier,
      },
      recipients: [{ certificate: pki.read('server.pem') }],
    }).encode(input) as Uint8Array;
    const bad = await decode(forged, 'server', noContract);
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-signature' } });
    expect(bad).not.toHaveProperty('verified');
    // Any other failure of a verified container's body carries it too, so the receiver can answer it.
    const tooMany = await decode(der, 'server', { limits: { maxRows: 0 } });
    expect(code(tooMany)).not.toBe('ok');
    expect(tooMany).toMatchObject({ verified: { header: { sender: 'CE0001', sequence: 7 } } });
  });

  it('a container packed with a dictionary the receiver lacks is refused with its verified header', async () => {
    const senegal = defineDictionary('sn-etat-civil', ['Dakar', 'Thiès', 'Awa', 'SEN']);
    const row = { ...birthAct(1), place_of_birth_locality: 'Thiès', child_given_names: 'Awa' };
    const packed = createEncoder({
      signer: { privateKey: pki.read('site.key'), certificate: pki.read('site.pem') },
      recipients: [{ certificate: pki.read('server.pem') }],
      dictionary: senegal,
    }).encode({ ...input, rows: [row] }) as Uint8Array;
    const lacking = await decode(packed);
    expect(lacking).toMatchObject({
      ok: false,
      error: { code: 'unknown-dictionary' },
      verified: {
        header: { sender: 'CE0001', sequence: 7, version: 3, dictionary: senegal.fingerprint.slice(0, 16) },
        signer: { subject: 'CN=site' },
      },
    });
    const holding = await decode(packed, 'server', { dictionaries: [cameroonDictionary, senegal] });
    if (!holding.ok) throw holding.error;
    expect(holding.value.body).toMatchObject({
      kind: 'rows',
      rows: [{ place_of_birth_locality: 'Thiès', child_given_names: 'Awa' }],
    });
  });

  it('random flips and truncations of a container end in a typed error, never a throw', async () => {
    const der = encoder().encode(input) as Uint8Array;
    const decoder = createDecoder(decoderOptions());
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.option(fc.nat(der.length - 1), { nil: undefined }),
        async (flips, cut) => {
          const mutated = new Uint8Array(der.subarray(0, cut ?? der.length));
          for (const [at, xor] of flips) if (at < mutated.length) mutated[at] = (mutated[at] as number) ^ xor;
          const result = await decoder.decode(mutated);
          // A flip can land in a field no check covers (e.g. an unused parameter): then it still decodes.
          if (!result.ok) expect(result.error.code).toMatch(/^[a-z-]+$/);
        },
      ),
      { numRuns: 400 },
    );
  });
});
