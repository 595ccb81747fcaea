import { createTablesMigration, lifecycleMigration, type Migrations, siteMigrations } from '@xmcomm/schema';
import { type Kysely, type Migration, sql } from 'kysely';
import type { RecordTypeDeclaration } from './record-type.js';

/** The migration that makes the indexes a surname-prefix search and the lists need. */
export const searchIndexesMigrationName = '20261207-53-site-kit-search-indexes';

const indexName = (table: string, column: string, what: string) => `${table}_${column}_${what}`.slice(0, 63);

/**
 * The indexes a search needs on each record type's table: `lower(name) text_pattern_ops` for every
 * name column (a `lower(col) like 'abc%'` from any collation), and the event date lists sort by.
 * `if not exists`: a site that declares a new type later runs this again under a new name.
 */
export function searchIndexesMigration(recordTypes: readonly RecordTypeDeclaration[]): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed database exists
    async up(db: Kysely<any>) {
      for (const type of recordTypes) {
        const { schema, name } = type.table;
        for (const column of type.search.names) {
          await sql`create index if not exists ${sql.id(indexName(name, column, 'prefix'))} on ${sql.table(`${schema}.${name}`)} (lower(${sql.ref(column)}) text_pattern_ops)`.execute(
            db,
          );
        }
        await db.schema
          .createIndex(indexName(name, type.eventDate, 'event'))
          .ifNotExists()
          .on(`${schema}.${name}`)
          .columns([type.eventDate, 'numero'])
          .execute();
      }
    },
    // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed database exists
    async down(db: Kysely<any>) {
      for (const type of recordTypes) {
        const { schema, name } = type.table;
        for (const column of [...type.search.names.map((c) => [c, 'prefix']), [type.eventDate, 'event']]) {
          await db.schema
            .withSchema(schema)
            .dropIndex(indexName(name, column[0] as string, column[1] as string))
            .ifExists()
            .execute();
        }
      }
    },
  };
}

/** The migration that makes counting a search's matches read indexes alone. */
export const countIndexesMigrationName = '20261207-70-site-kit-count-indexes';

/**
 * What lets the kit count a search's matches from indexes alone (index-only scans, once the
 * visibility map is set, as autovacuum leaves it):
 * - each name column's prefix index again, with the column, `numero` and the event date included:
 *   PostgreSQL scans an expression index alone only when the query's columns are all in it;
 * - `(status, event date, numero)`: a list of one status ("validated", "drafts") is counted, and
 *   comes newest first at any page, from the index instead of the event-date index filtered row by
 *   row (ten rows read for each one kept when a tenth of the register has the status).
 */
export function countIndexesMigration(recordTypes: readonly RecordTypeDeclaration[]): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed database exists
    async up(db: Kysely<any>) {
      for (const type of recordTypes) {
        const { schema, name } = type.table;
        const table = sql.table(`${schema}.${name}`);
        for (const column of type.search.names) {
          const ref = sql.ref(column);
          await sql`create index if not exists ${sql.id(indexName(name, column, 'names'))} on ${table} (lower(${ref}) text_pattern_ops) include (${ref}, numero, ${sql.ref(type.eventDate)})`.execute(
            db,
          );
          await sql`drop index if exists ${sql.table(`${schema}.${indexName(name, column, 'prefix')}`)}`.execute(
            db,
          );
        }
        await db.schema
          .createIndex(indexName(name, type.eventDate, 'status'))
          .ifNotExists()
          .on(`${schema}.${name}`)
          .columns(['status', type.eventDate, 'numero'])
          .execute();
      }
    },
    // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed database exists
    async down(db: Kysely<any>) {
      for (const type of recordTypes) {
        const { schema, name } = type.table;
        const table = sql.table(`${schema}.${name}`);
        for (const column of type.search.names) {
          await sql`create index if not exists ${sql.id(indexName(name, column, 'prefix'))} on ${table} (lower(${sql.ref(column)}) text_pattern_ops)`.execute(
            db,
          );
          await sql`drop index if exists ${sql.table(`${schema}.${indexName(name, column, 'names')}`)}`.execute(
            db,
          );
        }
        await sql`drop index if exists ${sql.table(`${schema}.${indexName(name, type.eventDate, 'status')}`)}`.execute(
          db,
        );
      }
    },
  };
}

/**
 * Every migration a site app's database needs: its record types' exchanged tables (with the lifecycle
 * the database enforces), the site's own tables (users, outbox, history, signatures, unfinished forms),
 * and the search and count indexes. The names are schema's `siteMigrations`' (the first site app, ECR, made them),
 * so a database ECR made before the kit keeps its history; only the tables differ per app.
 */
export function siteKitMigrations(recordTypes: readonly RecordTypeDeclaration[]): Migrations {
  const tables = recordTypes.map((type) => type.table);
  return {
    ...siteMigrations,
    '20261122-01-data-civil-registration': createTablesMigration(tables),
    '20261122-20-lifecycle': lifecycleMigration(tables),
    [searchIndexesMigrationName]: searchIndexesMigration(recordTypes),
    [countIndexesMigrationName]: countIndexesMigration(recordTypes),
  };
}
