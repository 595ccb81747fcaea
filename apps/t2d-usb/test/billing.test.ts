import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { balanceOf, credit, setTariff } from '@xmcomm/billing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSite } from '../src/setup.js';
import { type CliWorld, openCliWorld, SITE } from './helpers/cli-world.js';

// A stick is billed as MQTT is: `t2d ingest` (the command's own entry point, real certificates and
// CMS) charges the site's account with billing's tariff and ledger, the very charging xmserver's
// service uses (its test/service.test.ts asserts the same figures over MQTT): one charge entry per
// container naming it, the container's bytes as carried, never twice for the same stick; and an
// account without credit gets insufficient-credit receipts by stick as it does over the network.

const perRow = 25;
let world: CliWorld;

beforeAll(async () => {
  world = await openCliWorld('billing');
  await world.withServer(async (db) => {
    await setTariff(db, { service: 'sds-export', perRow });
    // Exactly three acts' worth: the first stick uses it all.
    const credited = await credit(db, {
      clientId: world.clientId,
      amount: 3 * perRow,
      actor: 'op',
      reason: 'Recharge',
      reference: 'REC-1',
    });
    if (!credited.ok) throw credited.error;
  });
}, 300_000);

afterAll(async () => {
  await world?.close();
});

const ledger = () =>
  world.withServer((db) =>
    db
      .selectFrom('xm_system.ledger_entries as e')
      .innerJoin('xm_system.accounts as a', 'a.id', 'e.account_id')
      .select([
        'e.kind',
        'e.amount',
        'e.balance_after',
        'e.container_id',
        'e.quantity',
        'e.bytes',
        'e.actor',
        'e.reason',
        'e.reference',
      ])
      .where('a.client_id', '=', world.clientId)
      .orderBy('e.id')
      .execute(),
  );
const balance = () =>
  world.withServer(async (db) => Number((await balanceOf(db, { clientId: world.clientId }))?.balance));
const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

/** The containers the site put on the stick for the server, by size. */
async function containersOnStick(): Promise<number[]> {
  const folder = join(world.medium, 'XMCOMM', 'v1', 'xmserver', SITE);
  const names = (await readdir(folder)).filter((name) => name.endsWith('.sdc'));
  return Promise.all(names.map(async (name) => (await stat(join(folder, name))).size));
}

describe('t2d ingest bills as MQTT does', () => {
  it('charges the acts of a stick per row, one ledger entry per container, once however often it is ingested', async () => {
    await world.addBirths(3, 'PAY');
    const exported = await world.run(['--json', 'export', '--to', world.medium, ...world.siteArgs()]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(json(exported.stdout)).toMatchObject({ items: 1, rows: 3 });
    const [size] = await containersOnStick();

    const ingested = await world.run(['--json', 'ingest', '--from', world.medium, ...world.serverArgs()]);
    expect(ingested.code, ingested.stderr).toBe(0);
    expect(json(ingested.stdout)).toMatchObject({ applied: 1, rowsAccepted: 3, rejected: {}, refused: {} });
    const entries = await ledger();
    expect(entries).toHaveLength(2);
    const [recharge, charge] = entries;
    expect(recharge).toMatchObject({ kind: 'credit', reference: 'REC-1' });
    expect(charge).toMatchObject({
      kind: 'charge',
      quantity: 3,
      reason: 'sds-export births: 3 row(s), 0 free',
    });
    expect(Number(charge?.amount)).toBe(-3 * perRow);
    expect(Number(charge?.balance_after)).toBe(0);
    expect(Number(charge?.bytes)).toBe(size);
    expect(charge?.reference).toBe(charge?.container_id);
    // Which process charged: a statement shows the stick.
    expect(charge?.actor).toMatch(/^t2d-xmserver-/);
    expect(await balance()).toBe(0);

    // The same stick again (or the same container over MQTT): answered again, charged nothing.
    const again = await world.run(['--json', 'ingest', '--from', world.medium, ...world.serverArgs()]);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again.stdout)).toMatchObject({ applied: 0, duplicates: 1 });
    expect(await ledger()).toEqual(entries);
    const charged = await world.withServer((db) =>
      db
        .selectFrom('xm_system.charged_rows')
        .select((eb) => eb.fn.countAll<string | number>().as('count'))
        .executeTakeFirstOrThrow(),
    );
    expect(Number(charged.count)).toBe(3);

    const imported = await world.run(['--json', 'import', '--from', world.medium, ...world.siteArgs()]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(json(imported.stdout)).toMatchObject({ rowsAccepted: 3, stillWaiting: 0 });
  }, 240_000);

  it('gives an account without credit insufficient-credit receipts through the stick too; the rows wait, validated', async () => {
    expect(await balance()).toBe(0);
    const before = await ledger();
    await world.addBirths(2, 'POOR');
    const exported = await world.run(['--json', 'export', '--to', world.medium, ...world.siteArgs()]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(json(exported.stdout)).toMatchObject({ items: 1, rows: 2 });

    const ingested = await world.run([
      '--lang',
      'fr',
      'ingest',
      '--from',
      world.medium,
      ...world.serverArgs(),
    ]);
    expect(ingested.code, ingested.stderr).toBe(0);
    // Answered, not applied: the operator reads why, in words.
    expect(ingested.stdout.split('\n').slice(0, 3)).toEqual([
      '0 conteneur(s) appliqué(s), 1 déjà reçu(s), 0 rejeu(x) refusé(s) ; fiches acceptées 0, rejetées 2.',
      '2 conteneur(s) de réponse écrit(s) pour CEC-001.',
      "1 conteneur(s) rejeté(s) en entier, le site en reçoit la raison : Le compte n'a pas assez de crédit (insufficient-credit).",
    ]);
    expect(await ledger()).toEqual(before);
    const stored = await world.withServer((db) =>
      db.selectFrom('xm_data.births').select('niu').where('niu', 'like', '%-POOR-%').execute(),
    );
    expect(stored).toEqual([]);

    const imported = await world.run(['--json', 'import', '--from', world.medium, ...world.siteArgs()]);
    expect(imported.code, imported.stderr).toBe(0);
    // The rows are not at fault: held back, still validated, not sent back for correction.
    expect(json(imported.stdout)).toMatchObject({ rowsRejected: 0, rowsHeld: 2, stillWaiting: 0 });
    const site = await openSite(
      {
        databaseUrl: world.siteUrl,
        matricule: SITE,
        key: join(world.work, 'site-key.pem'),
        certificate: join(world.work, 'site.pem'),
        serverCertificate: join(world.work, 'server.pem'),
      },
      world.env,
    );
    try {
      expect(await site.sync.rejections()).toEqual([]);
      expect(await site.sync.hold()).toMatchObject({ reason: 'insufficient-credit' });
      const statuses = await site.db
        .selectFrom('xm_data.births')
        .select('status')
        .where('niu', 'like', '%-POOR-%')
        .execute();
      expect(statuses.map((row) => row.status)).toEqual([2, 2]);
    } finally {
      await site.db.destroy();
    }
  }, 240_000);
});
