import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import { type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exitCodes, parseNiu, runCli } from '../src/index.js';
import { birth } from './fixtures.js';

// The CLI in-process (runCli, the same code as the bin) for the workflow, on one database held open
// for the file (PGlite in memory, or a fresh PostgreSQL database when DATABASE_URL is set); and the
// bin itself spawned, with its default embedded database directory.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let dataDir: string;
let database: TestDatabase<SiteDatabase>;

async function ecr(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dataDir, ...args], {
    env,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    today: () => '2026-03-15',
    openDatabase: async () => ({ db: database.db, close: async () => {} }),
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ecr-cli-'));
  database = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
});
afterAll(async () => {
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('ecr', () => {
  test('sets up a centre, its officer and its key, then runs the workflow as logged-in users', async () => {
    const notYet = await ecr(['--user', 'chef', 'act', 'search'], { ECR_PASSWORD: 'x' });
    expect(notYet.code).toBe(exitCodes['not-initialised']);

    const init = await ecr(
      [
        '--json',
        'init',
        '--database-url',
        database.url,
        '--matricule',
        'CEC-YDE-01',
        '--centre-code',
        '102034',
        '--officer',
        'chef',
      ],
      { ECR_NEW_PASSWORD: 'officer-password', ECR_KEY_PASSPHRASE: 'a long key passphrase' },
    );
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const key = await readFile(join(dataDir, 'centre-key.pem'), 'utf8');
    expect(key).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(((await stat(join(dataDir, 'centre-key.pem'))).mode & 0o077).toString(8)).toBe('0');
    expect(await readFile(join(dataDir, 'centre.csr.pem'), 'utf8')).toMatch(
      /^-----BEGIN CERTIFICATE REQUEST-----/,
    );

    const officer = { ECR_PASSWORD: 'officer-password' };
    expect(
      (
        await ecr(['--user', 'chef', 'user', 'add', 'ali', '--role', 'agent'], {
          ...officer,
          ECR_NEW_PASSWORD: 'agent-password',
        })
      ).code,
    ).toBe(0);
    expect(
      (
        await ecr(['--user', 'chef', 'user', 'add', 'sec', '--role', 'secretary'], {
          ...officer,
          ECR_NEW_PASSWORD: 'secretary-password',
        })
      ).code,
    ).toBe(0);

    const file = join(dataDir, 'act.json');
    await writeFile(file, JSON.stringify(birth));
    const drafted = await ecr(['--json', '--user', 'ali', 'act', 'new', 'birth', '--file', file], {
      ECR_PASSWORD: 'agent-password',
    });
    expect(drafted.code).toBe(0);
    const { ref } = JSON.parse(drafted.stdout) as { ref: string };

    const refused = await ecr(['--lang', 'fr', '--user', 'ali', 'act', 'verify', ref], {
      ECR_PASSWORD: 'agent-password',
    });
    expect(refused.code).toBe(exitCodes['permission-denied']);
    expect(refused.stderr).toContain('ne peut pas vérifier des actes');

    expect(
      (await ecr(['--user', 'sec', 'act', 'verify', ref], { ECR_PASSWORD: 'secretary-password' })).code,
    ).toBe(0);
    const validated = await ecr(['--json', '--user', 'chef', 'act', 'validate', ref], officer);
    expect(validated.code).toBe(0);
    const { niu } = JSON.parse(validated.stdout) as { niu: string };
    expect(parseNiu(niu).ok).toBe(true);

    const csv = await ecr(['--user', 'sec', 'stats', '--csv', '--by', 'type,sex'], {
      ECR_PASSWORD: 'secretary-password',
    });
    expect(csv.stdout).toBe('type,sex,count\r\nbirth,female,1\r\n');

    const wrong = await ecr(['--user', 'chef', 'act', 'show', niu], { ECR_PASSWORD: 'not-the-password' });
    expect(wrong.code).toBe(exitCodes['authentication-failed']);
    const noPassword = await ecr(['--user', 'chef', 'act', 'show', niu]);
    expect(noPassword.code).toBe(exitCodes['password-required']);
  });

  test('an invalid act is refused with every field error at once, in French on request', async () => {
    const file = join(dataDir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({ ...birth, date_of_birth: '2023-02-29', date_of_declaration: '2027-01-01' }),
    );
    const result = await ecr(
      ['--json', '--lang', 'fr', '--user', 'ali', 'act', 'new', 'birth', '--file', file],
      {
        ECR_PASSWORD: 'agent-password',
      },
    );
    expect(result.code).toBe(exitCodes['invalid-act']);
    const { error } = JSON.parse(result.stderr) as {
      error: { code: string; fields: { field: string; code: string; message: string }[] };
    };
    expect(error.code).toBe('invalid-act');
    expect(error.fields).toEqual([
      {
        field: 'date_of_birth',
        code: 'invalid-date',
        message: "date_of_birth n'est pas une date qui existe (format attendu AAAA-MM-JJ).",
      },
      // A rule on a field the contract accepted runs even though another field is refused.
      {
        field: 'date_of_declaration',
        code: 'in-the-future',
        message: 'date_of_declaration est dans le futur.',
      },
    ]);
  });

  test('the bin runs from source: a new centre on the embedded database, NIU checks, exit codes', async () => {
    const ownDir = await mkdtemp(join(tmpdir(), 'ecr-bin-'));
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [...entryArguments('apps/ecr-client/src/cli.ts', root), ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ...env, ECR_DATA_DIR: ownDir },
      });
    const init = run(
      ['init', '--no-key', '--matricule', 'CEC-BIN-01', '--centre-code', '000007', '--officer', 'chef'],
      {
        ECR_NEW_PASSWORD: 'officer-password',
      },
    );
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(JSON.parse(await readFile(join(ownDir, 'ecr.json'), 'utf8'))).toEqual({
      databaseUrl: join(ownDir, 'db'),
    });
    await rm(ownDir, { recursive: true, force: true });
    const mistyped = run(['--lang', 'fr', 'niu', '102034-2026-0000002-37']);
    expect(mistyped.status).toBe(exitCodes.usage);
    expect(mistyped.stderr).toContain('clé de contrôle fausse');
    // Two processes, one of them creating an embedded database on disk: slow on a loaded machine.
  }, 120_000);
});
