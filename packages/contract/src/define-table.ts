import {
  type AnyColumn,
  type ColumnSpec,
  identity,
  integer,
  smallint,
  text,
  type ValueOf,
} from './columns.js';
import { SchemaError } from './errors.js';
import { fingerprintOf } from './fingerprint.js';

/** The PostgreSQL schemas: exchanged form data, the server's confidential data, a site's own data. */
export type SchemaName = 'xm_data' | 'xm_system' | 'xm_site';

export interface TableDefinition<
  TName extends string = string,
  TSchema extends SchemaName = SchemaName,
  TColumns extends Record<string, AnyColumn> = Record<string, AnyColumn>,
> {
  readonly name: TName;
  readonly schema: TSchema;
  readonly qualifiedName: `${TSchema}.${TName}`;
  /** Exchanged tables travel between sites and the server; system tables never leave their database. */
  readonly kind: 'exchanged' | 'system';
  /** Every column in declaration order, implicit ones first. The order is part of the fingerprint. */
  readonly columns: { readonly [K in keyof TColumns & string]: ColumnSpec };
  /** Column sets that are unique together. */
  readonly uniques: readonly (readonly string[])[];
  readonly indexes: readonly (readonly string[])[];
  /** Hex SHA-256 of the canonical definition: equal fingerprints mean identical row shapes and rules. */
  readonly fingerprint: string;
  readonly label?: { readonly en: string; readonly fr: string };
  /** Which column holds the person's sex, for statistics; absent: the table does not record one. */
  readonly sex?: SexDeclaration;
  /** Type-level only: the typed columns. */
  readonly __columns?: TColumns;
}

// biome-ignore lint/suspicious/noExplicitAny: matches any table in conditional types
export type AnyTable = TableDefinition<string, SchemaName, any>;

const identifierPattern = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * The columns every exchanged table has. `numero` is local to each database; rows received from
 * elsewhere keep where they were created in `origin_matricule` and `origin_numero` (both null for a
 * row created here), which is also the marker that such a row is read-only and never exported again.
 */
export const exchangedColumns = {
  numero: identity(),
  status: smallint({ required: true, min: 0, max: 4, default: 1 }),
  origin_matricule: text({ maxLength: 32 }),
  origin_numero: integer({ min: 1 }),
  niu: text({ maxLength: 32, unique: true }),
};

/** Columns that are the lifecycle's business (status-sync), not the form's: never validated as input. */
export const lifecycleColumnNames: readonly string[] = [
  'numero',
  'status',
  'origin_matricule',
  'origin_numero',
];

/**
 * The column that records the person a row is about's sex, and its values that mean male and
 * female. Statistics count any other value (or none) as "not recorded". A table about two persons
 * (a marriage) declares none: it has no one sex to count.
 */
export interface SexDeclaration {
  readonly column: string;
  readonly male: readonly string[];
  readonly female: readonly string[];
}

interface TableOptions {
  readonly uniques?: readonly (readonly string[])[];
  readonly indexes?: readonly (readonly string[])[];
  readonly label?: { readonly en: string; readonly fr: string };
  readonly sex?: SexDeclaration;
}

function build<TName extends string, TSchema extends SchemaName, TColumns extends Record<string, AnyColumn>>(
  schema: TSchema,
  name: TName,
  kind: 'exchanged' | 'system',
  columns: TColumns,
  options: TableOptions,
): TableDefinition<TName, TSchema, TColumns> {
  if (!identifierPattern.test(name)) {
    throw new SchemaError('invalid-definition', `Table name "${name}" must be a lower-case SQL identifier.`);
  }
  const specs: Record<string, ColumnSpec> = {};
  for (const [columnName, column] of Object.entries(columns)) {
    if (!identifierPattern.test(columnName)) {
      throw new SchemaError(
        'invalid-definition',
        `Column "${name}.${columnName}" must be a lower-case SQL identifier.`,
      );
    }
    checkSpec(`${name}.${columnName}`, column.spec);
    specs[columnName] = Object.freeze({ ...column.spec });
  }
  for (const set of [...(options.uniques ?? []), ...(options.indexes ?? [])]) {
    for (const columnName of set) {
      if (!(columnName in specs)) {
        throw new SchemaError(
          'invalid-definition',
          `Table "${name}" names an unknown column "${columnName}".`,
        );
      }
    }
  }
  if (options.sex) checkSex(name, specs, options.sex);
  const definition = {
    name,
    schema,
    qualifiedName: `${schema}.${name}` as const,
    kind,
    columns: Object.freeze(specs),
    uniques: options.uniques ?? [],
    indexes: options.indexes ?? [],
    ...(options.label ? { label: options.label } : {}),
  };
  // The sex declaration says how to count rows, not which rows are valid: not in the fingerprint.
  const declared = options.sex
    ? {
        sex: Object.freeze({
          column: options.sex.column,
          male: Object.freeze([...options.sex.male]),
          female: Object.freeze([...options.sex.female]),
        }),
      }
    : {};
  return Object.freeze({
    ...definition,
    ...declared,
    fingerprint: fingerprintOf(definition),
  }) as TableDefinition<TName, TSchema, TColumns>;
}

