import { type AnyTable, exchangedTables } from '@xmcomm/schema';
import { sampleBirth } from '@xmcomm/schema/testing';
import { describe, expect, test } from 'vitest';
import { statusGateOnly } from '../charging.js';
import type { OpenedContainer, SyncRow } from '../container.js';
import { parseReason } from '../reasons.js';
import type { Client } from './clients.js';
import { createServerContext } from './context.js';
import { planRows, rowsResult } from './rows-plan.js';

// planRows and rowsResult need no database: a context with the status gate alone is enough.
const ctx = createServerContext({
  db: undefined as never,
  codec: undefined as never,
  serverMatricule: 'XMSERVER',
  charging: statusGateOnly,
});
const births = exchangedTables.find((t) => t.name === 'births') as AnyTable;
const client: Client = {
  id: 1,
  matricule: 'CEC-0001',
  centre_code: '102034',
  status: 3,
  name: 'Centre 1',
  domain: null,
  region: null,
  locality: null,
  services: null,
};

function container(rows: readonly SyncRow[], table = 'births'): OpenedContainer {
  return {
    header: {
      containerId: 'c-1',
      sender: client.matricule,
      recipient: null,
      createdAt: new Date(),
      sequence: 1,
      table,
      fingerprint: births.fingerprint,
    },
    body: { kind: 'rows', rows },
    signer: { matricule: client.matricule, subjectKeyIdentifier: 'k' },
  };
}

const row = (numero: number, niu: string | null): SyncRow => ({ ...sampleBirth, numero, niu });

describe('planRows', () => {
  test('a verdict per row: valid rows completed with status and origin, the others with their reason', () => {
    const rows = [row(1, '102034-2024-1'), row(2, '999999-2024-2'), row(3, null), row(4, '102034x-1')];
    const plan = planRows(ctx, container(rows), client, rows);
    if (plan.kind !== 'rows') throw new Error('expected a per-row plan');
    expect(plan.valid.map((v) => v.numero)).toEqual([1]);
    expect(plan.valid[0]?.values).toMatchObject({
      status: 2,
      origin_matricule: 'CEC-0001',
      origin_numero: 1,
    });
    const reason = (numero: number) => {
      const result = plan.results.get(numero);
      return result && !result.accepted ? parseReason(result.reason).code : 'accepted';
    };
    expect([1, 2, 3, 4].map(reason)).toEqual(['accepted', 'foreign-niu', 'invalid-field', 'foreign-niu']);
  });

  test('refused whole: a suspended client, an unknown table, a numero twice', () => {
    const rows = [row(1, '102034-2024-1'), row(1, '102034-2024-2')];
    const whole = (plan: ReturnType<typeof planRows>) =>
      plan.kind === 'whole' ? parseReason(plan.result.reason ?? '').code : null;
    expect(
      whole(planRows(ctx, container(rows.slice(0, 1)), { ...client, status: 0 }, rows.slice(0, 1))),
    ).toBe('suspended');
    expect(whole(planRows(ctx, container(rows.slice(0, 1), 'nothing'), client, rows.slice(0, 1)))).toBe(
      'unknown-table',
    );
    const twice = planRows(ctx, container(rows), client, rows);
    expect(whole(twice)).toBe('schema-mismatch');
    expect(twice.kind === 'whole' && twice.result.rejected).toBe(2);
  });
});

describe('rowsResult', () => {
  test('rows skipped and not there before are duplicate-niu; a refused charge rejects the stored rows', () => {
    const rows = [row(1, '102034-2024-1'), row(2, '102034-2024-2'), row(3, null)];
    const plan = planRows(ctx, container(rows), client, rows);
    if (plan.kind !== 'rows') throw new Error('expected a per-row plan');
    const ok = rowsResult('c-1', rows, plan, new Set([1]), [2], { ok: true });
    expect([ok.accepted, ok.rejected, ok.reason]).toEqual([1, 2, null]);
    const receipt = ok.answers[0]?.body;
    expect(receipt?.kind === 'receipt' && receipt.receipt.results.map((r) => r.accepted)).toEqual([
      true,
      false,
      false,
    ]);
    const refused = rowsResult('c-1', rows, plan, new Set([1]), [2], {
      ok: false,
      reason: 'insufficient-credit',
    });
    expect([refused.accepted, refused.rejected, refused.reason]).toEqual([0, 3, 'insufficient-credit']);
  });
});
