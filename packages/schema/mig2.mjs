import { PGlite } from '@electric-sql/pglite';
import { migrateToLatest, serverMigrations } from '@xmcomm/schema';
import { Kysely } from 'kysely';
import { PGliteDialect } from './dist/pglite-dialect.js';

let t = performance.now();
const pg = await PGlite.create();
const db = new Kysely({ dialect: new PGliteDialect(async () => pg) });
await migrateToLatest(db, serverMigrations);
console.log('migrate', Math.round(performance.now() - t));
t = performance.now();
const dump = await pg.dumpDataDir('none');
console.log('dump', Math.round(performance.now() - t), dump.size);
t = performance.now();
const pg2 = await PGlite.create({ loadDataDir: dump });
const r = await pg2.query(
  "select count(*) from information_schema.tables where table_schema not in ('pg_catalog','information_schema')",
);
console.log('load', Math.round(performance.now() - t), r.rows);