function checkSex(table: string, specs: Record<string, ColumnSpec>, sex: SexDeclaration): void {
  const spec = specs[sex.column];
  if (!spec || (spec.type !== 'enum' && spec.type !== 'text')) {
    throw new SchemaError(
      'invalid-definition',
      `Table "${table}" declares its sex in "${sex.column}", which is not one of its text columns.`,
    );
  }
  const given = [...sex.male, ...sex.female];
  if (sex.male.length === 0 || sex.female.length === 0 || new Set(given).size !== given.length) {
    throw new SchemaError(
      'invalid-definition',
      `Table "${table}" must name distinct values for male and for female in "${sex.column}".`,
    );
  }
  const unknown = spec.values ? given.find((value) => !spec.values?.includes(value)) : undefined;
  if (unknown !== undefined) {
    throw new SchemaError(
      'invalid-definition',
      `Table "${table}" counts "${unknown}" as a sex, which "${sex.column}" never holds.`,
    );
  }
}

function checkSpec(where: string, spec: ColumnSpec): void {
  if (spec.type === 'enum' && (!spec.values || spec.values.length === 0)) {
    throw new SchemaError('invalid-definition', `Column "${where}" is an enumeration without values.`);
  }
  if (spec.maxLength !== undefined && !(Number.isInteger(spec.maxLength) && spec.maxLength > 0)) {
    throw new SchemaError('invalid-definition', `Column "${where}" has an invalid maxLength.`);
  }
  if (spec.pattern !== undefined) new RegExp(spec.pattern, 'u');
}

/**
 * A table that travels between sites and the server, in schema `xm_data` on both sides.
 * It gets `numero`, `status`, `origin_matricule`, `origin_numero` and `niu` before the given columns.
 */
export function defineExchangedTable<TName extends string, TColumns extends Record<string, AnyColumn>>(
  name: TName,
  columns: TColumns,
  options: TableOptions = {},
): TableDefinition<TName, 'xm_data', typeof exchangedColumns & TColumns> {
  for (const implicit of Object.keys(exchangedColumns)) {
    if (implicit in columns) {
      throw new SchemaError(
        'invalid-definition',
        `Column "${name}.${implicit}" is implicit in exchanged tables.`,
      );
    }
  }
  return build(
    'xm_data',
    name,
    'exchanged',
    { ...exchangedColumns, ...columns },
    {
      ...options,
      uniques: [['origin_matricule', 'origin_numero'], ...(options.uniques ?? [])],
    },
  );
}

/** A table that never leaves its database: the server's confidential data, or a site's own. */
export function defineSystemTable<
  TSchema extends 'xm_system' | 'xm_site',
  TName extends string,
  TColumns extends Record<string, AnyColumn>,
>(schema: TSchema, name: TName, columns: TColumns, options: TableOptions = {}) {
  return build(schema, name, 'system', columns, options);
}

/** A row as read from the database. */
export type RowOf<T> =
  T extends TableDefinition<string, SchemaName, infer C> ? { [K in keyof C]: ValueOf<C[K]> } : never;

/** The same columns under a prefix, for repeated groups (`spouse1_`, `spouse2_`). */
export function prefixed<P extends string, C extends Record<string, AnyColumn>>(
  prefix: P,
  columns: C,
): { [K in keyof C & string as `${P}${K}`]: C[K] } {
  return Object.fromEntries(Object.entries(columns).map(([key, column]) => [`${prefix}${key}`, column])) as {
    [K in keyof C & string as `${P}${K}`]: C[K];
  };
}
