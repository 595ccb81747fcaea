import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseKind, type ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { asSupervisor, supervisor } from './helpers/operators.js';
import { runInProcess, spawnCli } from './helpers/run.js';

// Embedded databases in spawned processes are slow on a loaded machine: a generous limit per command.
const cli = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) => spawnCli(argv, env, 240_000);

// The database chosen at `init`, however it was given, is the data directory's for good: later
// commands find it without being told, and no command creates a second one behind the operator's
// back. Runs the CLI as an operator's shell does: a real data directory, one process per command.
const onPostgres = databaseKind(process.env.DATABASE_URL ?? '') === 'postgres';
let dir: string;
let postgres: TestDatabase<ServerDatabase> | undefined;
/** The database given to init in XM_DATABASE_URL: a fresh PostgreSQL database, or an embedded one outside the data directory. */
let chosen: string;
/** The same, with a password in it (PostgreSQL trusts 127.0.0.1 here, so any password will do). */
let chosenWithPassword: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xms-dbloc-'));
  if (onPostgres) {
    postgres = await createTestDatabase<ServerDatabase>();
    chosen = postgres.url;
    const withPassword = new URL(postgres.url);
    withPassword.password = 'not-for-the-file';
    chosenWithPassword = withPassword.toString();
  } else {
    chosen = join(dir, 'elsewhere', 'server-db');
    chosenWithPassword = chosen;
  }
});

