import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import * as pki from '@xmcomm/pki';
import { type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  authenticate,
  type CliIo,
  EcrError,
  exitCodes,
  insertUser,
  runCli,
  unlockUser,
} from '../src/index.js';

// Site users get the central server's lockout rule (@xmcomm/pki's lockAfterFailure): 5 wrong
// passwords in a row lock the account 15 minutes, each further lock in a row twice as long; a
// success clears the count; the officer lifts a lock with `ecr user unlock`.

// The password checks, so that a test can hold them (simultaneous attempts).
vi.mock('@xmcomm/pki', async (original) => {
  const actual = await original<typeof import('@xmcomm/pki')>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});
const { verifyPassword: realVerify } = await vi.importActual<typeof import('@xmcomm/pki')>('@xmcomm/pki');

/**
 * Holds every password check, once done, until the test lets it go: as when simultaneous logins
 * all read the user before any of them has written. `checks` lists those held, in order.
 */
function holdChecks() {
  const checks: { password: string; go: () => void }[] = [];
  const verify = vi.mocked(pki.verifyPassword);
  verify.mockImplementation(async (password, hash) => {
    const ok = await realVerify(password, hash);
    await new Promise<void>((go) => checks.push({ password, go }));
    return ok;
  });
  return {
    checks,
    waitFor: (count: number) => vi.waitFor(() => expect(checks.length).toBe(count), { timeout: 60_000 }),
    [Symbol.dispose]: () => verify.mockImplementation(realVerify),
  };
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let database: TestDatabase<SiteDatabase>;
let dir: string;
let clock = new Date('2026-12-07T08:00:00Z');
const now = () => clock;
const minutes = (n: number) => new Date(clock.getTime() + n * 60_000);

async function ecr(
  args: string[],
  env: Record<string, string> = {},
  own?: Pick<CliIo, 'openDatabase' | 'now'>,
) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dir, ...args], {
    env,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    ...(own ?? { now, openDatabase: async () => ({ db: database.db, close: async () => {} }) }),
  });
  return { code, stdout, stderr };
}

