import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPassword } from '@xmcomm/pki';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addOperator, asSupervisor, supervisor } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// One database for the file (PGlite, or a fresh PostgreSQL database when DATABASE_URL is set),
// initialised through the CLI itself; every command below runs in-process against it, as the
// supervisor's script unless a test says who else acts.
let test_db: TestDatabase<ServerDatabase>;
let dataDir: string;
const run = (argv: readonly string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', dataDir, ...argv], {
    database: test_db.db,
    env: { ...asSupervisor, ...extraEnv },
  });
/** The same, with no credentials at all unless given. */
const runBare = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', dataDir, ...argv], { database: test_db.db, env });
const auditOf = (filter: { operator?: string; action?: string; target?: string }) => {
  let query = test_db.db
    .selectFrom('xm_system.audit_log')
    .select(['operator', 'action', 'target', 'details'])
    .orderBy('id');
  if (filter.operator) query = query.where('operator', '=', filter.operator);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.target) query = query.where('target', '=', filter.target);
  return query.execute();
};
const configDir = () => join(dataDir, '.operator-config', 'xmcomm');
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

  test('no password for the first supervisor: exit 64, and the server is still not initialised', async () => {
    const outcome = await runBare(['init']);
    expect(outcome.code).toBe(64);
    expect(outcome.stderr).toContain('XM_NEW_PASSWORD');
    expect((await run(['client', 'list'])).code).toBe(78);
  });

  test('creates the schemas and the first supervisor, who must change the password; the audit names it', async () => {
    const first = await runBare(['init', '--json'], { XM_NEW_PASSWORD: supervisor.initialPassword });
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result).toMatchObject({ changed: true, supervisorCreated: 'admin' });
    expect(result.migrations).toContain('20261122-30-xmserver-audit-log');
    expect(result.migrations).toContain('20261207-02-operator-sessions');
    const admin = await test_db.db
      .selectFrom('xm_system.users')
      .select(['privilege', 'must_change_password', 'password_hash'])
      .where('login', '=', 'admin')
      .executeTakeFirstOrThrow();
    expect(admin).toMatchObject({ privilege: 3, must_change_password: true });
    expect(await verifyPassword(supervisor.initialPassword, admin.password_hash)).toBe(true);
    const entries = await auditOf({});
    expect(entries.map((e) => [e.operator, e.action])).toEqual(
      expect.arrayContaining([
        ['admin', 'user.add'],
        ['admin', 'server.init'],
      ]),
    );
    expect(entries.filter((e) => e.operator.startsWith('system:'))).toEqual([]);
  });

  test('the first supervisor must choose a new password at first login; the session is kept 0600', async () => {
    const initial = { XM_USER: 'admin', XM_PASSWORD: supervisor.initialPassword };
    // A script with the initial password is sent to `login` (81).
    const scripted = await runBare(['client', 'list'], initial);
    expect(scripted.code).toBe(81);
    expect(scripted.stderr).toContain('xmserver login');
    // No new password given, or the same again: refused, nothing changed.
    expect((await runBare(['login'], initial)).code).toBe(64);
    expect((await runBare(['login'], { ...initial, XM_NEW_PASSWORD: supervisor.initialPassword })).code).toBe(
      65,
    );
    const login = await runBare(['login', '--json'], { ...initial, XM_NEW_PASSWORD: supervisor.password });
    expect(login.code, login.stderr).toBe(0);
    const session = JSON.parse(login.stdout);
    expect(session).toMatchObject({ login: 'admin', privilege: 3 });
    expect((await stat(session.sessionFile)).mode & 0o777).toBe(0o600);
    expect((await stat(configDir())).mode & 0o777).toBe(0o700);
    // The session is enough now: no XM_USER, no password.
    const whoami = JSON.parse((await runBare(['whoami', '--json'])).stdout);
    expect(whoami).toMatchObject({ login: 'admin', privilege: 3, role: 'supervisor' });
    expect(whoami.session.expiresAt).toBe(session.expiresAt);
    expect((await runBare(['logout'])).code).toBe(0);
    expect(await readdir(configDir())).toEqual([]);
    const after = await runBare(['whoami']);
    expect(after.code).toBe(80);
    expect(after.stderr).toContain('Not logged in');
    expect((await auditOf({ operator: 'admin' })).map((e) => e.action)).toEqual(
      expect.arrayContaining(['auth.password-change', 'auth.login', 'auth.logout']),
    );
  });

  test('a second run needs a supervisor, then changes nothing', async () => {
    const auditBefore = await auditCount();
    expect((await runBare(['init', '--json'])).code).toBe(80);
    const second = await run(['init', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      changed: false,
      migrations: [],
      supervisorCreated: null,
    });
    expect(await auditCount()).toBe(auditBefore);
  });
});

