import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDurably } from '@xmcomm/mail-transport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T2dError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { batchDirectory, TEMPORARY_PREFIX } from './layout.js';
import { keyManifestSigner, parseSignedManifest, publicKeyVerifier } from './manifest.js';
import { readMedium } from './read-medium.js';
import { writeBatch } from './write-batch.js';

const site = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const intruder = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = keyManifestSigner(site.privateKey);
const verifier = publicKeyVerifier((sender) => (sender === 'CEC-001' ? [site.publicKey] : undefined));

let medium: string;
beforeEach(async () => {
  medium = await mkdtemp(join(tmpdir(), 't2d-medium-'));
});
afterEach(async () => {
  await rm(medium, { recursive: true, force: true });
});

function containers(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, index) => new Uint8Array(randomBytes(200 + index * 13)));
}

const write = (items: Uint8Array[], extra: Partial<Parameters<typeof writeBatch>[0]> = {}) =>
  writeBatch({ medium, sender: 'CEC-001', recipient: 'xmserver', containers: items, signer, ...extra });

const read = () => readMedium({ medium, recipient: 'xmserver', verifier });

const directory = () => batchDirectory(medium, 'xmserver', 'CEC-001');

describe('writeBatch and readMedium', () => {
  it('round-trips a batch in order, each file named by its hash, under recipient/sender', async () => {
    const items = containers(5);
    const written = await write(items);
    expect(written.written).toBe(5);
    expect(written.manifest).toBe(`XMCOMM/v1/xmserver/CEC-001/${written.batchId}.manifest.json`);
    const names = (await readdir(directory())).sort();
    expect(names).toHaveLength(6);
    expect(names.every((name) => /^[0-9a-f]{64}\.sdc$|\.manifest\.json$/.test(name))).toBe(true);

    const result = await read();
    expect(result.issues).toEqual([]);
    expect(result.containers.map((c) => Buffer.from(c.bytes).toString('hex'))).toEqual(
      items.map((bytes) => Buffer.from(bytes).toString('hex')),
    );
    expect(result.containers.every((c) => c.sender === 'CEC-001' && c.batchId === written.batchId)).toBe(
      true,
    );
    expect(result.batches).toHaveLength(1);
  });

  it('reads the same medium twice to the same answer, and a second export of the same items adds no file', async () => {
    const items = containers(3);
    await write(items, { createdAt: new Date('2026-01-01T00:00:00Z') });
    const again = await write(items, { createdAt: new Date('2026-01-02T00:00:00Z') });
    expect(again.written).toBe(0);
    expect(again.alreadyPresent).toBe(3);
    const first = await read();
    const second = await read();
    expect(first.containers).toHaveLength(3);
    expect(first.batches).toHaveLength(2);
    expect(second).toEqual(first);
  });

  it('returns batches oldest first, a container listed twice only at its first listing', async () => {
    const [a, b, c] = containers(3) as [Uint8Array, Uint8Array, Uint8Array];
    await write([c, a], { createdAt: new Date('2026-02-01T00:00:00Z') });
    await write([a, b], { createdAt: new Date('2026-01-01T00:00:00Z') });
    const result = await read();
    expect(result.containers.map((item) => item.bytes)).toEqual([a, b, c]);
  });

  it('skips a corrupt file and reports it, the rest proceeds', async () => {
    const items = containers(4);
    const { files } = await write(items);
    const victim = join(directory(), files[1]!.name);
    const bytes = await readFile(victim);
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;
    await writeFile(victim, bytes);
    const result = await read();
    expect(result.containers).toHaveLength(3);
    expect(result.issues).toEqual([
      expect.objectContaining({ kind: 'corrupt', path: `XMCOMM/v1/xmserver/CEC-001/${files[1]!.name}` }),
    ]);
  });

  it('reports a truncated file and a missing one', async () => {
    const { files } = await write(containers(3));
    await truncate(join(directory(), files[0]!.name), 50);
    await unlink(join(directory(), files[2]!.name));
    const result = await read();
    expect(result.containers.map((c) => c.sha256)).toEqual([files[1]!.sha256]);
    expect(result.issues.map((issue) => issue.kind).sort()).toEqual(['missing', 'truncated']);
  });

  it('treats a write interrupted mid-file as nothing sent, and the next export clears its leftovers', async () => {
    const items = containers(3);
    // A stick pulled out during the second container of a batch: one file complete, one temporary,
    // no manifest.
    await mkdir(directory(), { recursive: true });
    await writeDurably(directory(), `${createHash('sha256').update(items[0]!).digest('hex')}.sdc`, items[0]!);
    await writeFile(join(directory(), `${TEMPORARY_PREFIX}0b1d`), items[1]!.subarray(0, 40));

    const cut = await read();
    expect(cut.containers).toEqual([]);
    expect(cut.issues.map((issue) => issue.kind).sort()).toEqual(['interrupted-write', 'unlisted']);

    const resent = await write(items);
    expect(resent.removedTemporary).toBe(1);
    expect(resent.alreadyPresent).toBe(1);
    expect(resent.written).toBe(2);
    const whole = await read();
    expect(whole.issues).toEqual([]);
    expect(whole.containers).toHaveLength(3);
  });

  it('reports foreign files, folders, links and bad sender folders, and proceeds', async () => {
    await write(containers(2));
    await writeFile(join(directory(), 'photo.jpg'), 'not ours');
    await mkdir(join(directory(), 'nested'));
    await symlink('/etc/hostname', join(directory(), `${'a'.repeat(64)}.sdc`));
    await writeFile(join(medium, 'XMCOMM', 'v1', 'xmserver', 'stray.txt'), 'x');
    await mkdir(join(medium, 'XMCOMM', 'v1', 'xmserver', '.hidden'));
    const result = await read();
    expect(result.containers).toHaveLength(2);
    expect(result.issues.map((issue) => issue.kind)).toEqual([
      'foreign',
      'foreign',
      'foreign',
      'foreign',
      'foreign',
    ]);
  });

  it('ignores what is addressed to someone else', async () => {
    await writeBatch({
      medium,
      sender: 'CEC-001',
      recipient: 'other-server',
      containers: containers(2),
      signer,
    });
    const result = await read();
    expect(result).toEqual({ containers: [], batches: [], issues: [] });
  });

  it('refuses a manifest signed by another key, or edited after signing, and skips what it lists', async () => {
    await write(containers(2), { signer: keyManifestSigner(intruder.privateKey) });
    let result = await read();
    expect(result.containers).toEqual([]);
    expect(result.issues.map((issue) => issue.kind).sort()).toEqual([
      'bad-signature',
      'unlisted',
      'unlisted',
    ]);

    await rm(medium, { recursive: true });
    await mkdir(medium);
    const written = await write(containers(2));
    const path = join(medium, written.manifest);
    const text = (await readFile(path, 'utf8')).replace(
      /"size": (\d+)/,
      (_, size) => `"size": ${Number(size) + 1}`,
    );
    await writeFile(path, text);
    result = await read();
    expect(result.containers).toEqual([]);
    expect(result.issues.map((issue) => issue.kind)).toContain('bad-signature');
  });

  it('refuses a manifest copied into another sender folder, and one that is not JSON', async () => {
    const written = await write(containers(1));
    const otherFolder = batchDirectory(medium, 'xmserver', 'CEC-002');
    await mkdir(otherFolder, { recursive: true });
    await writeFile(
      join(otherFolder, `${written.batchId}.manifest.json`),
      await readFile(join(medium, written.manifest)),
    );
    await writeFile(join(directory(), '00000000-0000-4000-8000-000000000000.manifest.json'), '{"manifest":');
    const result = await read();
    expect(result.containers).toHaveLength(1);
    expect(result.issues.map((issue) => [issue.kind, issue.sender])).toEqual([
      ['bad-manifest', 'CEC-001'],
      ['bad-manifest', 'CEC-002'],
    ]);
  });

  it('does not read files over the size limit', async () => {
    await write([new Uint8Array(100), new Uint8Array(5000).fill(1)]);
    const result = await readMedium({
      medium,
      recipient: 'xmserver',
      verifier,
      limits: { maxContainerBytes: 1000 },
    });
    expect(result.containers).toHaveLength(1);
    expect(result.issues).toEqual([expect.objectContaining({ kind: 'too-large' })]);
  });

  it('fails with medium-unavailable when the medium is not mounted', async () => {
    const absent = join(medium, 'not-mounted');
    await expect(readMedium({ medium: absent, recipient: 'xmserver', verifier })).rejects.toSatisfy(
      (error) => T2dError.isInstance(error) && error.code === 'medium-unavailable',
    );
    await expect(
      writeBatch({
        medium: absent,
        sender: 'CEC-001',
        recipient: 'xmserver',
        containers: containers(1),
        signer,
      }),
    ).rejects.toSatisfy((error) => T2dError.isInstance(error) && error.code === 'medium-unavailable');
  });

  it('refuses matricules that could climb out of the tree', async () => {
    await expect(
      writeBatch({ medium, sender: '..', recipient: 'xmserver', containers: containers(1), signer }),
    ).rejects.toSatisfy((error) => T2dError.isInstance(error) && error.code === 'invalid-matricule');
  });
});

