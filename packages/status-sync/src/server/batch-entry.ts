import type { ChargeResult } from '../charging.js';
import type { OpenedContainer } from '../container.js';
import type { ApplyResult } from './answers.js';
import type { Client } from './clients.js';
import { type RowsPlan, rowsResult } from './rows-plan.js';

/** A verified container of a batch, with its place in the batch. */
export interface BatchEntry {
  readonly index: number;
  readonly container: OpenedContainer;
  readonly bodyError: string | null;
  readonly size: number;
}

/** A batch container that goes into the batch's transaction: its client and what it asks for. */
export interface Planned extends BatchEntry {
  readonly client: Client;
  readonly plan: RowsPlan;
}

/** A planned container's result, given the rows the database stored and how its charge went. */
export function resultOf(
  planned: Planned,
  inserted: ReadonlySet<number>,
  duplicateNiu: readonly number[],
  charged: ChargeResult,
): ApplyResult {
  const { plan, container } = planned;
  if (plan.kind === 'whole') return plan.result;
  const rows = container.body.kind === 'rows' ? container.body.rows : [];
  return rowsResult(container.header.containerId, rows, plan, inserted, duplicateNiu, charged);
}
