import type { AnyTable } from '@xmcomm/schema';
import type { ControlledTransaction } from 'kysely';
import type { Planned } from './batch-entry.js';
import type { ServerContext, Trx } from './context.js';
import { insertRows, prepareRowsInsert, type RowsInsert } from './insert-rows.js';
import type { ValidRow } from './rows-plan.js';

/** Bound parameters per statement stay well under PostgreSQL's 65,535. */
const tuplesPerQuery = 10_000;

interface SentRow {
  readonly planned: Planned;
  readonly row: ValidRow;
  readonly key: string;
}

/** What a batch inserts into one table. */
export interface BatchInsert {
  readonly table: AnyTable;
  readonly group: readonly Planned[];
  readonly sent: readonly SentRow[];
  readonly heldBack: readonly SentRow[];
  readonly rows: RowsInsert;
}

/** What became of a container's valid rows. */
export interface StoredRows {
  readonly inserted: Set<number>;
  readonly duplicateNiu: number[];
  /** A row of this container was held back as a copy of an earlier one of the batch. */
  heldBack: boolean;
}

function originKey(matricule: string, numero: number): string {
  return `${matricule}\u0000${numero}`;
}

/**
 * What the batch inserts, table by table: built before the transaction (the COPY text takes
 * time that the database would otherwise spend waiting). A row sent twice in the batch (same
 * origin) goes in once, with its first container, as one-by-one would store it; the later copy is
 * then accepted again.
 */
export async function planInserts(ctx: ServerContext, batch: readonly Planned[]): Promise<BatchInsert[]> {
  const byTable = new Map<AnyTable, Planned[]>();
  for (const planned of batch) {
    if (planned.plan.kind !== 'rows' || planned.plan.valid.length === 0) continue;
    const group = byTable.get(planned.plan.table) ?? [];
    group.push(planned);
    byTable.set(planned.plan.table, group);
  }
  const inserts: BatchInsert[] = [];
  for (const [table, group] of byTable) {
    const sent: SentRow[] = [];
    const heldBack: SentRow[] = [];
    const keys = new Set<string>();
    for (const planned of group) {
      if (planned.plan.kind !== 'rows') continue;
      for (const row of planned.plan.valid) {
        const key = originKey(planned.container.header.sender, row.numero);
        if (keys.has(key)) heldBack.push({ planned, row, key });
        else {
          keys.add(key);
          sent.push({ planned, row, key });
        }
      }
    }
    const rows = await prepareRowsInsert(
      table,
      sent.map((s) => s.row.values),
      ctx.turns.shareTime,
    );
    inserts.push({ table, group, sent, heldBack, rows });
  }
  return inserts;
}

/**
 * Inserts the valid rows of the batch, one statement per table, and tells for each container
 * which rows were stored, which were there before (accepted again) and which hit another row's NIU.
 * Null when only one-by-one can tell.
 */
export async function insertBatchRows(
  trx: Trx,
  inserts: readonly BatchInsert[],
): Promise<Map<Planned, StoredRows> | null> {
  // biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time from the contract
  const untyped = trx as unknown as ControlledTransaction<any>;
  const stored = new Map<Planned, StoredRows>();
  for (const { table, group, sent, heldBack, rows } of inserts) {
    for (const planned of group)
      stored.set(planned, { inserted: new Set(), duplicateNiu: [], heldBack: false });
    const returned = await insertRows(untyped, rows);
    const insertedKeys = new Set(returned.map((r) => originKey(r.origin_matricule, r.origin_numero)));
    const skipped = [...sent.filter((s) => !insertedKeys.has(s.key)), ...heldBack];
    const present = new Set<string>();
    for (let start = 0; start < skipped.length; start += tuplesPerQuery) {
      const chunk = skipped.slice(start, start + tuplesPerQuery);
      const found = await untyped
        .selectFrom(table.qualifiedName)
        .select(['origin_matricule', 'origin_numero'])
        .where((eb) =>
          eb(
            eb.refTuple('origin_matricule', 'origin_numero'),
            'in',
            chunk.map((s) => eb.tuple(s.planned.container.header.sender, s.row.numero)),
          ),
        )
        .execute();
      for (const r of found as { origin_matricule: string; origin_numero: number }[])
        present.add(originKey(r.origin_matricule, r.origin_numero));
    }
    for (const s of heldBack) (stored.get(s.planned) as StoredRows).heldBack = true;
    for (const s of sent) {
      const rows = stored.get(s.planned) as StoredRows;
      if (insertedKeys.has(s.key)) rows.inserted.add(s.row.numero);
      else if (!present.has(s.key)) rows.duplicateNiu.push(s.row.numero);
    }
    // The first copy was not stored and is not there: what the later one would do is one-by-one's call.
    if (heldBack.some((s) => !present.has(s.key))) return null;
  }
  return stored;
}
