import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import { parseDictionary } from '@xmcomm/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birthAct } from '../bench/acts.js';
import { children, parse } from '../src/cms/der.js';
import { createEncoder } from '../src/index.js';
import { EXIT_CODES_FOR_TESTS } from './exit-codes.js';
import { createTestPki, type TestPki } from './pki-fixtures.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
  writeFileSync(pki.path('rows.json'), JSON.stringify(Array.from({ length: 5 }, (_, i) => birthAct(i))));
  writeFileSync(pki.path('pass.txt'), `${pki.passphrase}\n`);
});
afterAll(() => pki?.cleanup());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command from source, as an integrator's script would run the built `sdc`. */
function sdc(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...entryArguments('src/cli.ts', packageDir), ...args],
      { cwd: packageDir, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const p = (name: string) => pki.path(name);

// Each spawn starts Node with tsx and loads @xmcomm/schema (and with it kysely, pg, PGlite): about a
// second on an idle machine, many more on a loaded one, hence the generous timeout.
describe('sdc', { timeout: 120_000 }, () => {
  it('encodes batches into a directory and decodes the directory to JSON lines', async () => {
    const encoded = await sdc(
      [
        'encode',
        '--table',
        'births',
        '--in',
        p('rows.json'),
        '--cert',
        p('site.pem'),
        '--key',
        p('site-encrypted.key'),
        '--pass',
        'env:SDC_KEY_PASS',
        '--to',
        p('server.pem'),
        '--to',
        p('rsa-server.pem'),
        '--batch',
        '2',
        '--from',
        'CE0001',
        '--out',
        p('out'),
        '--json',
      ],
      { SDC_KEY_PASS: pki.passphrase },
    );
    expect(encoded.stderr).toBe('');
    expect(encoded.code).toBe(0);
    expect(readdirSync(p('out'))).toHaveLength(3);
    expect(
      encoded.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).rows),
    ).toEqual([2, 2, 1]);

    const decoded = await sdc([
      'decode',
      '--in',
      p('out'),
      '--cert',
      p('rsa-server.pem'),
      '--key',
      p('rsa-server.key'),
      '--trust',
      p('ca.pem'),
      '--signer',
      p('site.pem'),
      '--json',
    ]);
    expect(decoded.code).toBe(0);
    const lines = decoded.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.ok)).toEqual([true, true, true]);
    expect(lines.map((line) => line.header.sequence)).toEqual([1, 2, 3]);
    expect(lines[0].header).toMatchObject({ kind: 'rows', sender: 'CE0001', table: 'births' });
    expect(lines[2].rows[0]).toMatchObject({
      origin_matricule: 'CE0001',
      origin_numero: 1004,
      child_surname: birthAct(4).child_surname,
    });
    expect(lines[0].rows[0].drafted_at).toBe((birthAct(0).drafted_at as Date).toISOString());

    // Failures exit with their own code, and say it in English and French.
    const refused = await sdc([
      'decode',
      '--in',
      p('out'),
      '--cert',
      p('other-server.pem'),
      '--key',
      p('other-server.key'),
      '--trust',
      p('ca.pem'),
      '--signer',
      p('site.pem'),
    ]);
    expect(refused.code).toBe(EXIT_CODES_FOR_TESTS['not-for-me']);
    expect(refused.stdout).toContain('not-for-me');
    expect(refused.stdout).toContain("n'est pas adressé");
    const untrusted = await sdc([
      'decode',
      '--in',
      p('out'),
      '--cert',
      p('server.pem'),
      '--key',
      p('server.key'),
      '--trust',
      p('rogue-ca.pem'),
      '--signer',
      p('site.pem'),
      '--json',
    ]);
    expect(untrusted.code).toBe(EXIT_CODES_FOR_TESTS['untrusted-signer']);
    expect(JSON.parse(untrusted.stdout.split('\n')[0] as string).error.code).toBe('untrusted-signer');
  });

  it('refuses a revoked signer when given the CRL', async () => {
    const der = createEncoder({
      signer: { privateKey: pki.read('revoked-site.key'), certificate: pki.read('revoked-site.pem') },
      recipients: [{ certificate: pki.read('server.pem') }],
    }).encode({
      kind: 'rows',
      table: 'births',
      rows: [birthAct(1)],
      sender: 'revoked-site',
      sequence: 1,
    }) as Uint8Array;
    mkdirSync(p('revoked'), { recursive: true });
    writeFileSync(p('revoked/a.sdc'), der);
    const run = await sdc([
      'decode',
      '--in',
      p('revoked'),
      '--cert',
      p('server.pem'),
      '--key',
      p('server.key'),
      '--trust',
      p('ca.pem'),
      '--crl',
      p('ca.crl'),
      '--signer',
      p('revoked-site.pem'),
      '--json',
    ]);
    expect(run.code).toBe(EXIT_CODES_FOR_TESTS['revoked-signer']);
    expect(JSON.parse(run.stdout).error.code).toBe('revoked-signer');
  });

  it('never takes a passphrase on the command line', async () => {
    const run = await sdc([
      'encode',
      '--table',
      'births',
      '--in',
      p('rows.json'),
      '--cert',
      p('site.pem'),
      '--key',
      p('site-encrypted.key'),
      '--pass',
      `pass:${pki.passphrase}`,
      '--to',
      p('server.pem'),
      '--out',
      p('x.sdc'),
    ]);
    expect(run.code).toBe(EXIT_CODES_FOR_TESTS.usage);
    expect(run.stderr).toMatch(/env:VAR or file:PATH/);
  });

  it('writes text armour from a file passphrase, and inspects without keys', async () => {
    const run = await sdc([
      'encode',
      '--table',
      'births',
      '--in',
      p('rows.json'),
      '--cert',
      p('site.pem'),
      '--key',
      p('site-encrypted.key'),
      '--pass',
      `file:${p('pass.txt')}`,
      '--to',
      p('server.pem'),
      '--armor',
      'text',
      '--cipher',
      'cbc',
      '--out',
      p('one.txt'),
    ]);
    expect(run.code).toBe(0);
    expect(pki.read('one.txt').startsWith('-----BEGIN SDC-----')).toBe(true);
    const inspected = await sdc(['inspect', p('one.txt'), '--json']);
    expect(JSON.parse(inspected.stdout)).toMatchObject({
      armor: 'text',
      contentType: 'envelopedData',
      cipher: 'aes-256-cbc',
      recipients: [{ type: 'key-agreement' }],
    });
    const decoded = await sdc([
      'decode',
      '--in',
      p('one.txt'),
      '--cert',
      p('server.pem'),
      '--key',
      p('server.key'),
      '--trust',
      p('ca.pem'),
      '--signer',
      p('site.pem'),
      '--json',
    ]);
    expect(JSON.parse(decoded.stdout).rows).toHaveLength(5);
  });

  it('inspects without keys: a damaged container is damaged, exits non-zero, and says what only decode checks', {
    timeout: 300_000,
  }, async () => {
    const der = createEncoder({
      signer: { privateKey: pki.read('site.key'), certificate: pki.read('site.pem') },
      recipients: [{ certificate: pki.read('server.pem') }],
    }).encode({
      kind: 'rows',
      table: 'births',
      rows: [birthAct(1)],
      sender: 'CE0001',
      sequence: 1,
    }) as Uint8Array;
    const [contentType, content] = children(parse(der), 'ContentInfo');
    const envelope = children(content, 'content')[0];
    const recipientInfos = children(envelope, 'AuthEnvelopedData')[1];
    const changed = (offset: number, mask: number) => {
      const copy = Buffer.from(der);
      copy[offset] = (copy[offset] as number) ^ mask;
      return copy;
    };
    const garbage = '\n-- garbage\n';
    mkdirSync(p('inspect'), { recursive: true });
    const files: Record<string, Uint8Array | string> = {
      whole: der,
      cut: der.subarray(0, der.length - 40),
      appended: Buffer.concat([der, Buffer.from(garbage)]),
      // The last byte of the outer content type (an OID), and the recipientInfos' SET tag.
      'flipped-oid': changed((contentType?.end as number) - 1, 0x01),
      'flipped-tag': changed(recipientInfos?.start as number, 0x01),
      'not-cms': 'births,2024-01-01\n',
      // One byte of the GCM tag: opaque without the key.
      'flipped-tag-bytes': changed(der.length - 1, 0x01),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(p(`inspect/${name}.sdc`), bytes);
    const inspect = (name: string, ...extra: string[]) =>
      sdc(['inspect', p(`inspect/${name}.sdc`), ...extra]);
    const [whole, cut, appended, flippedOid, flippedTag, notCms, cutJson, tagBytes, decoded] =
      await Promise.all([
        inspect('whole'),
        inspect('cut'),
        inspect('appended'),
        inspect('flipped-oid'),
        inspect('flipped-tag'),
        inspect('not-cms'),
        inspect('cut', '--json'),
        inspect('flipped-tag-bytes'),
        sdc([
          'decode',
          '--in',
          p('inspect/flipped-tag-bytes.sdc'),
          '--cert',
          p('server.pem'),
          '--key',
          p('server.key'),
          '--trust',
          p('ca.pem'),
          '--signer',
          p('site.pem'),
        ]),
      ]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toContain('structure intact: authEnvelopedData (aes-256-gcm)');
    expect(whole.stdout).toContain(
      'checked: armour; outer structure complete, nothing after it; CMS ContentInfo; recipient infos',
    );
    expect(whole.stdout).toContain('not checked without the recipient key: the signature and the signer');
    expect(whole.stdout).toContain('to check them: sdc decode --in FILE --cert recipient.pem --key');

    for (const [run, damage, code] of [
      [cut, 'truncated', 'malformed'],
      [appended, 'trailing-bytes', 'malformed'],
      [flippedOid, 'unsupported', 'unsupported-algorithm'],
      [flippedTag, 'bad-structure', 'malformed'],
      [notCms, 'not-cms', 'malformed'],
    ] as const) {
      expect(run.stdout, damage).toContain(`: DAMAGED (${damage}): `);
      expect(run.stdout).not.toContain('intact');
      expect(run.stdout).toContain('not checked without the recipient key');
      expect(run.code, damage).toBe(EXIT_CODES_FOR_TESTS[code]);
    }
    expect(cut.stdout).toContain(`the structure announces ${der.length} bytes, there are ${der.length - 40}`);
    expect(appended.stdout).toContain(
      `${garbage.length} byte(s) after the end of the structure (which ends at byte ${der.length})`,
    );
    expect(cutJson.code).toBe(EXIT_CODES_FOR_TESTS.malformed);
    expect(JSON.parse(cutJson.stdout)).toMatchObject({
      verdict: 'damaged',
      damage: 'truncated',
      checked: ['armour'],
      error: { code: 'malformed' },
      notChecked: ['signature', 'payload', 'encrypted-bytes'],
    });

    // A change inside what is encrypted or authenticated is out of inspect's reach; decode finds it.
    expect(tagBytes.code).toBe(0);
    expect(tagBytes.stdout).toContain('structure intact');
    expect(decoded.code).toBe(EXIT_CODES_FOR_TESTS['decrypt-failed']);
  });

  it('makes a payload that OpenSSL signs and encrypts, and decodes the result', async () => {
    const made = await sdc([
      'payload',
      'encode',
      '--table',
      'births',
      '--in',
      p('rows.json'),
      '--from',
      'CE0001',
      '--out',
      p('payload.bin'),
    ]);
    expect(made.code).toBe(0);
    const shown = await sdc(['payload', 'decode', '--in', p('payload.bin')]);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      header: { sender: 'CE0001', table: 'births' },
      kind: 'rows',
    });
    const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: pki.dir, stdio: 'pipe' });
    openssl([
      'cms',
      '-sign',
      '-nodetach',
      '-binary',
      '-keyid',
      '-nocerts',
      '-in',
      'payload.bin',
      '-signer',
      'site.pem',
      '-inkey',
      'site.key',
      '-outform',
      'DER',
      '-out',
      'signed.der',
    ]);
    mkdirSync(p('from-openssl'), { recursive: true });
    openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-in',
      'signed.der',
      '-aes-256-gcm',
      '-recip',
      'server.pem',
      '-keyopt',
      'ecdh_kdf_md:sha256',
      '-outform',
      'DER',
      '-out',
      'from-openssl/a.der',
    ]);
    const decoded = await sdc([
      'decode',
      '--in',
      p('from-openssl'),
      '--cert',
      p('server.pem'),
      '--key',
      p('server.key'),
      '--trust',
      p('ca.pem'),
      '--signer',
      p('site.pem'),
      '--json',
    ]);
    expect(decoded.code).toBe(0);
    expect(JSON.parse(decoded.stdout).rows).toHaveLength(5);
  });

  it('builds a dictionary from a sample of rows, the same file each time, within its budget', async () => {
    const sample = Array.from({ length: 300 }, (_, i) => JSON.stringify(birthAct(i))).join('\n');
    writeFileSync(p('births.jsonl'), `${sample}\n`);
    const build = (out: string, budget: string) =>
      sdc([
        'dictionary',
        'build',
        '--table',
        'births',
        '--sample',
        p('births.jsonl'),
        '--budget',
        budget,
        '--out',
        p(out),
      ]);
    const first = await build('births-dict.json', '40');
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/wrote .*births-dict\.json: 40 word\(s\), \d+ bytes, from 300 row\(s\)/);
    const again = await build('again.json', '40');
    expect(again.code).toBe(0);
    const file = readFileSync(p('births-dict.json'), 'utf8');
    // The name comes from the file; only it differs between the two runs.
    expect(readFileSync(p('again.json'), 'utf8').replace('"again"', '"births-dict"')).toBe(file);
    const dictionary = parseDictionary(JSON.parse(file));
    expect(dictionary.name).toBe('births-dict');
    expect(dictionary.words).toHaveLength(40);
    expect(first.stderr).toContain(dictionary.fingerprint.slice(0, 16));

    const small = await build('small.json', '200B');
    expect(small.code).toBe(0);
    const words = parseDictionary(JSON.parse(readFileSync(p('small.json'), 'utf8'))).words;
    expect(words.reduce((sum, word) => sum + Buffer.byteLength(word) + 1, 0)).toBeLessThanOrEqual(200);

    // Containers packed with it name it; a receiver without it refuses them with exit 25.
    const encoded = await sdc([
      'encode',
      '--table',
      'births',
      '--in',
      p('rows.json'),
      '--cert',
      p('site.pem'),
      '--key',
      p('site.key'),
      '--to',
      p('server.pem'),
      '--dictionary',
      p('births-dict.json'),
      '--out',
      p('packed.sdc'),
    ]);
    expect(encoded.code).toBe(0);
    const decode = (extra: string[]) =>
      sdc([
        'decode',
        '--in',
        p('packed.sdc'),
        '--cert',
        p('server.pem'),
        '--key',
        p('server.key'),
        '--trust',
        p('ca.pem'),
        '--signer',
        p('site.pem'),
        '--json',
        ...extra,
      ]);
    const lacking = await decode([]);
    expect(lacking.code).toBe(EXIT_CODES_FOR_TESTS['unknown-dictionary']);
    expect(JSON.parse(lacking.stdout).error.code).toBe('unknown-dictionary');
    const holding = await decode(['--dictionary', p('births-dict.json')]);
    expect(holding.code).toBe(0);
    const opened = JSON.parse(holding.stdout);
    expect(opened.header).toMatchObject({ version: 3, dictionary: dictionary.fingerprint.slice(0, 16) });
    expect(opened.rows).toHaveLength(5);
  });
});