async function failure(login: string, password: string): Promise<EcrError> {
  const error = await authenticate(database.db, login, password, { now }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof EcrError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

async function state(login: string) {
  return database.db
    .selectFrom('xm_site.users')
    .select(['failed_logins', 'lockouts', 'locked_until'])
    .where('login', '=', login)
    .executeTakeFirstOrThrow();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecr-lockout-'));
  database = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
  expect(
    (
      await ecr(
        [
          'init',
          '--no-key',
          '--database-url',
          database.url,
          '--matricule',
          'CEC-LCK-01',
          '--centre-code',
          '102034',
          '--officer',
          'chef',
        ],
        { ECR_NEW_PASSWORD: 'officer-password' },
      )
    ).code,
  ).toBe(0);
  for (const login of ['ali', 'awa', 'sec', 'bia', 'ema', 'ola'])
    await insertUser(database.db, {
      login,
      privilege: login === 'sec' ? 2 : 1,
      password: `${login}-password`,
    });
});

afterAll(async () => {
  await database?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('site lockout', () => {
  test('five wrong passwords lock the account: then even the right one is refused, until 15 minutes have passed', async () => {
    for (let n = 1; n <= 4; n++) expect((await failure('ali', 'wrong')).code).toBe('authentication-failed');
    expect(await state('ali')).toMatchObject({ failed_logins: 4, lockouts: 0, locked_until: null });
    expect((await failure('ali', 'wrong')).code).toBe('authentication-failed');
    const locked = await failure('ali', 'ali-password');
    expect(locked.code).toBe('account-locked');
    expect(locked.params).toEqual({ login: 'ali', until: '2026-12-07T08:15:00.000Z' });
    expect(locked.messageIn('en')).toContain('until 2026-12-07T08:15:00.000Z');
    expect(locked.messageIn('fr')).toContain(
      "est verrouillé après des mots de passe erronés répétés jusqu'à",
    );
    expect(exitCodes[locked.code]).toBe(exitCodes['authentication-failed']);
    // Wrong passwords while locked are not even checked, so they do not lengthen the lock.
    expect((await failure('ali', 'wrong')).code).toBe('account-locked');

    clock = minutes(15);
    const user = await authenticate(database.db, 'ali', 'ali-password', { now });
    expect(user.login).toBe('ali');
    expect(await state('ali')).toEqual({ failed_logins: 0, lockouts: 0, locked_until: null });
  });

  test('a lock that goes on lasts longer each time; a success resets it', async () => {
    for (let n = 1; n <= 5; n++) await failure('awa', 'wrong');
    expect((await failure('awa', 'awa-password')).params.until).toBe(minutes(15).toISOString());
    clock = minutes(15);
    for (let n = 1; n <= 5; n++) await failure('awa', 'still wrong');
    expect((await failure('awa', 'awa-password')).params.until).toBe(minutes(30).toISOString());
    clock = minutes(30);
    await authenticate(database.db, 'awa', 'awa-password', { now });
    for (let n = 1; n <= 5; n++) await failure('awa', 'wrong again');
    expect((await failure('awa', 'awa-password')).params.until).toBe(minutes(15).toISOString());
  });

  test('an unknown login gets the answer of a wrong password, and is never said to be locked', async () => {
    for (let n = 1; n <= 7; n++) expect((await failure('nobody', 'x')).code).toBe('authentication-failed');
  });

  test('the officer unlocks (ecr user unlock); nobody else may', async () => {
    // awa is locked by the previous test.
    expect((await failure('awa', 'awa-password')).code).toBe('account-locked');
    const bySecretary = await ecr(['--user', 'sec', 'user', 'unlock', 'awa'], {
      ECR_PASSWORD: 'sec-password',
    });
    expect(bySecretary.code).toBe(exitCodes['permission-denied']);
    const french = await ecr(['--lang', 'fr', '--user', 'awa', 'login'], { ECR_PASSWORD: 'awa-password' });
    expect(french.code).toBe(exitCodes['account-locked']);
    expect(french.stderr).toContain("L'utilisateur awa est verrouillé");
    expect(french.stderr).toContain('ecr user unlock awa');

    const unlocked = await ecr(['--json', '--user', 'chef', 'user', 'unlock', 'awa'], {
      ECR_PASSWORD: 'officer-password',
    });
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(JSON.parse(unlocked.stdout)).toEqual({
      login: 'awa',
      wasLockedUntil: minutes(15).toISOString(),
      failedLogins: 0,
    });
    expect(await state('awa')).toEqual({ failed_logins: 0, lockouts: 0, locked_until: null });
    const login = await ecr(['--user', 'awa', 'login'], { ECR_PASSWORD: 'awa-password' });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('Logged in as awa (agent) at centre CEC-LCK-01.');

    const again = await ecr(['--user', 'chef', 'user', 'unlock', 'awa'], {
      ECR_PASSWORD: 'officer-password',
    });
    expect(again.stdout).toContain('awa was not locked');
    const unknown = await ecr(['--user', 'chef', 'user', 'unlock', 'nobody'], {
      ECR_PASSWORD: 'officer-password',
    });
    expect(unknown.code).toBe(exitCodes['not-found']);
    const chef = await authenticate(database.db, 'chef', 'officer-password', { now });
    await expect(unlockUser(database.db, { ...chef, privilege: 2 }, 'awa')).rejects.toMatchObject({
      code: 'permission-denied',
    });
  });

  test('12 simultaneous `ecr login` with wrong passwords, all past the first look: 5 are answered, one lock, the rest refused as locked', async () => {
    using hold = holdChecks();
    const logins = Array.from({ length: 12 }, (_, n) =>
      ecr(['--user', 'bia', 'login'], { ECR_PASSWORD: `wrong ${n}` }),
    );
    await hold.waitFor(12);
    for (const check of hold.checks) check.go();
    const answers = await Promise.all(logins);
    expect(answers.map((answer) => answer.code)).toEqual(Array(12).fill(exitCodes['authentication-failed']));
    expect(answers.filter((answer) => answer.stderr.includes('is locked'))).toHaveLength(7);
    expect(answers.filter((answer) => answer.stderr.includes('bia is locked'))[0]?.stderr).toContain(
      `until ${minutes(15).toISOString()}`,
    );
    expect(await state('bia')).toEqual({ failed_logins: 0, lockouts: 1, locked_until: minutes(15) });
  }, 120_000);

  test('a right password whose check ends after a simultaneous login set the lock is refused, and leaves the lock', async () => {
    using hold = holdChecks();
    const right = failure('ema', 'ema-password');
    const wrong = Array.from({ length: 5 }, (_, n) => failure('ema', `wrong ${n}`));
    await hold.waitFor(6);
    for (const check of hold.checks) if (check.password !== 'ema-password') check.go();
    expect((await Promise.all(wrong)).map((error) => error.code)).toEqual(
      Array(5).fill('authentication-failed'),
    );
    for (const check of hold.checks) if (check.password === 'ema-password') check.go();
    expect((await right).code).toBe('account-locked');
    expect(await state('ema')).toEqual({ failed_logins: 0, lockouts: 1, locked_until: minutes(15) });
  }, 120_000);

  test('20 wrong passwords at once, without holding: 5 are answered, one lock of 15 minutes', async () => {
    const codes = await Promise.all(
      Array.from({ length: 20 }, async (_, n) => (await failure('ola', `wrong ${n}`)).code),
    );
    expect(codes.filter((code) => code === 'authentication-failed')).toHaveLength(5);
    expect(await state('ola')).toEqual({ failed_logins: 0, lockouts: 1, locked_until: minutes(15) });
  }, 120_000);

  test('the spawned ecr refuses a locked user, in French under --lang fr, with the exit code of a failed login', async () => {
    // A centre of its own on a database the spawned process can open: a directory for the embedded
    // engine, or a fresh PostgreSQL database when DATABASE_URL is set.
    const own = await mkdtemp(join(tmpdir(), 'ecr-lockout-bin-'));
    const ownDatabase = process.env.DATABASE_URL
      ? await createTestDatabase<SiteDatabase>({ migrations: siteMigrations })
      : undefined;
    try {
      const onDisk = (args: string[], env: Record<string, string>) =>
        // The real clock and the real database opener, as the spawned process has them.
        ecr(['--data-dir', own, ...args], env, {});
      const init = await onDisk(
        [
          'init',
          '--no-key',
          '--database-url',
          ownDatabase?.url ?? join(own, 'db'),
          '--matricule',
          'CEC-LCK-02',
          '--centre-code',
          '102035',
          '--officer',
          'chef',
        ],
        { ECR_NEW_PASSWORD: 'officer-password' },
      );
      expect(init.code, init.stderr).toBe(0);
      for (let n = 1; n <= 5; n++) {
        const wrong = await onDisk(['--user', 'chef', 'login'], { ECR_PASSWORD: 'not-the-password' });
        expect(wrong.code).toBe(exitCodes['authentication-failed']);
      }
      const spawned = spawnSync(
        process.execPath,
        [...entryArguments('apps/ecr-client/src/cli.ts', root), '--lang', 'fr', 'login'],
        {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, ECR_DATA_DIR: own, ECR_USER: 'chef', ECR_PASSWORD: 'officer-password' },
        },
      );
      expect(spawned.status, spawned.stderr).toBe(exitCodes['account-locked']);
      expect(spawned.stderr).toMatch(
        /^ecr: L'utilisateur chef est verrouillé après des mots de passe erronés répétés jusqu'à \d{4}-\d{2}-\d{2}T[\d:.]+Z ; l'officier peut le déverrouiller aussitôt par `ecr user unlock chef`\.\n$/,
      );
      expect(spawned.stdout).toBe('');
    } finally {
      await ownDatabase?.close();
      await rm(own, { recursive: true, force: true });
    }
  }, 120_000);

  test('after the officer resets a password, the user can do nothing but choose their own', async () => {
    const reset = await ecr(['--user', 'chef', 'user', 'reset-password', 'ema'], {
      ECR_PASSWORD: 'officer-password',
      ECR_NEW_PASSWORD: 'ema-second-password',
    });
    expect(reset.code, reset.stderr).toBe(0);
    const refused = await ecr(['--lang', 'fr', '--user', 'ema', 'act', 'search'], {
      ECR_PASSWORD: 'ema-second-password',
    });
    expect(refused.code).toBe(exitCodes['password-change-required']);
    expect(refused.stderr).toContain('ecr --user ema user passwd');
    expect(refused.stdout).toBe('');
    const changed = await ecr(['--user', 'ema', 'user', 'passwd'], {
      ECR_PASSWORD: 'ema-second-password',
      ECR_NEW_PASSWORD: 'ema-own-password',
    });
    expect(changed.code, changed.stderr).toBe(0);
    const search = await ecr(['--user', 'ema', 'act', 'search'], { ECR_PASSWORD: 'ema-own-password' });
    expect(search.code, search.stderr).toBe(0);
  });
});
