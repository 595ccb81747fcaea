import type { AnyTable, ColumnSpec } from '@xmcomm/contract';
import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  sql,
} from 'kysely';

// Everything here is derived from a TableDefinition: the DDL never restates a column by hand.
// Kysely<any> because a migration runs before the typed database exists, as Kysely's own docs advise.
// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design
type AnyKysely = Kysely<any>;
type DataTypeExpression = Parameters<CreateTableBuilder<string, string>['addColumn']>[1];

function dataType(spec: ColumnSpec): DataTypeExpression {
  switch (spec.type) {
    case 'text':
      return spec.maxLength ? `varchar(${spec.maxLength})` : 'text';
    case 'enum':
      return 'text';
    case 'integer':
    case 'smallint':
    case 'bigint':
    case 'numeric':
    case 'boolean':
    case 'date':
    case 'time':
    case 'uuid':
      return spec.type;
    case 'timestamp':
      return 'timestamptz';
    case 'bytes':
      return 'bytea';
    case 'json':
      return 'jsonb';
  }
}

function columnConstraints(spec: ColumnSpec) {
  return (builder: ColumnDefinitionBuilder): ColumnDefinitionBuilder => {
    let column = builder;
    if (spec.default === 'identity') column = column.generatedAlwaysAsIdentity();
    else if (spec.default === 'now') column = column.defaultTo(sql`now()`);
    else if (spec.default === 'random-uuid') column = column.defaultTo(sql`gen_random_uuid()`);
    else if (spec.default !== undefined) column = column.defaultTo(spec.default);
    if (spec.primaryKey) column = column.primaryKey();
    else if (spec.required) column = column.notNull();
    if (spec.unique) column = column.unique();
    if (spec.references) {
      const { table, column: target, onDelete } = spec.references;
      column = column.references(`${table}.${target}`).onDelete(onDelete ?? 'restrict');
    }
    return column;
  };
}

/** The CHECK constraints a column needs, so the database refuses what the validator refuses. */
function columnChecks(name: string, spec: ColumnSpec) {
  const ref = sql.ref(name);
  const checks = [];
  if (spec.values) checks.push(sql`${ref} in (${sql.join(spec.values.map((v) => sql.lit(v)))})`);
  if (spec.min !== undefined) checks.push(sql`${ref} >= ${sql.lit(spec.min)}`);
  if (spec.max !== undefined) checks.push(sql`${ref} <= ${sql.lit(spec.max)}`);
  return checks;
}

function addColumns(
  builder: CreateTableBuilder<string, string>,
  table: AnyTable,
  columns: [string, ColumnSpec][],
): CreateTableBuilder<string, string> {
  let result = builder;
  for (const [name, spec] of columns) {
    result = result.addColumn(name, dataType(spec), columnConstraints(spec));
    columnChecks(name, spec).forEach((check, index) => {
      result = result.addCheckConstraint(`${table.name}_${name}_check${index || ''}`, check);
    });
  }
  return result;
}

/** Columns present when the table is first created: all but those added later (`since`). */
function initialColumns(table: AnyTable): [string, ColumnSpec][] {
  return Object.entries(table.columns as Record<string, ColumnSpec>).filter(
    ([, spec]) => spec.since === undefined,
  );
}

/** Creates a table, its schema, constraints and indexes, exactly as the definition says. */
export async function createTable(db: AnyKysely, table: AnyTable): Promise<void> {
  await db.schema.createSchema(table.schema).ifNotExists().execute();
  let builder = addColumns(db.schema.createTable(table.qualifiedName), table, initialColumns(table));
  table.uniques.forEach((columns, index) => {
    builder = builder.addUniqueConstraint(`${table.name}_unique${index || ''}`, [...columns]);
  });
  await builder.execute();
  for (const columns of table.indexes) {
    await db.schema
      .createIndex(`${table.name}_${columns.join('_')}_idx`)
      .on(table.qualifiedName)
      .columns([...columns])
      .execute();
  }
}

/** A migration that creates these tables (and drops them, in reverse order, on the way down). */
export function createTablesMigration(tables: readonly AnyTable[]): Migration {
  return {
    async up(db) {
      for (const table of tables) await createTable(db, table);
    },
    async down(db) {
      for (const table of [...tables].reverse()) await db.schema.dropTable(table.qualifiedName).execute();
    },
  };
}

/**
 * A migration that adds the columns a table's definition marks `since: migrationName`. Check constraints
 * come with them. This is how a released table grows without rewriting its creating migration.
 */
export function addColumnsMigration(table: AnyTable, migrationName: string): Migration {
  const added = Object.entries(table.columns as Record<string, ColumnSpec>).filter(
    ([, spec]) => spec.since === migrationName,
  );
  return {
    async up(db) {
      for (const [name, spec] of added) {
        await db.schema
          .alterTable(table.qualifiedName)
          .addColumn(name, dataType(spec), columnConstraints(spec))
          .execute();
        for (const [index, check] of columnChecks(name, spec).entries()) {
          await db.schema
            .alterTable(table.qualifiedName)
            .addCheckConstraint(`${table.name}_${name}_check${index || ''}`, check)
            .execute();
        }
      }
    },
    async down(db) {
      for (const [name] of added.reverse()) {
        await db.schema.alterTable(table.qualifiedName).dropColumn(name).execute();
      }
    },
  };
}

/**
 * A migration that makes a column's CHECK constraints what its definition says now: an enum that
 * gained a value, say. Down keeps them (the values of before are not known here; a wider check
 * refuses nothing the older one accepted).
 */
export function columnChecksMigration(table: AnyTable, column: string): Migration {
  const spec = (table.columns as Record<string, ColumnSpec>)[column];
  if (!spec) throw new Error(`${table.qualifiedName} has no column ${column}`);
  return {
    async up(db) {
      for (const [index, check] of columnChecks(column, spec).entries()) {
        const name = `${table.name}_${column}_check${index || ''}`;
        await db.schema.alterTable(table.qualifiedName).dropConstraint(name).ifExists().execute();
        await db.schema.alterTable(table.qualifiedName).addCheckConstraint(name, check).execute();
      }
    },
    async down() {},
  };
}
