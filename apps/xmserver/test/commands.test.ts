import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyPassword } from '../src/passwords.js';
import { runInProcess } from './helpers/run.js';

// One database for the file (PGlite, or a fresh PostgreSQL database when DATABASE_URL is set),
// initialised through the CLI itself; every command below runs in-process against it.
let test_db: TestDatabase<ServerDatabase>;
let dataDir: string;
const env = { XM_USER: 'operator-1' };
const run = (argv: readonly string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', dataDir, ...argv], { database: test_db.db, env: { ...env, ...extraEnv } });
const auditCount = async () =>
  Number(
    (
      await test_db.db
        .selectFrom('xm_system.audit_log')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  test_db = await createTestDatabase<ServerDatabase>();
  dataDir = await mkdtemp(join(tmpdir(), 'xms-cmd-'));
});
afterAll(async () => {
  await test_db?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('init', () => {
  test('a command before init says to run init, exit 78', async () => {
    const outcome = await run(['client', 'list']);
    expect(outcome.code).toBe(78);
    expect(outcome.stderr).toContain('xmserver init');
  });

  test('creates the schemas once; a second run changes nothing', async () => {
    const first = await run(['init', '--json']);
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result.changed).toBe(true);
    expect(result.migrations).toContain('20261122-30-xmserver-audit-log');
    const auditAfterFirst = await auditCount();
    const second = await run(['init', '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ changed: false, migrations: [] });
    expect(await auditCount()).toBe(auditAfterFirst);
  });
});

describe('users', () => {
  test('add with the password from XM_PASSWORD, stored as a scrypt hash, audited with the operator', async () => {
    const outcome = await run(['user', 'add', 'alice', '--privilege', '2', '--name', 'Alice Abena'], {
      XM_PASSWORD: 'correct horse',
    });
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('alice');
    const row = await test_db.db
      .selectFrom('xm_system.users')
      .selectAll()
      .where('login', '=', 'alice')
      .executeTakeFirstOrThrow();
    expect(row.privilege).toBe(2);
    expect(row.password_hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', row.password_hash)).toBe(true);
    const entry = await test_db.db
      .selectFrom('xm_system.audit_log')
      .selectAll()
      .where('target', '=', 'alice')
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ operator: 'operator-1', action: 'user.add' });
  });

  test('a duplicate user: clear message, exit 73, nothing written', async () => {
    const before = await auditCount();
    const outcome = await run(['user', 'add', 'alice'], { XM_PASSWORD: 'another one' });
    expect(outcome.code).toBe(73);
    expect(outcome.stderr).toContain('"alice" already exists');
    expect(await auditCount()).toBe(before);
  });

  test('no password source: exit 64 and no user', async () => {
    const outcome = await run(['user', 'add', 'bob']);
    expect(outcome.code).toBe(64);
    expect(outcome.stderr).toContain('never as an argument');
    expect(
      await test_db.db
        .selectFrom('xm_system.users')
        .select('id')
        .where('login', '=', 'bob')
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  test('--demo seeds mbome, who must change its password', async () => {
    expect((await run(['user', 'add', '--demo'])).code).toBe(0);
    const shown = JSON.parse((await run(['user', 'show', 'mbome', '--json'])).stdout);
    expect(shown).toMatchObject({ login: 'mbome', privilege: 3, mustChangePassword: true });
  });

  test('set-privilege, invalid privilege, suspend, passwd', async () => {
    expect((await run(['user', 'set-privilege', 'alice', '3'])).code).toBe(0);
    const invalid = await run(['user', 'set-privilege', 'alice', '9']);
    expect(invalid.code).toBe(64);
    expect((await run(['user', 'passwd', 'mbome'], { XM_PASSWORD: 'a much better one' })).code).toBe(0);
    const mbome = JSON.parse((await run(['user', 'show', 'mbome', '--json'])).stdout);
    expect(mbome.mustChangePassword).toBe(false);
    expect((await run(['user', 'suspend', 'alice'])).code).toBe(0);
    expect(JSON.parse((await run(['user', 'show', 'alice', '--json'])).stdout).privilege).toBe(0);
    expect((await run(['user', 'show', 'nobody'])).code).toBe(67);
  });

  test('a suspended operator named by XM_USER may not change anything (exit 77)', async () => {
    const outcome = await run(['client', 'add', '--name', 'Refused'], { XM_USER: 'alice' });
    expect(outcome.code).toBe(77);
    const clients = await test_db.db
      .selectFrom('xm_system.clients')
      .select('id')
      .where('name', '=', 'Refused')
      .execute();
    expect(clients).toHaveLength(0);
  });
});

describe('clients', () => {
  test('registering gives a matricule and an account; the password is zerokey until changed', async () => {
    const outcome = await run([
      'client',
      'add',
      '--name',
      'Centre Yaoundé 1',
      '--region',
      'Centre',
      '--json',
    ]);
    expect(outcome.code).toBe(0);
    const client = JSON.parse(outcome.stdout);
    expect(client.matricule).toMatch(/^C\d{6}$/);
    expect(client.accountId).toEqual(expect.any(Number));
    expect(client).toMatchObject({ status: 3, mustChangePassword: true });
    const row = await test_db.db
      .selectFrom('xm_system.clients')
      .select('password_hash')
      .where('matricule', '=', client.matricule)
      .executeTakeFirstOrThrow();
    expect(await verifyPassword('zerokey', row.password_hash)).toBe(true);
  });

  test('an explicit matricule, then the same again: exit 73, still one client', async () => {
    expect((await run(['client', 'add', '--name', 'Douala 3', '--matricule', 'DLA-003'])).code).toBe(0);
    const again = await run(['client', 'add', '--name', 'Douala bis', '--matricule', 'DLA-003']);
    expect(again.code).toBe(73);
    const rows = await test_db.db
      .selectFrom('xm_system.clients')
      .select('name')
      .where('matricule', '=', 'DLA-003')
      .execute();
    expect(rows).toEqual([{ name: 'Douala 3' }]);
  });

  test('set-status: valid, invalid (64, unchanged), unknown matricule (68) in French', async () => {
    expect((await run(['client', 'set-status', 'DLA-003', '1'])).code).toBe(0);
    const invalid = await run(['client', 'set-status', 'DLA-003', '4']);
    expect(invalid.code).toBe(64);
    expect(invalid.stderr).toContain('expected 0 (suspended), 1, 2 or 3');
    const unknown = await run(['client', 'set-status', 'NOPE-1', '2', '--lang', 'fr']);
    expect(unknown.code).toBe(68);
    expect(unknown.stderr).toContain('Aucun client de matricule « NOPE-1 »');
    const shown = JSON.parse((await run(['client', 'show', 'DLA-003', '--json'])).stdout);
    expect(shown.status).toBe(1);
    const audit = JSON.parse((await run(['audit', '--target', 'DLA-003', '--json'])).stdout);
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['client.set-status', 'client.add']);
    expect(audit[0].details).toEqual({ from: 3, to: 1 });
  });

  test('update changes only what is given; list filters by status; errors as JSON with --json', async () => {
    expect((await run(['client', 'update', 'DLA-003', '--locality', 'Bonabéri'])).code).toBe(0);
    const shown = JSON.parse((await run(['client', 'show', 'DLA-003', '--json'])).stdout);
    expect(shown).toMatchObject({ name: 'Douala 3', locality: 'Bonabéri' });
    const listed = JSON.parse((await run(['client', 'list', '--status', '1', '--json'])).stdout);
    expect(listed.map((c: { matricule: string }) => c.matricule)).toEqual(['DLA-003']);
    const nothing = await run(['client', 'update', 'DLA-003', '--json']);
    expect(nothing.code).toBe(64);
    expect(JSON.parse(nothing.stderr).error.code).toBe('invalid-argument');
  });

  test('usage errors from commander exit 64', async () => {
    expect((await run(['client', 'add'])).code).toBe(64);
    expect((await run(['client', 'frobnicate'])).code).toBe(64);
    expect((await run(['--help'])).code).toBe(0);
  });
});

describe('accounts through billing', () => {
  test('credit, refuse an amount that is not a number (64) or an unknown client (68), statement', async () => {
    expect((await run(['client', 'credit', 'DLA-003', '25000', '--reference', 'REC-77'])).code).toBe(0);
    const bad = await run(['client', 'credit', 'DLA-003', '12,5']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('Invalid amount "12,5"');
    expect((await run(['client', 'credit', 'DLA-003', '-5'])).code).toBe(64);
    expect((await run(['client', 'credit', 'NOPE-7', '100'])).code).toBe(68);
    const statement = JSON.parse((await run(['client', 'statement', 'DLA-003', '--json'])).stdout);
    expect(statement).toMatchObject({ openingBalance: 0, closingBalance: 25000 });
    expect(statement.entries).toHaveLength(1);
    const csv = (await run(['client', 'statement', 'DLA-003', '--csv'])).stdout;
    expect(csv).toContain('REC-77');
    const audit = JSON.parse((await run(['audit', '--target', 'DLA-003', '--json'])).stdout);
    expect(audit[0]).toMatchObject({
      action: 'client.credit',
      operator: 'operator-1',
      details: { amount: 25000, reference: 'REC-77' },
    });
  });
});

describe('editions', () => {
  test('without a licence the free edition stops at 10 clients; a forged key is refused', async () => {
    const shown = JSON.parse((await run(['licence', 'show', '--json'])).stdout);
    expect(shown).toMatchObject({ edition: 'free', clients: 10 });
    for (let n = shown.used.clients; n < 10; n += 1) {
      expect((await run(['client', 'add', '--name', `Filler ${n}`])).code).toBe(0);
    }
    const eleventh = await run(['client', 'add', '--name', 'One too many']);
    expect(eleventh.code).toBe(65);
    expect(eleventh.stderr).toContain('licence');
    expect(
      await test_db.db
        .selectFrom('xm_system.clients')
        .select('id')
        .where('name', '=', 'One too many')
        .execute(),
    ).toHaveLength(0);
    expect((await run(['licence', 'activate', 'XMLIC1.e30.AAAA'])).code).toBe(65);
  });
});

describe('statistics role', () => {
  // Roles exist only on PostgreSQL; on the embedded database the command says so (exit 69).
  test.skipIf(!process.env.DATABASE_URL)('reads xm_data and nothing in xm_system', async () => {
    const role = `xm_stats_${Date.now().toString(36)}`;
    const granted = await run(['report', '--grant-role', role], { XM_STATS_PASSWORD: 'stats-secret-1' });
    expect(granted.code, granted.stderr).toBe(0);
    const { openDatabase } = await import('@xmcomm/schema');
    const url = new URL(test_db.url);
    url.username = role;
    url.password = 'stats-secret-1';
    const asStats = await openDatabase<ServerDatabase>(url.toString(), { maxConnections: 1 });
    try {
      await expect(asStats.selectFrom('xm_data.births').select('numero').execute()).resolves.toEqual(
        expect.any(Array),
      );
      await expect(asStats.selectFrom('xm_system.clients').select('matricule').execute()).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await asStats.destroy();
      const { sql } = await import('kysely');
      await sql`drop owned by ${sql.id(role)}`.execute(test_db.db);
      await sql`drop role ${sql.id(role)}`.execute(test_db.db);
    }
  });
});
