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

test('rows are charged once through billing; without credit they wait, validated, until the server says the account allows them', async () => {
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
  // The acts are not at fault: they stay validated (2), not sent back for correction, and wait.
  expect(await statusesAtSite(world.site.db, numeros)).toEqual([2, 2, 2]);
  expect(await site.rejections()).toEqual([]);
  expect(await site.hold()).toMatchObject({ reason: 'insufficient-credit' });
  expect(await serverBirthsFrom(world.server.db, 'CEC-0100')).toEqual([]);
  expect((await balanceOf(world.server.db, { clientId }))?.balance).toBe(50);
  // Nothing goes while the account is refused: the same refusal would come back over a paid link.
  expect(await site.exportRows()).toEqual([]);

  // The operator credits the account; the server tells the site (xmserver pushes its account).
  await credit(world.server.db, {
    clientId,
    amount: 100,
    actor: 'operator',
    reason: 'Recharge',
    reference: 'R-2',
  });
  const told = await server.pushAccount('CEC-0100');
  if (!told) throw new Error('no account message');
  expect(await site.receive(told)).toMatchObject({ status: 'applied', kind: 'control' });
  expect(await site.hold()).toBeNull();
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

test('a suspended site keeps its acts validated; lifting the suspension lets them go', async () => {
  const site = siteFor(world, { matricule: 'CEC-0100' });
  const server = serverFor(world, { charging });
  const numeros = await validatedBirths(world.site.db, 2, 'SUSP-', 'CEC-0100');
  const setStatus = (status: number) =>
    world.server.db.updateTable('xm_system.clients').set({ status }).where('id', '=', clientId).execute();
  await setStatus(0);
  await site.exportRows();
  await pump(site, server);
  expect(await statusesAtSite(world.site.db, numeros)).toEqual([2, 2]);
  expect(await site.hold()).toMatchObject({ reason: 'suspended' });
  // A suspended site hears nothing from the server; status 2 (all but data) does not lift the hold.
  expect(await server.pushAccount('CEC-0100')).toBeNull();
  await setStatus(2);
  await site.receive((await server.pushAccount('CEC-0100')) as Uint8Array);
  expect(await site.hold()).toMatchObject({ reason: 'suspended' });
  await setStatus(3);
  await site.receive((await server.pushAccount('CEC-0100')) as Uint8Array);
  expect(await site.hold()).toBeNull();
  await site.exportRows();
  await pump(site, server);
  expect(await statusesAtSite(world.site.db, numeros)).toEqual([4, 4]);
});
