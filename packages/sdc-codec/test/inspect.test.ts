import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birthAct } from '../bench/acts.js';
import { children, type Node, parse } from '../src/cms/der.js';
import { createEncoder, INSPECTION_STEPS, inspectContainer } from '../src/index.js';
import { createTestPki, type TestPki } from './pki-fixtures.js';

// inspectContainer against real containers damaged on purpose: whatever is changed in the structure
// (cut, flipped, appended, replaced) is found; only what is inside the encryption is out of its reach.

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki?.cleanup());

function seal(recipients: string[], cipher: 'gcm' | 'cbc', armor: 'binary' | 'text' = 'binary') {
  return createEncoder({
    signer: { privateKey: pki.read('site.key'), certificate: pki.read('site.pem') },
    recipients: recipients.map((name) => ({ certificate: pki.read(`${name}.pem`) })),
    cipher,
    armor,
  }).encode({
    kind: 'rows',
    table: 'births',
    rows: [birthAct(1), birthAct(2)],
    sender: 'CE0001',
    sequence: 1,
  });
}

/**
 * The bytes that make the structure (every tag and length, and the content of every OID and INTEGER)
 * and the opaque ones (nonces, keys, identifiers, ciphertext, tag), from the DER tree.
 */
function layout(der: Uint8Array): { structural: number[]; opaque: number[] } {
  const structural: number[] = [];
  const opaque: number[] = [];
  const walk = (node: Node) => {
    for (let i = node.start; i < node.contentStart; i++) structural.push(i);
    if (node.constructed) for (const child of children(node, 'test')) walk(child);
    else {
      const meaningful = node.tagClass === 0 && (node.tagNumber === 6 || node.tagNumber === 2);
      for (let i = node.contentStart; i < node.contentEnd; i++) (meaningful ? structural : opaque).push(i);
    }
  };
  walk(parse(der));
  return { structural, opaque };
}

const configurations = [
  { label: 'EC recipient, AES-GCM', recipients: ['server'], cipher: 'gcm' as const },
  { label: 'RSA and EC recipients, AES-CBC', recipients: ['rsa-server', 'server'], cipher: 'cbc' as const },
];

