import { type AnyTable, lifecycleColumnNames, validateRow } from '@xmcomm/schema';
import type { ChargeResult } from '../charging.js';
import type { OpenedContainer, RowResult, SyncRow } from '../container.js';
import { formatReason } from '../reasons.js';
import { type ApplyResult, receiptFor, wholeRefusal } from './answers.js';
import { type Client, gate, tableGate } from './clients.js';
import type { ServerContext } from './context.js';

/** A row to store: its sender's numero, and its values completed with status and origin. */
export interface ValidRow {
  readonly numero: number;
  readonly values: Record<string, unknown>;
}

/** A rows container's verdict before the database: refused whole, or per row with the rows to store. */
export type RowsPlan =
  | { readonly kind: 'whole'; readonly result: ApplyResult }
  | {
      readonly kind: 'rows';
      readonly table: AnyTable;
      readonly results: ReadonlyMap<number, RowResult>;
      readonly valid: readonly ValidRow[];
    };

const lifecycle = new Set(lifecycleColumnNames);

/** Whether an NIU is one of the site's: its centre code, then a dash (the code has none). */
function ownNiu(centreCode: string | null, niu: string): boolean {
  return (
    centreCode !== null &&
    niu.length > centreCode.length + 1 &&
    niu.startsWith(centreCode) &&
    niu.charCodeAt(centreCode.length) === 0x2d
  );
}

function foreignNiu(centreCode: string | null, niu: string): string {
  return formatReason(
    'foreign-niu',
    centreCode === null
      ? 'no centre code is registered for this site'
      : `${niu.slice(0, 40)} does not begin with this site's centre code ${centreCode}-`,
  );
}

/** What a rows container asks for, before the database: whole-container refusals, per-row verdicts. */
export function planRows(
  ctx: ServerContext,
  container: OpenedContainer,
  client: Client,
  rows: readonly SyncRow[],
): RowsPlan {
  const { header } = container;
  const id = header.containerId;
  const whole = (reason: string): RowsPlan => ({
    kind: 'whole',
    result: wholeRefusal(id, reason, rows.length),
  });
  const refusal = gate(ctx, client, 'sds-export');
  if (refusal) return whole(refusal);
  const table = ctx.tables.find((t) => t.name === header.table);
  if (!table) return whole(formatReason('unknown-table', String(header.table)));
  const restricted = tableGate(ctx, client, table.name);
  if (restricted) return whole(restricted);
  if (!header.fingerprint || !table.fingerprint.startsWith(header.fingerprint.toLowerCase())) {
    return whole('schema-mismatch');
  }

  const results = new Map<number, RowResult>();
  const valid: ValidRow[] = [];
  for (const row of rows) {
    const numero = row.numero;
    if (typeof numero !== 'number' || !Number.isSafeInteger(numero) || numero < 1 || results.has(numero)) {
      return whole(formatReason('schema-mismatch', 'every row needs its own local numero'));
    }
    // The row as decoded, not a copy without its lifecycle columns: a copy made key by key has too
    // many properties for V8's fast mode, and every later read of it is a dictionary lookup.
    const checked = validateRow(table, row, { ignore: lifecycle });
    if (!checked.ok) {
      const first = checked.errors[0];
      const reason = formatReason('invalid-field', first ? `${first.field} ${first.code}` : undefined);
      results.set(numero, { numero, accepted: false, reason });
      continue;
    }
    const niu = checked.value.niu;
    if (niu === null || niu === undefined) {
      results.set(numero, {
        numero,
        accepted: false,
        reason: formatReason('invalid-field', 'niu required'),
      });
      continue;
    }
    if (!ownNiu(client.centre_code, niu as string)) {
      results.set(numero, {
        numero,
        accepted: false,
        reason: foreignNiu(client.centre_code, niu as string),
      });
      continue;
    }
    results.set(numero, { numero, accepted: true });
    // The validator's output is a fresh object: completed in place rather than copied.
    const values: Record<string, unknown> = checked.value;
    values.status = 2;
    values.origin_matricule = header.sender;
    values.origin_numero = numero;
    valid.push({ numero, values });
  }
  return { kind: 'rows', table, results, valid };
}

/**
 * The verdict once the database has spoken: rows skipped by the insert and not stored before hit
 * another row's NIU; a refused charge rejects the rows it was for.
 */
export function rowsResult(
  id: string,
  rows: readonly SyncRow[],
  plan: Extract<RowsPlan, { kind: 'rows' }>,
  inserted: ReadonlySet<number>,
  duplicateNiu: readonly number[],
  charged: ChargeResult,
): ApplyResult {
  const results = new Map(plan.results);
  for (const numero of duplicateNiu)
    results.set(numero, { numero, accepted: false, reason: 'duplicate-niu' });
  if (!charged.ok) {
    for (const numero of inserted) results.set(numero, { numero, accepted: false, reason: charged.reason });
  }
  const ordered = rows.map((row) => results.get(row.numero as number) as RowResult);
  const accepted = ordered.filter((r) => r.accepted).length;
  return {
    answers: [receiptFor(id, ordered)],
    accepted,
    rejected: ordered.length - accepted,
    reason: charged.ok ? null : charged.reason,
  };
}
