import { exchangedColumns, exchangedTables } from '@xmcomm/contract';

// Names a definition may not take. Identifiers always go through Kysely (quoted), so a keyword would
// work; it is refused anyway, because the central tables are read by people with psql and
// statistics tools, where `select user from …` means something else.

/** The columns every record type's table has already: the exchange's and the workflow's. */
const implicitColumns = new Set([
  ...Object.keys(exchangedColumns),
  'drafted_by',
  'drafted_at',
  'verified_by',
  'verified_at',
  'validated_by',
  'validated_at',
]);

/** PostgreSQL's reserved key words (SQL Key Words table, "reserved" in PostgreSQL), and a few more. */
const keywords = new Set(
  `all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate
collation column concurrently constraint create cross current_catalog current_date current_role
current_schema current_time current_timestamp current_user default deferrable desc distinct do else
end except false fetch for foreign freeze from full grant group having ilike in initially inner
intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not
notnull null offset on only or order outer overlaps placing primary references returning right select
session_user similar some symmetric system_user table tablesample then to trailing true union unique
user using variadic verbose when where window with delete drop insert update truncate oid ctid xmin
xmax cmin cmax tableoid`.split(/\s+/),
);

/** Tables of the platform, and prefixes its own tables and PostgreSQL's use. */
const platformTables = new Set<string>([
  ...exchangedTables.map((table) => table.name),
  'criminal_record_entries',
  'criminal_record_annotations',
  'form_definitions',
]);

export function reservedColumn(name: string): boolean {
  return implicitColumns.has(name) || keywords.has(name);
}

export function reservedTable(name: string): boolean {
  return (
    platformTables.has(name) ||
    keywords.has(name) ||
    name.startsWith('pg_') ||
    name.startsWith('xm_') ||
    name.startsWith('kysely_') ||
    name.startsWith('sql_')
  );
}
