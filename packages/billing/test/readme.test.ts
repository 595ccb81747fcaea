// The README's example, kept runnable.
import { randomUUID } from 'node:crypto';
import { migrateToLatest, openDatabase, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { expect, test } from 'vitest';
import {
  chargeContainer,
  credit,
  mayUse,
  registerClient,
  setTariff,
  statement,
  statementToCsv,
} from '../src/index.js';

test('the README example', async () => {
  const db = await openDatabase<ServerDatabase>('memory://');
  await migrateToLatest(db, serverMigrations);

  const registered = await registerClient(db, {
    matricule: 'CEC-YDE-01',
    name: 'Yaoundé I',
    passwordHash: '$scrypt$…',
    status: 3,
  });
  if (!registered.ok) throw registered.error;
  const { clientId } = registered;

  await setTariff(db, { service: 'sds-export', perRow: 25, freeRows: 2 });
  await credit(db, { clientId, amount: 1_000, actor: 'operator', reason: 'Recharge', reference: 'R-117' });

  expect(mayUse(3, 'sds-export')).toEqual({ ok: true });
  expect(mayUse(2, 'sds-export')).toEqual({ ok: false, reason: 'service-not-allowed' });

  const containerId = randomUUID();
  const input = {
    clientId,
    containerId,
    service: 'sds-export',
    table: 'births',
    rows: [1, 2, 3],
    bytes: 3_100,
  } as const;
  const charged = await db
    .transaction()
    .execute((trx) => chargeContainer(trx, { ...input, actor: 'xmserver-1' }));
  expect(charged).toEqual({
    ok: true,
    charged: 25,
    rowsCharged: 3,
    rowsAlreadyCharged: 0,
    freeRows: 2,
    balance: 975,
    entryId: 2,
  });
  const again = await chargeContainer(db, { ...input, actor: 'xmserver-2' });
  expect(again).toMatchObject({ ok: true, charged: 0, rowsCharged: 0, rowsAlreadyCharged: 3 });

  const month = await statement(db, { clientId, from: new Date('2026-01-01'), to: new Date('2100-01-01') });
  if (!month.ok) throw month.error;
  expect(statementToCsv(month.value).split('\r\n').filter(Boolean)).toHaveLength(5);
  await db.destroy();
});