afterAll(async () => {
  await postgres?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
const readSettings = async (dataDir: string) =>
  JSON.parse(await readFile(join(dataDir, 'xmserver.json'), 'utf8')) as Record<string, unknown>;

describe('the database given at init is kept', () => {
  const dataDir = () => join(dir, 'data');

  test('init with XM_DATABASE_URL; later commands without it use the same database; no second one appears', async () => {
    const init = await cli(['--data-dir', dataDir(), 'init', '--json'], {
      XM_DATABASE_URL: chosenWithPassword,
      XM_BROKER_URL: 'mqtt://xms:broker-secret@127.0.0.1:1883',
      XM_NEW_PASSWORD: supervisor.initialPassword,
    });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    // The first supervisor's first login, then its commands as a script runs them; all without the setting.
    const login = await cli(['--data-dir', dataDir(), 'login'], {
      XM_USER: supervisor.login,
      XM_PASSWORD: supervisor.initialPassword,
      XM_NEW_PASSWORD: supervisor.password,
    });
    expect(login.code, login.stderr).toBe(0);
    expect((await cli(['--data-dir', dataDir(), 'logout'], asSupervisor)).code).toBe(0);
    const settings = await readSettings(dataDir());
    expect(settings.databaseUrl).toBe(chosen);
    expect(JSON.stringify(settings)).not.toContain('not-for-the-file');
    // The broker given in XM_BROKER_URL is kept as well, without its password.
    expect(settings.brokerUrl).toBe('mqtt://xms@127.0.0.1:1883');
    expect(JSON.stringify(settings)).not.toContain('broker-secret');
    expect(json(init.stdout).brokerPasswordNotKept).toBe(true);
    if (onPostgres) expect(json(init.stdout).passwordNotKept).toBe(true);

    const added = await cli(
      ['--data-dir', dataDir(), 'client', 'add', '--name', 'Yaoundé I', '--json'],
      asSupervisor,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const listed = await cli(['--data-dir', dataDir(), 'client', 'list', '--json'], asSupervisor);
    expect(listed.code).toBe(0);
    expect(json(listed.stdout).map((c: { name: string }) => c.name)).toEqual(['Yaoundé I']);
    if (postgres) {
      const rows = await postgres.db.selectFrom('xm_system.clients').select('name').execute();
      expect(rows).toEqual([{ name: 'Yaoundé I' }]);
    }

    // init again, as the old "not initialised" advice said: it finds the same database, changes nothing.
    const again = await cli(['--data-dir', dataDir(), 'init', '--json'], asSupervisor);
    expect(again.code).toBe(0);
    expect(json(again.stdout)).toMatchObject({ changed: false, migrations: [] });
    expect(existsSync(join(dataDir(), 'database'))).toBe(false);
  }, 600_000);

  test('init told another database refuses, names both and says how to move; nothing is created', async () => {
    const before = await readFile(join(dataDir(), 'xmserver.json'), 'utf8');
    const other = onPostgres
      ? Object.assign(new URL(chosen), { pathname: `/xm_never_${randomBytes(4).toString('hex')}` }).toString()
      : join(dir, 'other-db');
    const outcome = await cli(['--data-dir', dataDir(), 'init'], { ...asSupervisor, XM_DATABASE_URL: other });
    expect(outcome.code).toBe(78);
    expect(outcome.stderr).toContain(chosen);
    expect(outcome.stderr).toContain(other);
    expect(outcome.stderr).toContain('XM_DATABASE_URL');
    expect(outcome.stderr).toContain('pg_dump');
    expect(outcome.stderr).not.toMatch(/^\s+at /m);
    expect(await readFile(join(dataDir(), 'xmserver.json'), 'utf8')).toBe(before);
    if (postgres) {
      const name = new URL(other).pathname.slice(1);
      const found = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_database where datname = ${name}`.execute(postgres.db);
      expect(found.rows[0]?.n).toBe(0);
    } else {
      expect(existsSync(other)).toBe(false);
    }
  }, 300_000);
});

describe('"not initialised" says which database it looked at and what to do', () => {
  test('a data directory without a server: the embedded default, by its path; nothing created', async () => {
    const dataDir = join(dir, 'empty');
    const outcome = await cli(['--data-dir', dataDir, 'client', 'list']);
    expect(outcome.code).toBe(78);
    expect(outcome.stderr).toContain(join(dataDir, 'database'));
    expect(outcome.stderr).toContain('xmserver init');
    expect(outcome.stderr).toContain('XM_DATA_DIR');
    expect(existsSync(join(dataDir, 'database'))).toBe(false);
  }, 300_000);

  test('a database named by XM_DATABASE_URL that holds no server: named, with its setting', async () => {
    const dataDir = join(dir, 'empty-too');
    const blank = onPostgres ? await createTestDatabase() : undefined;
    try {
      const target = blank?.url ?? join(dir, 'no-such-db');
      const outcome = await cli(['--data-dir', dataDir, 'client', 'list'], { XM_DATABASE_URL: target });
      expect(outcome.code).toBe(78);
      expect(outcome.stderr).toContain(target);
      expect(outcome.stderr).toContain('XM_DATABASE_URL');
      expect(outcome.stderr).toContain('Nothing was created');
      expect(existsSync(target)).toBe(false);
    } finally {
      await blank?.close();
    }
  }, 300_000);

  test('a data directory initialised elsewhere that names no database: init refuses rather than create an embedded one', async () => {
    // What a data directory initialised with XM_DATABASE_URL looked like before init kept the setting.
    const dataDir = join(dir, 'before-the-fix');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'xmserver.json'), '{ "serverName": "xmserver" }\n');
    const outcome = await cli(['--data-dir', dataDir, 'init']);
    expect(outcome.code).toBe(78);
    expect(outcome.stderr).toContain('XM_DATABASE_URL');
    expect(outcome.stderr).toContain(`--database-url ${join(dataDir, 'database')}`);
    expect(existsSync(join(dataDir, 'database'))).toBe(false);
  }, 300_000);
});

test("the demo refuses a server's data directory instead of making its own database there", async () => {
  const dataDir = join(dir, 'a-server');
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'xmserver.json'), '{ "serverName": "xmserver" }\n');
  const outcome = await runInProcess(['--data-dir', dataDir, 'demo', '--sites', '1', '--acts', '1']);
  expect(outcome.code).toBe(64);
  expect(outcome.stderr).toContain('xmserver.json');
  expect(existsSync(join(dataDir, 'database'))).toBe(false);
});
