import { type AnyTable, type ColumnTypeName, SchemaError } from '@xmcomm/contract';
import { CompiledQuery, type Kysely, sql } from 'kysely';

/**
 * Inserts rows with `COPY … FROM STDIN`, on PostgreSQL and on PGlite alike: every row or, on the
 * first error (a constraint, a value too long), none, with the error PostgreSQL raised. `text` is
 * the rows as `copyText` writes them for these `columns` (texts for the same columns can be joined).
 *
 * Why COPY: PostgreSQL reads COPY's text lines with a simple tab split and each field with its
 * column's input function, where `insert … select from unnest(arrays)` first parses every array,
 * then runs a set-returning function and a projection per row: about a third less server CPU per row
 * (figures: docs/decisions/2026-12-07-comments-to-decisions.md).
 *
 * `into` names another table with these columns to fill instead, such as a temporary one
 * (`pg_temp.name`). A database not opened with `openDatabase` cannot COPY: `copy-unsupported`.
 */
export async function copyRows(
  // biome-ignore lint/suspicious/noExplicitAny: any database with the table; identifiers come from the contract
  db: Kysely<any>,
  table: AnyTable,
  columns: readonly string[],
  text: string,
  options: { readonly into?: string } = {},
): Promise<void> {
  if (text === '') return;
  for (const column of columns) typeOf(table, column);
  const target = sql.table(options.into ?? table.qualifiedName);
  const statement = sql`copy ${target} (${sql.join(columns.map((c) => sql.id(c)))}) from stdin`.compile(db);
  try {
    await db.executeQuery(CompiledQuery.raw(statement.sql, [text]));
  } catch (cause) {
    // A driver that does not know the convention sends the data as a bind parameter, which
    // PostgreSQL refuses as a protocol violation: say what to do instead of failing every batch.
    if ((cause as { code?: unknown } | null)?.code === '08P01') {
      throw new SchemaError(
        'copy-unsupported',
        'COPY needs a database opened with openDatabase from @xmcomm/schema. / COPY demande une base ouverte avec openDatabase de @xmcomm/schema.',
        { cause },
      );
    }
    throw cause;
  }
}

function typeOf(table: AnyTable, column: string): ColumnTypeName {
  const type = table.columns[column]?.type;
  if (type === undefined) throw new TypeError(`${column} is not a column of ${table.name}`);
  return type;
}

/**
 * A `copy … from stdin` statement with exactly one parameter: the data. The drivers of both engines
 * send that parameter as COPY's input; an ordinary statement never matches (COPY takes no
 * parameters, so PostgreSQL would refuse it with one).
 */
export function copyFromStdinData(statement: string, parameters: readonly unknown[]): string | undefined {
  if (parameters.length !== 1 || typeof parameters[0] !== 'string') return undefined;
  return /^copy\s[^;]*\sfrom\s+stdin$/i.test(statement) ? parameters[0] : undefined;
}

/**
 * Rows of a table in COPY's text format, for copyRows: fields split by tabs, `\N` for null, one
 * line per row. `columns` default to the first row's keys; a row without one of them gives a null.
 */
export function copyText(
  table: AnyTable,
  rows: readonly Readonly<Record<string, unknown>>[],
  columns: readonly string[] = Object.keys(rows[0] ?? {}),
): string {
  const types = columns.map((column) => typeOf(table, column));
  const lines = new Array<string>(rows.length + 1);
  const fields = new Array<string>(columns.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Readonly<Record<string, unknown>>;
    for (let c = 0; c < columns.length; c++) {
      fields[c] = copyField(row[columns[c] as string], types[c] as ColumnTypeName);
    }
    lines[r] = fields.join('\t');
  }
  lines[rows.length] = '';
  return lines.join('\n');
}

/** Characters COPY's text format reads specially inside a field. */
const special = /[\\\t\n\r]/;
const escapes: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escaped(text: string): string {
  return special.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => escapes[c] as string) : text;
}

function copyField(value: unknown, type: ColumnTypeName): string {
  if (value === null || value === undefined) return '\\N';
  if (type === 'json') return escaped(JSON.stringify(value));
  switch (typeof value) {
    case 'string':
      return escaped(value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
  }
  if (value instanceof Date) return value.toISOString();
  // bytea's hex input, its backslash doubled for COPY.
  if (value instanceof Uint8Array)
    return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  throw new TypeError(`a ${typeof value} value has no column type`);
}
