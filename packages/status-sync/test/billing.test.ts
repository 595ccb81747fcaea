import { balanceOf, credit, registerClient, setTariff, syncCharging } from '@xmcomm/billing';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Charging } from '../src/index.js';
import {
  centreCodeOf,
  createWorld,
  pump,
  serverBirthsFrom,
  serverFor,
  siteFor,
  statusesAtSite,
  validatedBirths,
  type World,
} from './helpers/setup.js';

// status-sync wired to the real @xmcomm/billing as xmserver wires it (its status gate, its idempotent
// container charge in the apply transaction, its balance for account messages), without the batch
// charge: applyContainer's path, and applyBatch's fallback of one charge per container.
const { chargeBatch: _batchCharge, ...billing } = syncCharging('status-sync-test');
const charging: Charging = billing;

let world: World;
let clientId: number;
beforeAll(async () => {
  world = await createWorld();
  const registered = await registerClient(world.server.db, {
    matricule: 'CEC-0100',
    centreCode: centreCodeOf('CEC-0100'),
    name: 'Centre payant',
    passwordHash: 'not-a-real-hash',
    status: 3,
  });
  if (!registered.ok) throw registered.error;
  clientId = registered.clientId;
  world.keys.set('CEC-0100', world.keys.get('CEC-0001') as Buffer);
  await setTariff(world.server.db, { service: 'sds-export', perRow: 25, freeRows: 0 });
});
afterAll(() => world?.close());

test('rows are charged once through billing; without credit they come back to the officer', async () => {
  const site = siteFor(world, { matricule: 'CEC-0100' });
  const server = serverFor(world, { charging });
  const numeros = await validatedBirths(world.site.db, 3, 'PAID-', 'CEC-0100');
  await credit(world.server.db, {
    clientId,
    amount: 50,
    actor: 'operator',
    reason: 'Recharge',
    reference: 'R-1',
  });
  await site.exportRows();
  await pump(site, server);
  // 3 rows at 25 cost 75; the account holds 50: refused as a whole, nothing stored, nothing debited.
  expect(await statusesAtSite(world.site.db, numeros)).toEqual([1, 1, 1]);
  expect((await site.rejections()).map((r) => r.reason)).toEqual(numeros.map(() => 'insufficient-credit'));
  expect(await serverBirthsFrom(world.server.db, 'CEC-0100')).toEqual([]);
  expect((await balanceOf(world.server.db, { clientId }))?.balance).toBe(50);

  await credit(world.server.db, {
    clientId,
    amount: 100,
    actor: 'operator',
    reason: 'Recharge',
    reference: 'R-2',
  });
  await world.site.db
    .updateTable('xm_data.births')
    .set({ status: 2 })
    .where('numero', 'in', numeros)
    .execute();
  await site.exportRows();
  const [item] = await site.nextItems();
  if (!item) throw new Error('no item');
  const first = await server.applyContainer(item.payload);
  const again = await server.applyContainer(item.payload);
  for (const reply of first.replies) await site.receive(reply);
  expect(again.status).toBe('duplicate');
  expect(await statusesAtSite(world.site.db, numeros)).toEqual([4, 4, 4]);
  expect((await balanceOf(world.server.db, { clientId }))?.balance).toBe(75);
  const { rows } = await sql<{
    count: number;
  }>`select count(*)::int as count from xm_data.births where origin_matricule = 'CEC-0100'`.execute(
    world.server.db,
  );
  expect(rows[0]?.count).toBe(3);
});
