import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPGlite, templateFile } from '../src/pglite-template.js';

// Each test has its own cache folder (XDG_CACHE_HOME), so none sees another's template.
let scratch: string;
const savedCache = process.env.XDG_CACHE_HOME;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'xm-pglite-template-'));
});
afterAll(async () => {
  if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCache;
  await rm(scratch, { recursive: true, force: true });
});

/** PGlite.create, remembering whether each database started from a template. */
function recordingCreate() {
  const loaded: boolean[] = [];
  const create = (options: PGliteOptions) => {
    loaded.push(options.loadDataDir !== undefined);
    return PGlite.create(options);
  };
  return { create, loaded };
}

async function useCache(name: string): Promise<string> {
  const cache = join(scratch, name);
  process.env.XDG_CACHE_HOME = cache;
  return join(cache, 'xmcomm');
}

// PGlite's own behaviour: the same on both passes of CI, so it runs on the embedded one only.
describe.skipIf(process.env.DATABASE_URL)(
  'a new embedded database starts from the cached initdb result',
  () => {
    test('the first one runs initdb and saves it; the next ones, in memory or on disk, load it', async () => {
      const folder = await useCache('fresh');
      const { create, loaded } = recordingCreate();
      const first = await createPGlite(create, undefined, {});
      await first.close();
      const files = await readdir(folder);
      expect(files.filter((file) => file.endsWith('.tar'))).toHaveLength(1);
      expect(files.filter((file) => file.endsWith('.partial'))).toEqual([]);

      const memory = await createPGlite(create, undefined, {});
      await memory.exec('create table t (a int); insert into t values (1)');
      expect((await memory.query('select a from t')).rows).toEqual([{ a: 1 }]);
      await memory.close();

      const dataDir = join(scratch, 'on-disk');
      const disk = await createPGlite(create, dataDir, {});
      await disk.exec('create table kept (a int); insert into kept values (7)');
      await disk.close();
      // An existing database is opened as it is, never replaced by the template.
      const reopened = await createPGlite(create, dataDir, {});
      expect((await reopened.query('select a from kept')).rows).toEqual([{ a: 7 }]);
      await reopened.close();

      expect(loaded).toEqual([false, true, true, false]);
    }, 120_000);

    test('a damaged template is deleted and the database made by initdb', async () => {
      const folder = await useCache('damaged');
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const template = (await templateFile()) as string;
      await writeFile(template, 'not a tarball');
      const { create, loaded } = recordingCreate();
      const db = await createPGlite(create, undefined, {});
      expect((await db.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await db.close();
      expect(loaded).toEqual([true, false]);
      // The damaged file was replaced by the result of that initdb.
      expect((await readFile(template)).length).toBeGreaterThan(1_000_000);
    }, 120_000);

    test('a cache folder that others can write is never read nor written', async () => {
      const folder = await useCache('shared');
      await mkdir(folder, { recursive: true });
      await chmod(folder, 0o777);
      const planted = (await templateFile()) as string;
      await writeFile(planted, 'a template someone else put here');
      const { create, loaded } = recordingCreate();
      const db = await createPGlite(create, undefined, {});
      await db.close();
      expect(loaded).toEqual([false]);
      expect(await readdir(folder)).toEqual([basename(planted)]);
    }, 120_000);
  },
);