describe('manifest signatures', () => {
  it.each([
    ['ed25519', generateKeyPairSync('ed25519')],
    ['P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['RSA', generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ])('signs and verifies with %s keys', async (_name, pair) => {
    await writeBatch({
      medium,
      sender: 'CEC-009',
      recipient: 'xmserver',
      containers: containers(1),
      signer: keyManifestSigner(pair.privateKey),
    });
    const result = await readMedium({
      medium,
      recipient: 'xmserver',
      verifier: publicKeyVerifier(() => [pair.publicKey]),
    });
    expect(result.issues).toEqual([]);
    expect(result.containers).toHaveLength(1);
  });

  it('canonical JSON does not depend on key order or indentation', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'] })).toBe('{"a":[true,null,"x"],"b":1}');
    expect(canonicalJson({ a: [true, null, 'x'], b: 1 })).toBe(canonicalJson({ b: 1, a: [true, null, 'x'] }));
    expect(() => canonicalJson({ a: 1.5 })).toThrow();
  });

  it('parses hostile manifests to errors, never throws', () => {
    const hostile = [
      '',
      'null',
      '[]',
      '{"manifest":{},"signature":{}}',
      '\u0000\u00ff',
      '{"manifest":1,"signature":2}',
    ];
    for (const text of hostile) {
      const parsed = parseSignedManifest(new TextEncoder().encode(text), 10);
      expect(parsed.ok).toBe(false);
    }
    expect(parseSignedManifest(new Uint8Array([0xc3, 0x28]), 10).ok).toBe(false);
  });
});