describe('inspectContainer', () => {
  it.each(configurations)('finds every bit flipped in the structure ($label)', ({ recipients, cipher }) => {
    const der = seal(recipients, cipher) as Uint8Array;
    const whole = inspectContainer(der);
    // Every step; the GCM tag only where there is one.
    const steps = INSPECTION_STEPS.filter((step) => cipher === 'gcm' || step !== 'mac');
    expect(whole).toMatchObject({ ok: true, value: { verdict: 'intact', checked: steps } });
    const { structural } = layout(der);
    expect(structural.length).toBeGreaterThan(100);
    const missed: string[] = [];
    for (const offset of structural) {
      for (let bit = 0; bit < 8; bit++) {
        const damaged = Uint8Array.from(der);
        damaged[offset] = (damaged[offset] as number) ^ (1 << bit);
        const result = inspectContainer(damaged);
        if (result.ok) missed.push(`${offset}:${bit}`);
        else expect(result.damage.verdict).toBe('damaged');
      }
    }
    expect(missed).toEqual([]);
  });

  it.each(configurations)('finds every cut and any appended byte ($label)', ({ recipients, cipher }) => {
    const der = seal(recipients, cipher) as Uint8Array;
    for (let length = 0; length < der.length; length++) {
      const result = inspectContainer(der.subarray(0, length));
      expect(result.ok, `cut at ${length}`).toBe(false);
      if (!result.ok && length >= 4) expect(result.damage.damage).toBe('truncated');
    }
    for (const extra of [Uint8Array.of(0), Uint8Array.of(0x30, 0), new Uint8Array(1000).fill(0x41)]) {
      const result = inspectContainer(Buffer.concat([der, extra]));
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'malformed' },
        damage: {
          damage: 'trailing-bytes',
          detail: `${extra.length} byte(s) after the end of the structure (which ends at byte ${der.length})`,
          checked: ['armour'],
        },
      });
    }
  });

  it('cannot see a change inside the encrypted bytes, and says so through its verdict alone', () => {
    const der = seal(['server'], 'gcm') as Uint8Array;
    const { opaque } = layout(der);
    // The last opaque bytes are the GCM tag: a change there is for the decoder to find.
    const changed = Uint8Array.from(der);
    const last = opaque.at(-1) as number;
    changed[last] = (changed[last] as number) ^ 1;
    expect(inspectContainer(changed)).toMatchObject({ ok: true, value: { verdict: 'intact' } });
  });

  it('tells what is not CMS, and a CMS that is not an encrypted container', () => {
    expect(inspectContainer(new Uint8Array())).toMatchObject({ ok: false, damage: { damage: 'empty' } });
    expect(inspectContainer(new TextEncoder().encode('{"rows": []}'))).toMatchObject({
      ok: false,
      error: { code: 'malformed' },
      damage: { damage: 'not-cms', offset: 0 },
    });
    expect(inspectContainer(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a))).toMatchObject({
      ok: false,
      damage: { damage: 'not-cms' },
    });
    // A SignedData alone (signed, never encrypted) is CMS, but not a container.
    writeFileSync(pki.path('payload.txt'), 'hello');
    execFileSync(
      'openssl',
      [
        'cms',
        '-sign',
        '-binary',
        '-in',
        'payload.txt',
        '-signer',
        'site.pem',
        '-inkey',
        'site.key',
        '-outform',
        'DER',
        '-out',
        'signed.der',
      ],
      { cwd: pki.dir, stdio: 'pipe' },
    );
    expect(inspectContainer(readFileSync(pki.path('signed.der')))).toMatchObject({
      ok: false,
      error: { code: 'unsupported-algorithm' },
      damage: { damage: 'unsupported', checked: ['armour', 'outer-element'] },
    });
  });

  it('reads text armour, tells a cut one, and notes text around it', () => {
    const text = seal(['server'], 'gcm', 'text') as string;
    expect(inspectContainer(text)).toMatchObject({ ok: true, value: { armor: 'text', verdict: 'intact' } });
    const footer = '-- \nSent from the field office';
    const signed = inspectContainer(`${text}${footer}\n`);
    expect(signed).toMatchObject({ ok: true, value: { outsideArmour: footer.length } });
    expect(inspectContainer(text.slice(0, text.length / 2))).toMatchObject({
      ok: false,
      damage: { damage: 'truncated', armor: 'text' },
    });
    expect(inspectContainer(text.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n!!\n'))).toMatchObject({
      ok: false,
      damage: { damage: 'bad-armour' },
    });
  });

  it('finds containers made by OpenSSL whole', () => {
    writeFileSync(pki.path('inner.txt'), 'hello');
    const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: pki.dir, stdio: 'pipe' });
    openssl([
      'cms',
      '-sign',
      '-nodetach',
      '-binary',
      '-keyid',
      '-nocerts',
      '-in',
      'inner.txt',
      '-signer',
      'site.pem',
      '-inkey',
      'site.key',
      '-outform',
      'DER',
      '-out',
      'inner.der',
    ]);
    for (const options of [
      ['-aes-256-gcm', '-recip', 'server.pem', '-keyopt', 'ecdh_kdf_md:sha256'],
      ['-aes-256-gcm', '-recip', 'server.pem', '-keyid', '-keyopt', 'ecdh_kdf_md:sha256', '-stream'],
      [
        '-aes-256-cbc',
        '-recip',
        'rsa-server.pem',
        '-keyopt',
        'rsa_padding_mode:oaep',
        '-keyopt',
        'rsa_oaep_md:sha256',
        '-keyopt',
        'rsa_mgf1_md:sha256',
      ],
    ]) {
      openssl([
        'cms',
        '-encrypt',
        '-binary',
        '-in',
        'inner.der',
        ...options,
        '-outform',
        'DER',
        '-out',
        'c.der',
      ]);
      expect(inspectContainer(readFileSync(pki.path('c.der'))), options.join(' ')).toMatchObject({
        ok: true,
        value: { verdict: 'intact' },
      });
    }
    // OpenSSL's default KDF (SHA-1) is outside the format: the decoder refuses it, inspect says so.
    openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-in',
      'inner.der',
      '-aes-256-gcm',
      '-recip',
      'server.pem',
      '-outform',
      'DER',
      '-out',
      'sha1.der',
    ]);
    expect(inspectContainer(readFileSync(pki.path('sha1.der')))).toMatchObject({
      ok: false,
      error: { code: 'unsupported-algorithm' },
    });
  });
});
