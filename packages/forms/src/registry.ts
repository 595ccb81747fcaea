import { createHash } from 'node:crypto';
import {
  type AnyTable,
  addColumnsMigration,
  type ColumnSpec,
  createTable,
  defineSystemTable,
  identity,
  integer,
  lifecycleMigration,
  text,
  timestamp,
} from '@xmcomm/schema';
import { type Kysely, type Migration, sql, type Transaction } from 'kysely';
import type { CompiledForm } from './compile.js';
import { FormsError } from './errors.js';
import { parseFormDefinition } from './parse.js';

// The forms installed in a database, each version kept with its source text, and the install
// itself: the table made by the contract's own DDL (createTable, the lifecycle triggers) in the
// transaction that records the version. The server keeps them in xm_system, a site in xm_site.

function formDefinitionsTable<S extends 'xm_system' | 'xm_site'>(schema: S) {
  return defineSystemTable(
    schema,
    'form_definitions',
    {
      id: identity(),
      name: text({ maxLength: 32, required: true }),
      table_name: text({ maxLength: 63, required: true }),
      version: integer({ required: true, min: 1 }),
      /** The table's contract fingerprint (hex SHA-256): what a container names. */
      fingerprint: text({ maxLength: 64, required: true, pattern: '[0-9a-f]{64}' }),
      /** SHA-256 of the file as installed: two installs of the same version must be this file. */
      source_sha256: text({ maxLength: 64, required: true, pattern: '[0-9a-f]{64}' }),
      source: text({ maxLength: 262_144, required: true }),
      installed_by: text({ maxLength: 64, required: true }),
      installed_at: timestamp({ required: true, default: 'now' }),
    },
    { uniques: [['name', 'version']], indexes: [['table_name']] },
  );
}

/** The server's register of installed forms. */
export const serverFormDefinitions = formDefinitionsTable('xm_system');
/** A site's register of installed forms. */
export const siteFormDefinitions = formDefinitionsTable('xm_site');

export const serverFormsMigrationName = '20261208-30-form-definitions';
export const siteFormsMigrationName = '20261208-31-site-form-definitions';

const registryMigration = (table: AnyTable): Migration => ({
  up: (db) => createTable(db, table),
  down: (db) => db.schema.dropTable(table.qualifiedName).execute(),
});

/** The migration a server database needs to hold forms. */
export const serverFormsMigrations: Readonly<Record<string, Migration>> = {
  [serverFormsMigrationName]: registryMigration(serverFormDefinitions),
};
/** The migration a site database needs to hold forms. */
export const siteFormsMigrations: Readonly<Record<string, Migration>> = {
  [siteFormsMigrationName]: registryMigration(siteFormDefinitions),
};

export type FormsSide = 'server' | 'site';
const registryOf = (side: FormsSide) => (side === 'server' ? serverFormDefinitions : siteFormDefinitions);

// biome-ignore lint/suspicious/noExplicitAny: form tables are chosen at run time from definitions
type AnyDb = Kysely<any>;

/** One installed version of a form. */
export interface InstalledForm {
  readonly name: string;
  readonly table: string;
  readonly version: number;
  readonly fingerprint: string;
  readonly sourceSha256: string;
  readonly installedBy: string;
  readonly installedAt: Date;
}

