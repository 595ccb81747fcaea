import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, sampleBirth, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// `client show` with the site's certificates; `client delete` of a client registered by mistake.
let database: TestDatabase<ServerDatabase>;
let dir: string;
const run = (argv: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', join(dir, 'data'), ...argv], {
    database: database.db,
    env: { ...asSupervisor, ...extra },
  });
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

/** A site key and its certificate request, made by OpenSSL as a site would. */
function request(name: string): string {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key);
  openssl('req', '-new', '-key', key, '-subj', `/CN=${name}`, '-out', csr);
  return csr;
}

async function enrol(matricule: string, name: string): Promise<string> {
  const enrolled = await run(['client', 'enrol', matricule, '--csr', request(name), '--json']);
  expect(enrolled.code).toBe(0);
  return JSON.parse(enrolled.stdout).serialNumber as string;
}

async function add(matricule: string): Promise<void> {
  expect((await run(['client', 'add', '--name', `Centre ${matricule}`, '--matricule', matricule])).code).toBe(
    0,
  );
}

const used = async () => JSON.parse((await run(['licence', 'show', '--json'])).stdout).used.clients as number;

beforeAll(async () => {
  database = await createTestDatabase<ServerDatabase>();
  dir = await mkdtemp(join(tmpdir(), 'xms-client-'));
  await initialiseServer(run);
});
afterAll(async () => {
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('client show', () => {
  test("lists the site's certificates: serial, purpose, validity, revoked and why, in text and JSON", async () => {
    await add('SHW-01');
    const none = await run(['client', 'show', 'SHW-01']);
    expect(none.stdout).toContain('Certificates: none issued or imported.');
    expect(JSON.parse((await run(['client', 'show', 'SHW-01', '--json'])).stdout).certificates).toEqual([]);

    const first = await enrol('SHW-01', 'shw-1');
    expect((await run(['pki', 'revoke', first, '--reason', 'keyCompromise'])).code).toBe(0);
    const second = await enrol('SHW-01', 'shw-2');

    const shown = JSON.parse((await run(['client', 'show', 'SHW-01', '--json'])).stdout);
    expect(shown).toMatchObject({ matricule: 'SHW-01', name: 'Centre SHW-01' });
    expect(shown.certificates).toEqual([
      expect.objectContaining({
        serialNumber: first,
        purpose: 'site',
        revocationReason: 'keyCompromise',
        revokedAt: expect.any(String),
      }),
      expect.objectContaining({
        serialNumber: second,
        purpose: 'site',
        revokedAt: null,
        revocationReason: null,
      }),
    ]);
    const [a, b] = shown.certificates as { notBefore: string; notAfter: string }[];
    for (const c of [a, b])
      expect(Date.parse(c?.notAfter ?? '')).toBeGreaterThan(Date.parse(c?.notBefore ?? ''));

    const text = (await run(['client', 'show', 'SHW-01'])).stdout;
    expect(text).toContain('not before');
    expect(text).toContain('keyCompromise');
    const lines = text.split('\n');
    expect(lines.find((l) => l.startsWith(first))).toContain('keyCompromise');
    expect(lines.find((l) => l.startsWith(second))).toMatch(
      new RegExp(`^${second}\\s+site\\s+\\d{4}-\\d{2}-\\d{2}\\s+\\d{4}-\\d{2}-\\d{2}$`),
    );
    expect((await run(['client', 'show', 'SHW-01', '--lang', 'fr'])).stdout).toContain('Certificats :');
  });
});

describe('client delete', () => {
  test('a client never used: deleted with its account, its place in the edition free again, audited', async () => {
    await add('DEL-01');
    const { id: clientId } = await database.db
      .selectFrom('xm_system.clients')
      .select('id')
      .where('matricule', '=', 'DEL-01')
      .executeTakeFirstOrThrow();
    const before = await used();
    const deleted = await run(['client', 'delete', 'DEL-01', '--json']);
    expect(deleted.stderr).toBe('');
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ matricule: 'DEL-01', clients: before - 1, limit: 10 });
    expect(await used()).toBe(before - 1);
    expect((await run(['client', 'show', 'DEL-01'])).code).toBe(68);
    const accounts = await database.db
      .selectFrom('xm_system.accounts')
      .select('id')
      .where('client_id', '=', clientId)
      .execute();
    expect(accounts).toEqual([]);
    const audit = JSON.parse((await run(['audit', '--target', 'DEL-01', '--json'])).stdout);
    expect(audit[0]).toMatchObject({ action: 'client.delete', operator: 'admin' });
    // Its matricule may be registered again, as a new client.
    await add('DEL-01');
    expect((await run(['client', 'delete', 'NOPE-3'])).code).toBe(68);
  });

  test('a client with a certificate (even revoked) is refused: says why, points to set-status 0, changes nothing', async () => {
    await add('DEL-02');
    const serial = await enrol('DEL-02', 'del-2');
    expect((await run(['pki', 'revoke', serial])).code).toBe(0);
    const before = await used();
    const refused = await run(['client', 'delete', 'DEL-02']);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toContain('1 certificate issued or imported');
    expect(refused.stderr).toContain('xmserver client set-status DEL-02 0');
    expect(refused.stderr).not.toMatch(/^\s+at /m);
    const french = await run(['client', 'delete', 'DEL-02', '--lang', 'fr', '--json']);
    expect(JSON.parse(french.stderr).error).toMatchObject({ code: 'client-in-use' });
    expect(JSON.parse(french.stderr).error.message).toContain('1 certificat émis ou importé');
    expect(await used()).toBe(before);
    expect((await run(['client', 'show', 'DEL-02'])).code).toBe(0);
  });

  test('a client that sent a container, or has rows in xm_data, or a movement on its account, is refused', async () => {
    await add('DEL-03');
    await database.db
      .insertInto('xm_system.received_containers')
      .values({
        container_id: randomUUID(),
        sender_matricule: 'DEL-03',
        sequence: 1,
        kind: 'data',
        table_name: 'births',
        size_bytes: 1000,
        created_at: new Date(),
      })
      .execute();
    const container = await run(['client', 'delete', 'DEL-03']);
    expect(container.code).toBe(65);
    expect(container.stderr).toContain('1 container received from it');

    await add('DEL-04');
    await database.db
      .insertInto('xm_data.births')
      .values({
        ...sampleBirth,
        status: 2,
        niu: '000004-1',
        origin_matricule: 'DEL-04',
        origin_numero: 1,
      } as never)
      .execute();
    const rows = await run(['client', 'delete', 'DEL-04']);
    expect(rows.code).toBe(65);
    expect(rows.stderr).toContain('1 row from it in xm_data.births');

    await add('DEL-05');
    expect((await run(['client', 'credit', 'DEL-05', '500'])).code).toBe(0);
    const credited = await run(['client', 'delete', 'DEL-05']);
    expect(credited.code).toBe(65);
    expect(credited.stderr).toContain('1 movement on its account');
    for (const matricule of ['DEL-03', 'DEL-04', 'DEL-05'])
      expect((await run(['client', 'show', matricule])).code).toBe(0);
  });
});
