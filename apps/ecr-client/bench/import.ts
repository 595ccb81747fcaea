import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, sampleBirth } from '@xmcomm/schema/testing';
import { runCli } from '../src/index.js';

// A figure, not an assertion: `ecr act import` of 10,000 births (a CSV register), in-process through
// runCli, from reading the file to the commit, on the test database (embedded PGlite, or PostgreSQL
// when DATABASE_URL is set). The births pass every rule: the same data an agent would type.

const rows = Number(process.env.BENCH_ROWS ?? 10_000);
const dataDir = await mkdtemp(join(tmpdir(), 'ecr-import-bench-'));
const database = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });

async function ecr(args: string[], env: Record<string, string>): Promise<string> {
  let out = '';
  let err = '';
  const code = await runCli(['--data-dir', dataDir, ...args], {
    env,
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    today: () => '2026-03-15',
    openDatabase: async () => ({ db: database.db, close: async () => {} }),
  });
  if (code !== 0) throw new Error(`ecr ${args.join(' ')}: exit ${code}\n${err}`);
  return out;
}

try {
  const officer = { ECR_PASSWORD: 'officer-password' };
  await ecr(
    [
      'init',
      '--database-url',
      database.url,
      '--matricule',
      'BENCH-01',
      '--centre-code',
      '102034',
      '--officer',
      'chef',
    ],
    { ECR_NEW_PASSWORD: officer.ECR_PASSWORD, ECR_KEY_PASSPHRASE: 'a long key passphrase' },
  );
  await ecr(['--user', 'chef', 'user', 'add', 'ali', '--role', 'agent'], {
    ...officer,
    ECR_NEW_PASSWORD: 'agent-password',
  });
  const columns = Object.keys(sampleBirth);
  const lines = [columns.join(',')];
  for (let i = 0; i < rows; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const row: Record<string, unknown> = {
      ...sampleBirth,
      child_given_names: `Child ${i}`,
      child_sex: i % 2 === 0 ? 'female' : 'male',
      date_of_birth: `2025-11-${day}`,
      date_of_declaration: '2025-12-01',
    };
    lines.push(columns.map((column) => String(row[column])).join(','));
  }
  const file = join(dataDir, 'births.csv');
  await writeFile(file, `${lines.join('\n')}\n`);
  const start = process.hrtime.bigint();
  const summary = JSON.parse(
    await ecr(['--json', '--user', 'ali', 'act', 'import', file, '--kind', 'birth'], {
      ECR_PASSWORD: 'agent-password',
    }),
  ) as { imported: number };
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `ecr act import, ${summary.imported} births on ${database.kind}: ${seconds.toFixed(1)} s, ${Math.round(summary.imported / seconds).toLocaleString('en')} rows per second (login included)`,
  );
} finally {
  await database.close();
  await rm(dataDir, { recursive: true, force: true });
}