export interface InstallResult extends InstalledForm {
  /** `installed` (a new table), `updated` (a new version: labels, rules, print, or added fields), `unchanged`. */
  readonly outcome: 'installed' | 'updated' | 'unchanged';
  /** Columns the new version added to the table. */
  readonly addedColumns: readonly string[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function toInstalled(row: Record<string, unknown>): InstalledForm {
  return {
    name: row.name as string,
    table: row.table_name as string,
    version: row.version as number,
    fingerprint: row.fingerprint as string,
    sourceSha256: row.source_sha256 as string,
    installedBy: row.installed_by as string,
    installedAt: row.installed_at as Date,
  };
}

/** Parses a definition; a FormsError `invalid-definition` with every problem when it is refused. */
export function compileDefinition(source: string): CompiledForm {
  const parsed = parseFormDefinition(source);
  if (!parsed.ok) {
    throw new FormsError(
      'invalid-definition',
      `The form definition is refused (${parsed.problems.length} problem(s)).`,
      `La définition de formulaire est refusée (${parsed.problems.length} problème(s)).`,
      parsed.problems,
    );
  }
  return parsed.form;
}

/**
 * The columns of `next` after those of `previous`, when `next` only appends optional ones: the one
 * change a released table takes without moving its rows (as schema's `since` columns). Else null.
 */
function appendedColumns(previous: AnyTable, next: AnyTable): string[] | null {
  const before = Object.entries(previous.columns as Record<string, ColumnSpec>);
  const after = Object.entries(next.columns as Record<string, ColumnSpec>);
  // The workflow columns close both tables: compare the form's own columns, then the workflow's.
  const own = (entries: [string, ColumnSpec][]) => entries.slice(0, entries.length - 6);
  const [a, b] = [own(before), own(after)];
  if (b.length < a.length) return null;
  for (let i = 0; i < a.length; i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return null;
  }
  const added = b.slice(a.length);
  if (added.some(([, spec]) => spec.required)) return null;
  return added.map(([name]) => name);
}

export interface InstallOptions {
  /** Who installs (a login), recorded with the version. */
  readonly by: string;
  /** What else the side does in the same transaction once the table exists (a site: search indexes). */
  readonly alsoRun?: (trx: AnyDb, form: CompiledForm) => Promise<void>;
}

/**
 * Installs a definition on one side: checks it, compares it with the installed versions, creates or
 * extends the table with the contract's DDL and records the version, all in one transaction.
 */
export async function installForm(
  db: AnyDb,
  side: FormsSide,
  source: string,
  options: InstallOptions,
): Promise<InstallResult> {
  const form = compileDefinition(source);
  const { definition, table } = form;
  const registry = registryOf(side);
  const sourceSha256 = sha256(source);
  // Inside the caller's transaction when given one (xmserver's audit line goes with the install).
  const inTransaction = <T>(body: (trx: AnyDb) => Promise<T>): Promise<T> =>
    db.isTransaction ? body(db) : db.transaction().execute((trx: Transaction<unknown>) => body(trx as AnyDb));
  return inTransaction(async (t) => {
    const rows = await t
      .selectFrom(registry.qualifiedName)
      .selectAll()
      .where((eb) => eb.or([eb('name', '=', definition.name), eb('table_name', '=', definition.table)]))
      .orderBy('version', 'desc')
      .execute();
    const other = rows.find((row) => row.name !== definition.name);
    if (other) {
      throw new FormsError(
        'table-exists',
        `The table ${definition.table} already belongs to the form ${other.name}.`,
        `La table ${definition.table} appartient déjà au formulaire ${other.name}.`,
      );
    }
    const latest = rows[0];
    let outcome: InstallResult['outcome'] = 'installed';
    let addedColumns: string[] = [];
    if (latest === undefined) {
      const exists = await sql<{ found: number }>`select 1 as found from information_schema.tables
        where table_schema = ${table.schema} and table_name = ${table.name}`.execute(t);
      if (exists.rows.length > 0) {
        throw new FormsError(
          'table-exists',
          `A table ${table.qualifiedName} already exists: choose another table name.`,
          `Une table ${table.qualifiedName} existe déjà : choisissez un autre nom de table.`,
        );
      }
      await createTable(t, table);
      await lifecycleMigration([table]).up(t);
    } else {
      const installed = toInstalled(latest);
      if (installed.version === definition.version) {
        if (installed.sourceSha256 === sourceSha256) {
          return { ...installed, outcome: 'unchanged', addedColumns: [] };
        }
        throw new FormsError(
          'version-conflict',
          `Version ${definition.version} of ${definition.name} is installed with other content: give the changed file a higher version.`,
          `La version ${definition.version} de ${definition.name} est installée avec un autre contenu : donnez une version supérieure au fichier modifié.`,
        );
      }
      if (installed.version > definition.version) {
        throw new FormsError(
          'older-version',
          `Version ${installed.version} of ${definition.name} is installed; version ${definition.version} is older.`,
          `La version ${installed.version} de ${definition.name} est installée ; la version ${definition.version} est plus ancienne.`,
        );
      }
      outcome = 'updated';
      if (installed.fingerprint !== table.fingerprint) {
        const previous = compileDefinition(latest.source as string).table;
        const added = previous.name === table.name ? appendedColumns(previous, table) : null;
        if (!added) {
          throw new FormsError(
            'incompatible-change',
            `Version ${definition.version} of ${definition.name} changes the fields of version ${installed.version}: a new version may only add optional fields at the end (or change labels, rules and print). Define a new form for other changes.`,
            `La version ${definition.version} de ${definition.name} modifie les champs de la version ${installed.version} : une nouvelle version peut seulement ajouter des champs facultatifs à la fin (ou changer libellés, règles et impression). Définissez un nouveau formulaire pour les autres changements.`,
          );
        }
        const since = `${definition.name}-v${definition.version}`;
        const marked = {
          ...table,
          columns: Object.fromEntries(
            Object.entries(table.columns as Record<string, ColumnSpec>).map(([name, spec]) => [
              name,
              added.includes(name) ? { ...spec, since } : spec,
            ]),
          ),
        } as AnyTable;
        await addColumnsMigration(marked, since).up(t);
        addedColumns = added;
      }
    }
    await options.alsoRun?.(t, form);
    const row = await t
      .insertInto(registry.qualifiedName)
      .values({
        name: definition.name,
        table_name: definition.table,
        version: definition.version,
        fingerprint: table.fingerprint,
        source_sha256: sourceSha256,
        source,
        installed_by: options.by,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...toInstalled(row), outcome, addedColumns };
  });
}

/** The latest version of each installed form, by name. */
export async function listForms(db: AnyDb, side: FormsSide): Promise<InstalledForm[]> {
  const rows = await latestRows(db, side);
  return rows.map(toInstalled);
}

async function latestRows(db: AnyDb, side: FormsSide) {
  const registry = registryOf(side);
  const rows = await db
    .selectFrom(registry.qualifiedName)
    .selectAll()
    .orderBy('name')
    .orderBy('version', 'desc')
    .execute();
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.name) && seen.add(row.name));
}

/** The installed forms, compiled from the source each was installed with, in name order. */
export async function loadForms(db: AnyDb, side: FormsSide): Promise<CompiledForm[]> {
  const rows = await latestRows(db, side);
  return rows.map((row) => compileDefinition(row.source as string));
}