describe('users', () => {
  test('at a terminal, the login is asked (echoed) and then the password (hidden)', async () => {
    const asked: [string, boolean][] = [];
    const answers = ['admin', supervisor.password];
    const outcome = await runInProcess(['--data-dir', dataDir, 'whoami', '--json'], {
      database: test_db.db,
      env: {},
      prompt: async (question, options) => {
        asked.push([question, options?.echo === true]);
        return answers.shift() ?? '';
      },
    });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(JSON.parse(outcome.stdout)).toMatchObject({ login: 'admin', session: null });
    expect(asked).toEqual([
      ['Login: ', true],
      ['Password: ', false],
    ]);
  });

  test('add with the password from XM_NEW_PASSWORD, stored as a scrypt hash, audited with the supervisor', async () => {
    const outcome = await run(['user', 'add', 'alice', '--privilege', '2', '--name', 'Alice Abena'], {
      XM_NEW_PASSWORD: 'correct horse',
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
    expect(entry).toMatchObject({ operator: 'admin', action: 'user.add' });
  });

  test('a duplicate user: clear message, exit 73, nothing written', async () => {
    const before = await auditCount();
    const outcome = await run(['user', 'add', 'alice', '--privilege', '2'], {
      XM_NEW_PASSWORD: 'another one',
    });
    expect(outcome.code).toBe(73);
    expect(outcome.stderr).toContain('"alice" already exists');
    expect(await auditCount()).toBe(before);
  });

  test('no --privilege: refused (nobody becomes a supervisor by omission), and no user', async () => {
    const outcome = await run(['user', 'add', 'dave'], { XM_NEW_PASSWORD: 'dave first password' });
    expect(outcome.code).toBe(64);
    expect(outcome.stderr).toContain('--privilege');
    expect(
      await test_db.db
        .selectFrom('xm_system.users')
        .select('id')
        .where('login', '=', 'dave')
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  test('no password source: exit 64 and no user', async () => {
    const outcome = await run(['user', 'add', 'bob', '--privilege', '1']);
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

  test('set-privilege, invalid privilege, suspend, passwd', async () => {
    expect((await run(['user', 'set-privilege', 'alice', '3'])).code).toBe(0);
    const invalid = await run(['user', 'set-privilege', 'alice', '9']);
    expect(invalid.code).toBe(64);
    expect(
      (
        await run(['user', 'add', 'carol', '--privilege', '1', '--temporary'], {
          XM_NEW_PASSWORD: 'carol first password',
        })
      ).code,
    ).toBe(0);
    expect(JSON.parse((await run(['user', 'show', 'carol', '--json'])).stdout).mustChangePassword).toBe(true);
    expect((await run(['user', 'passwd', 'carol'], { XM_NEW_PASSWORD: 'a much better one' })).code).toBe(0);
    const carol = JSON.parse((await run(['user', 'show', 'carol', '--json'])).stdout);
    expect(carol.mustChangePassword).toBe(false);
    expect((await runBare(['whoami'], { XM_USER: 'carol', XM_PASSWORD: 'a much better one' })).code).toBe(0);
    expect((await run(['user', 'show', 'nobody'])).code).toBe(67);
  });

  test('a suspended user cannot act, whatever XM_USER says', async () => {
    const alice = { XM_USER: 'alice', XM_PASSWORD: 'correct horse' };
    // Alice logged in before being suspended: the suspension closes her session.
    expect((await runBare(['login'], alice)).code).toBe(0);
    expect((await run(['user', 'suspend', 'alice'])).code).toBe(0);
    expect(JSON.parse((await run(['user', 'show', 'alice', '--json'])).stdout).privilege).toBe(0);
    expect((await runBare(['client', 'add', '--name', 'Refused'])).code).toBe(80);
    // Her own password: forbidden (77), and the refusal is audited.
    const own = await runBare(['client', 'add', '--name', 'Refused'], alice);
    expect(own.code).toBe(77);
    expect(own.stderr).toContain('privilege 0');
    // Naming someone else, or no one, without that one's password: not logged in (80).
    expect((await runBare(['client', 'add', '--name', 'Refused'], { XM_USER: 'admin' })).code).toBe(80);
    expect(
      (
        await runBare(['client', 'add', '--name', 'Refused'], {
          XM_USER: 'admin',
          XM_PASSWORD: 'correct horse',
        })
      ).code,
    ).toBe(81);
    expect((await runBare(['login'], alice)).code).toBe(77);
    const clients = await test_db.db
      .selectFrom('xm_system.clients')
      .select('id')
      .where('name', '=', 'Refused')
      .execute();
    expect(clients).toHaveLength(0);
    expect(await auditOf({ operator: 'alice', action: 'auth.forbidden' })).toEqual([
      {
        operator: 'alice',
        action: 'auth.forbidden',
        target: 'client add',
        details: { privilege: 0, required: 2 },
      },
      {
        operator: 'alice',
        action: 'auth.forbidden',
        target: 'login',
        details: { privilege: 0, required: 1 },
      },
    ]);
    expect((await runBare(['logout'])).code).toBe(0);
  });

  test('XM_USER alone proves nothing: XM_USER=nobody is refused, and nothing is written', async () => {
    const before = await auditCount();
    const bare = await runBare(['client', 'update', 'C000001', '--name', 'Hijacked'], { XM_USER: 'nobody' });
    expect(bare.code).toBe(80);
    expect(await auditCount()).toBe(before);
    const guessed = await runBare(['client', 'update', 'C000001', '--name', 'Hijacked'], {
      XM_USER: 'nobody',
      XM_PASSWORD: 'a guess',
    });
    expect(guessed.code).toBe(81);
    expect(guessed.stderr).toContain('Unknown user or wrong password');
    expect(await auditOf({ target: 'nobody' })).toEqual([
      { operator: 'nobody', action: 'auth.failure', target: 'nobody', details: { reason: 'unknown-user' } },
    ]);
  });

  test('wrong passwords lock the account; the right one is refused until a supervisor unlocks it', async () => {
    const locky = await addOperator(run, 'locky', 2);
    const wrong = { ...locky, XM_PASSWORD: 'not it' };
    for (let n = 0; n < 5; n++) expect((await runBare(['client', 'list'], wrong)).code).toBe(81);
    const locked = await runBare(['client', 'list'], locky);
    expect(locked.code).toBe(81);
    expect(locked.stderr).toContain('user unlock locky');
    expect((await auditOf({ target: 'locky', action: 'auth.lock' }))[0]?.details).toMatchObject({
      failures: 5,
      minutes: 15,
    });
    expect(JSON.parse((await run(['user', 'show', 'locky', '--json'])).stdout).lockedUntil).not.toBeNull();
    // Unlocking is a supervisor's: the locked operator's peers cannot do it.
    const peer = await addOperator(run, 'peer', 2);
    expect((await runBare(['user', 'unlock', 'locky'], peer)).code).toBe(77);
    expect((await run(['user', 'unlock', 'locky'])).code).toBe(0);
    expect((await runBare(['client', 'list'], locky)).code).toBe(0);
    expect((await auditOf({ action: 'user.unlock' }))[0]).toMatchObject({
      operator: 'admin',
      target: 'locky',
    });
  });

  test('the last supervisor cannot be demoted or suspended: nobody could manage users after', async () => {
    const supervisors = async () =>
      (
        await test_db.db.selectFrom('xm_system.users').select('login').where('privilege', '=', 3).execute()
      ).map((row) => row.login);
    // Suspending alice (the other supervisor) above left admin alone.
    expect(await supervisors()).toEqual(['admin']);
    const demoted = await run(['user', 'set-privilege', 'admin', '2']);
    expect(demoted.code).toBe(65);
    expect(demoted.stderr).toContain('admin is the last supervisor');
    const suspended = await run(['--lang', 'fr', 'user', 'suspend', 'admin']);
    expect(suspended.code).toBe(65);
    expect(suspended.stderr).toContain('admin est le dernier superviseur');
    expect(await supervisors()).toEqual(['admin']);
    // With a second supervisor, either may step down.
    const second = await addOperator(run, 'second', 3);
    expect((await runBare(['user', 'set-privilege', 'admin', '2'], second)).code).toBe(0);
    expect((await runBare(['user', 'set-privilege', 'admin', '3'], second)).code).toBe(0);
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
    expect(audit[0].details).toEqual({ from: 3, to: 1, reason: null });
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

  test('--help never needs a login', async () => {
    const help = await runBare(['client', 'credit', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('credit');
    expect((await runBare(['user', 'add', '--help'])).code).toBe(0);
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
      operator: 'admin',
      details: { amount: 25000, reference: 'REC-77' },
    });
  });

  test('a read-only user reads statements but cannot credit; the refusal is audited', async () => {
    const reader = await addOperator(run, 'reader', 1);
    const before = JSON.parse(
      (await run(['client', 'statement', 'DLA-003', '--json'])).stdout,
    ).closingBalance;
    expect((await runBare(['client', 'statement', 'DLA-003'], reader)).code).toBe(0);
    const refused = await runBare(['client', 'credit', 'DLA-003', '1000000'], reader);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain('needs privilege 2 (operator)');
    const refusedFr = await runBare(['client', 'credit', 'DLA-003', '1000000', '--lang', 'fr'], reader);
    expect(refusedFr.stderr).toContain('il faut le privilège 2 (opérateur)');
    expect(JSON.parse((await run(['client', 'statement', 'DLA-003', '--json'])).stdout).closingBalance).toBe(
      before,
    );
    expect(await auditOf({ operator: 'reader', action: 'auth.forbidden' })).toHaveLength(2);
    expect((await auditOf({ operator: 'reader', action: 'auth.forbidden' }))[0]).toMatchObject({
      target: 'client credit',
      details: { privilege: 1, required: 2 },
    });
  });

  test('the audit entry carries the login that authenticated, never an XM_USER taken on trust', async () => {
    const clerk = await addOperator(run, 'clerk', 2);
    expect((await runBare(['login'], clerk)).code).toBe(0);
    // In the session: no XM_USER, no password, and the audit still names the clerk.
    expect((await runBare(['client', 'credit', 'DLA-003', '500', '--reference', 'REC-78'])).code).toBe(0);
    expect((await runBare(['logout'])).code).toBe(0);
    const [latest] = JSON.parse((await run(['audit', '--target', 'DLA-003', '--json'])).stdout);
    expect(latest).toMatchObject({
      action: 'client.credit',
      operator: 'clerk',
      details: { reference: 'REC-78' },
    });
    expect((await auditOf({})).filter((e) => e.operator.startsWith('system:'))).toEqual([]);
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
