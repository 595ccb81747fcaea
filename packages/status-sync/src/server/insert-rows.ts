import { type AnyTable, copyRows, copyText } from '@xmcomm/schema';
import { type ControlledTransaction, sql } from 'kysely';
import { sqlStateOf } from '../errors.js';

// biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time from the contract
type AnyTrx = ControlledTransaction<any>;

export interface Origin {
  readonly origin_matricule: string;
  readonly origin_numero: number;
}

/** Rows ready to insert: their COPY text is made outside the transaction, which then only sends it. */
export interface RowsInsert {
  readonly table: AnyTable;
  readonly values: readonly Record<string, unknown>[];
  readonly runs: readonly { readonly columns: readonly string[]; readonly text: string }[];
}

/** Rows in the text of a COPY between pauses (see Turns.shareTime). */
const copyChunkRows = 256;

/** Whether the object's keys are these, in this order (without an array per row, as for thousands of rows). */
function hasKeys(row: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const key in row) if (key !== keys[i++]) return false;
  return i === keys.length;
}

/**
 * One COPY per run of rows with the same fields (a field left out takes its column's default).
 * `pause` between chunks of rows lets other work run.
 */
export async function prepareRowsInsert(
  table: AnyTable,
  values: readonly Record<string, unknown>[],
  pause: () => Promise<void>,
): Promise<RowsInsert> {
  const runs: { columns: readonly string[]; text: string }[] = [];
  let start = 0;
  while (start < values.length) {
    const columns = Object.keys(values[start] as object);
    let end = start + 1;
    while (end < values.length && hasKeys(values[end] as object, columns)) end++;
    const parts: string[] = [];
    for (let at = start; at < end; at += copyChunkRows) {
      await pause();
      parts.push(copyText(table, values.slice(at, Math.min(end, at + copyChunkRows)), columns));
    }
    runs.push({ columns, text: parts.join('') });
    start = end;
  }
  return { table, values, runs };
}

/**
 * Inserts rows in their order and returns the origins of those stored; a row whose origin or NIU is
 * already there is skipped. Rows with the same fields go in one COPY (see copyRows in
 * @xmcomm/schema): PostgreSQL reads COPY's lines a third cheaper than arrays or a VALUES list.
 *
 * COPY is tried first, under a savepoint: conflicts only come from a re-sent row, and COPY cannot
 * skip them. When one does, the savepoint is rolled back and the rows go through a temporary table
 * into an INSERT … ON CONFLICT DO NOTHING, in the same order.
 */
export async function insertRows(trx: AnyTrx, rows: RowsInsert): Promise<Origin[]> {
  const savepoint = await trx.savepoint('xm_insert_rows').execute();
  try {
    for (const run of rows.runs) await copyRows(savepoint, rows.table, run.columns, run.text);
    await savepoint.releaseSavepoint('xm_insert_rows').execute();
    return rows.values.map((row) => ({
      origin_matricule: row.origin_matricule as string,
      origin_numero: row.origin_numero as number,
    }));
  } catch (error) {
    if (sqlStateOf(error) !== '23505') throw error;
    await savepoint.rollbackToSavepoint('xm_insert_rows').execute();
  }
  const stored: Origin[] = [];
  // A temporary table of this session (pg_temp named: no table of the search path can stand in for
  // it), filled in the rows' order: a fresh heap is read back in that order (ctid).
  const staging = `pg_temp.xm_copy_${rows.table.name}`;
  for (const run of rows.runs) {
    const columns = sql.join(run.columns.map((c) => sql.ref(c)));
    await sql`create temporary table ${sql.table(staging)} on commit drop as
      select ${columns} from ${sql.table(rows.table.qualifiedName)} with no data`.execute(trx);
    await copyRows(trx, rows.table, run.columns, run.text, { into: staging });
    const { rows: inserted } =
      await sql<Origin>`insert into ${sql.table(rows.table.qualifiedName)} (${columns})
      select ${columns} from ${sql.table(staging)} order by ${sql.ref('ctid')}
      on conflict do nothing returning ${sql.ref('origin_matricule')}, ${sql.ref('origin_numero')}`.execute(
        trx,
      );
    await sql`drop table ${sql.table(staging)}`.execute(trx);
    stored.push(...inserted);
  }
  return stored;
}
