import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateToLatest, openDatabase, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ServerStep } from '../src/index.js';
import {
  addClient,
  createWorld,
  serverBirthsFrom,
  serverFor,
  siteFor,
  siteMatricule,
  statusesAtSite,
  validatedBirths,
  type World,
} from './helpers/setup.js';

// The server process is killed (SIGKILL) in the middle of an apply; a new process then receives the
// site's re-send. On PostgreSQL the child uses a fresh database; on PGlite a directory it reopens.

const here = dirname(fileURLToPath(import.meta.url));
let world: World;
let folder: string;
let pg: TestDatabase<ServerDatabase> | undefined;
let url: string;

beforeAll(async () => {
  world = await createWorld();
  folder = await mkdtemp(join(tmpdir(), 'xm-killed-'));
  if (process.env.DATABASE_URL) {
    pg = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
    url = pg.url;
    await addClient(pg.db, siteMatricule, 3);
  } else {
    url = join(folder, 'server-db');
    const db = await openDatabase<ServerDatabase>(url);
    await migrateToLatest(db, serverMigrations);
    await addClient(db, siteMatricule, 3);
    await db.destroy();
  }
});
afterAll(async () => {
  await world?.close();
  await pg?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function runChild(container: string, killAt: ServerStep): Promise<NodeJS.Signals | number | null> {
  const keys = Object.fromEntries([...world.keys].map(([m, k]) => [m, k.toString('hex')]));
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@xmcomm/source', join(here, 'helpers', 'apply-child.ts')],
      {
        env: {
          ...process.env,
          XM_CHILD_DATABASE: url,
          XM_CHILD_KILL_AT: killAt,
          XM_CHILD_CONTAINER: container,
          XM_CHILD_KEYS: JSON.stringify(keys),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      signal ? resolve(signal) : code === 0 ? resolve(0) : reject(new Error(stderr)),
    );
  });
}

async function withServer<T>(body: (db: Kysely<ServerDatabase>) => Promise<T>): Promise<T> {
  if (pg) return body(pg.db);
  const db = await openDatabase<ServerDatabase>(url);
  try {
    return await body(db);
  } finally {
    await db.destroy();
  }
}

test.each([['logged'], ['committed']] as const)(
  'a server killed at %s loses nothing and stores nothing twice once the site re-sends',
  async (step) => {
    const numeros = await validatedBirths(world.site.db, 2, `KILL-${step}-`);
    const site = siteFor(world);
    await site.exportRows();
    const [item] = await site.nextItems();
    if (!item) throw new Error('no item');
    await site.markSent(item.id);
    const file = join(folder, `${item.containerId}.sdc`);
    await writeFile(file, item.payload);
    expect(await runChild(file, step)).toBe('SIGKILL');

    // Recovery: the item is still due (no receipt came); a fresh server process answers its re-send.
    const [again] = await site.nextItems();
    expect(again?.containerId).toBe(item.containerId);
    await withServer(async (db) => {
      const server = serverFor(world, { db });
      const outcome = await server.applyContainer((again as typeof item).payload);
      expect(outcome.status).toBe(step === 'committed' ? 'duplicate' : 'applied');
      for (const reply of outcome.replies) await site.receive(reply);
      const stored = await serverBirthsFrom(db, siteMatricule);
      expect(
        stored.filter((r) => numeros.includes(r.origin_numero as number)).map((r) => r.origin_numero),
      ).toEqual(numeros);
    });
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([4, 4]);
  },
);
