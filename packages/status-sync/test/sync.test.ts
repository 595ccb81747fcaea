import { randomBytes } from 'node:crypto';
import {
  type AnyTable,
  births,
  dataColumns,
  defineExchangedTable,
  exchangedTables,
  text,
} from '@xmcomm/schema';
import { sampleBirth } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type AppliedReceipt, wholeContainer } from '../src/index.js';
import { createFakeCodec } from './helpers/fake-codec.js';
import {
  addClient,
  centreCodeOf,
  createWorld,
  creditOf,
  niuOf,
  pump,
  serverBirthsFrom,
  serverFor,
  serverMatricule,
  siteFor,
  siteMatricule,
  statusesAtSite,
  validatedBirths,
  type World,
} from './helpers/setup.js';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});
afterAll(() => world?.close());

// Each test starts from empty exchanged tables and logs on both sides (the trigger forbids deleting
// sealed rows, so the tables are truncated, which is the operator's tool, not an application's).
beforeEach(async () => {
  const { sql } = await import('kysely');
  await sql`truncate xm_data.births, xm_site.outbox, xm_site.sealed_rows, xm_site.inbox, xm_site.messages, xm_site.rejections, xm_site.counters, xm_site.settings`.execute(
    world.site.db,
  );
  await sql`truncate xm_data.births, xm_system.received_containers`.execute(world.server.db);
  await world.server.db
    .updateTable('xm_system.clients')
    .set({ status: 3 })
    .where('matricule', '=', siteMatricule)
    .execute();
});

async function receiptOf(bytes: Uint8Array) {
  const opened = await world.codec.open(bytes);
  if (!opened.ok || opened.value.body.kind !== 'receipt') throw new Error('not a receipt');
  return opened.value.body.receipt;
}

describe('export, apply and receipts', () => {
  test('validated rows travel once, end at status 4 at the site and once on the server', async () => {
    const numeros = await validatedBirths(world.site.db, 5);
    const site = siteFor(world);
    const server = serverFor(world);
    const items = await site.exportRows();
    expect(items).toHaveLength(1);
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([3, 3, 3, 3, 3]);
    await pump(site, server);
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([4, 4, 4, 4, 4]);
    const stored = await serverBirthsFrom(world.server.db, siteMatricule);
    expect(stored.map((r) => r.origin_numero)).toEqual(numeros);
    expect(stored.every((r) => r.status === 2)).toBe(true);
    expect(await site.nextItems()).toEqual([]);
    expect(await site.exportRows()).toEqual([]);
  });

  test('every column arrives as the site has it: timestamps, times, dates, accents, quotes', async () => {
    const act = {
      ...sampleBirth,
      child_given_names: 'Amélie "Ngo" \\ Ébène',
      father_surname: 'Mbarga',
      remarks: 'ligne 1\nligne 2, {"json": null}',
      drafted_at: new Date('2026-11-20T08:15:30.123Z'),
      validated_at: new Date('2026-11-20T09:00:00Z'),
    };
    const { numero } = await world.site.db
      .insertInto('xm_data.births')
      .values(act as never)
      .returning('numero')
      .executeTakeFirstOrThrow();
    await world.site.db
      .updateTable('xm_data.births')
      .set({ status: 2, niu: niuOf(siteMatricule, `COLS-${process.pid}-${numero}`) })
      .where('numero', '=', numero)
      .execute();
    const site = siteFor(world);
    await site.exportRows();
    await pump(site, serverFor(world));
    const columns = dataColumns(births);
    const atSite = await world.site.db
      .selectFrom('xm_data.births')
      .select(columns as never)
      .where('numero', '=', numero)
      .executeTakeFirstOrThrow();
    const onServer = await world.server.db
      .selectFrom('xm_data.births')
      .select(columns as never)
      .where('origin_matricule', '=', siteMatricule)
      .where('origin_numero', '=', numero)
      .executeTakeFirstOrThrow();
    expect(onServer).toEqual(atSite);
    expect((onServer as { drafted_at: Date }).drafted_at.toISOString()).toBe('2026-11-20T08:15:30.123Z');
    expect((onServer as { child_given_names: string }).child_given_names).toBe(act.child_given_names);
  });

  test('containers hold at most N rows or B bytes', async () => {
    await validatedBirths(world.site.db, 7);
    expect(await siteFor(world, { maxRows: 3 }).exportRows()).toHaveLength(3);
    await validatedBirths(world.site.db, 6);
    const small = siteFor(world, { maxBytes: 2_500 });
    const ids = await small.exportRows();
    const items = await small.nextItems(100);
    const byId = items.filter((item) => ids.includes(item.id));
    expect(byId.length).toBeGreaterThan(1);
    for (const item of byId) expect(item.payload.length <= 2_500 || item.rowCount === 1).toBe(true);
    expect(byId.reduce((sum, item) => sum + item.rowCount, 0)).toBe(6);
  });

  test('one export may set its own limits and stop after some containers; a send may set its own resend delay', async () => {
    await validatedBirths(world.site.db, 7);
    const now = new Date('2026-12-07T10:00:00Z');
    const site = siteFor(world, { maxRows: 50, now: () => now, retry: { initialMs: 30_000, jitter: 0 } });
    const first = await site.exportRows(undefined, { maxRows: 3, maxContainers: 2 });
    expect(first).toHaveLength(2);
    const rest = await site.exportRows(undefined, { maxRows: 3 });
    const counts = (await site.nextItems(100)).map((item) => item.rowCount);
    expect(counts).toEqual([3, 3, 1]);
    expect(rest).toHaveLength(1);
    const [slow, usual] = first as [number, number];
    await site.markSent(slow, undefined, 120_000);
    await site.markSent(usual);
    const due = await world.site.db
      .selectFrom('xm_site.outbox')
      .select(['id', 'next_attempt_at'])
      .where('id', 'in', [slow, usual])
      .orderBy('id')
      .execute();
    expect(due.map((item) => new Date(item.next_attempt_at).getTime() - now.getTime())).toEqual([
      120_000, 30_000,
    ]);
  });

  test('onSealed runs in the sealing transaction: what it writes commits with the export, or nothing does', async () => {
    const numeros = await validatedBirths(world.site.db, 3);
    const failing = siteFor(world, {
      onSealed: async () => {
        throw new Error('history could not be written');
      },
    });
    await expect(failing.exportRows()).rejects.toThrow('history could not be written');
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([2, 2, 2]);
    expect(await failing.nextItems()).toEqual([]);
    const seen: { table: string; numeros: readonly number[]; outboxId: number }[] = [];
    const receipts: AppliedReceipt[] = [];
    const site = siteFor(world, {
      onSealed: async (_trx, sealed) => void seen.push(sealed),
      onReceipt: async (_trx, receipt) => void receipts.push(receipt),
    });
    const ids = await site.exportRows();
    expect(seen).toEqual([expect.objectContaining({ table: 'births', numeros, outboxId: ids[0] })]);
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([3, 3, 3]);
    await pump(site, serverFor(world));
    expect(receipts).toEqual([expect.objectContaining({ table: 'births', exported: numeros, rejected: [] })]);
  });

  test('the same container twice gets the very same receipt and changes nothing', async () => {
    await validatedBirths(world.site.db, 3);
    const site = siteFor(world);
    const server = serverFor(world);
    await site.exportRows();
    const [item] = await site.nextItems();
    if (!item) throw new Error('no item');
    const first = await server.applyContainer(item.payload);
    const second = await server.applyContainer(item.payload);
    expect(first.status).toBe('applied');
    expect(second.status).toBe('duplicate');
    expect(second.replies).toEqual(first.replies);
    expect(await serverBirthsFrom(world.server.db, siteMatricule)).toHaveLength(3);
    // The site applies the receipt once; the second copy is recognised.
    expect((await site.receive(first.replies[0] as Uint8Array)).status).toBe('applied');
    expect((await site.receive(second.replies[0] as Uint8Array)).status).toBe('duplicate');
  });

  test('two server processes applying the same container at once store its rows once and agree on the receipt', async () => {
    await validatedBirths(world.site.db, 3);
    const site = siteFor(world);
    await site.exportRows();
    const [item] = await site.nextItems();
    if (!item) throw new Error('no item');
    const outcomes = await Promise.all([
      serverFor(world).applyContainer(item.payload),
      serverFor(world).applyContainer(item.payload),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['applied', 'duplicate']);
    expect(outcomes[0]?.replies).toEqual(outcomes[1]?.replies);
    expect(await serverBirthsFrom(world.server.db, siteMatricule)).toHaveLength(3);
  });

  test('out of order is fine; gaps in sequence numbers are reported for the monitor', async () => {
    const numeros = await validatedBirths(world.site.db, 3);
    const site = siteFor(world, { maxRows: 1 });
    const server = serverFor(world);
    await site.exportRows();
    const items = await site.nextItems();
    expect(items).toHaveLength(3);
    const [one, two, three] = items as [(typeof items)[0], (typeof items)[0], (typeof items)[0]];
    for (const reply of (await server.applyContainer(three.payload)).replies) await site.receive(reply);
    expect(await server.sequenceGaps(siteMatricule)).toEqual([{ from: 1, to: 2 }]);
    for (const reply of (await server.applyContainer(one.payload)).replies) await site.receive(reply);
    expect(await server.sequenceGaps(siteMatricule)).toEqual([{ from: 2, to: 2 }]);
    for (const reply of (await server.applyContainer(two.payload)).replies) await site.receive(reply);
    expect(await server.sequenceGaps(siteMatricule)).toEqual([]);
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([4, 4, 4]);
  });

  test('a replayed sequence number or an old container is rejected as a replay, and nothing is stored', async () => {
    await validatedBirths(world.site.db, 1);
    const site = siteFor(world);
    const server = serverFor(world);
    await site.exportRows();
    await pump(site, server);
    const rows = [{ numero: 999, child_surname: 'Replay' }];
    const reused = await world.codec.seal({
      sender: siteMatricule,
      recipient: serverMatricule,
      sequence: 1,
      table: 'births',
      body: { kind: 'rows', rows },
    });
    const outcome = await server.applyContainer(reused.bytes);
    const receipt = await receiptOf(outcome.replies[0] as Uint8Array);
    expect(receipt.results).toEqual([
      { numero: wholeContainer, accepted: false, reason: 'replay: sequence 1 already used' },
    ]);
    const old = await world.codec.seal({
      sender: siteMatricule,
      recipient: serverMatricule,
      sequence: 50,
      createdAt: new Date(Date.now() - 40 * 86_400_000),
      table: 'births',
      body: { kind: 'rows', rows },
    });
    const stale = await receiptOf((await server.applyContainer(old.bytes)).replies[0] as Uint8Array);
    expect(stale.results[0]).toMatchObject({ accepted: false, reason: expect.stringMatching(/^replay/) });
    expect(await serverBirthsFrom(world.server.db, siteMatricule)).toHaveLength(1);
  });

  test('truncated and foreign containers are refused without an answer; the site re-sends later', async () => {
    const numeros = await validatedBirths(world.site.db, 2);
    const site = siteFor(world);
    const server = serverFor(world);
    await site.exportRows();
    const [item] = await site.nextItems();
    if (!item) throw new Error('no item');
    const truncated = await server.applyContainer(item.payload.slice(0, item.payload.length - 7));
    expect(truncated).toMatchObject({ status: 'refused', reason: 'malformed', replies: [] });

    const stranger = createFakeCodec({
      keys: new Map([['CEC-6666', randomBytes(32)]]),
      tables: exchangedTables as readonly AnyTable[],
    });
    const unknown = await stranger.seal({
      sender: 'CEC-6666',
      recipient: serverMatricule,
      sequence: 1,
      table: 'births',
      body: { kind: 'rows', rows: [{ numero: 1 }] },
    });
    expect(await server.applyContainer(unknown.bytes)).toMatchObject({
      status: 'refused',
      reason: 'unknown-signer',
    });

    // A registered site signing a container that claims to come from another site.
    world.keys.set('CEC-0002', randomBytes(32));
    await addClient(world.server.db, 'CEC-0002', 3).catch(() => undefined);
    const impostor = await createFakeCodec({
      keys: world.keys,
      tables: exchangedTables as readonly AnyTable[],
      signAs: 'CEC-0002',
    }).seal({
      sender: siteMatricule,
      recipient: serverMatricule,
      sequence: 1,
      table: 'births',
      body: { kind: 'rows', rows: [{ numero: 1 }] },
    });
    expect(await server.applyContainer(impostor.bytes)).toMatchObject({
      status: 'refused',
      reason: 'foreign',
    });
    expect(await serverBirthsFrom(world.server.db, siteMatricule)).toHaveLength(0);

    await pump(site, server);
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([4, 4]);
  });

  test('a different table contract is a schema mismatch: rows come back to the officer with the reason', async () => {
    const numeros = await validatedBirths(world.site.db, 2);
    const otherBirths = defineExchangedTable('births', { child_surname: text({ maxLength: 100 }) });
    const oldCodec = createFakeCodec({ keys: world.keys, tables: [otherBirths] });
    const site = siteFor(world, { codec: oldCodec });
    const server = serverFor(world);
    await site.exportRows();
    await pump(site, server);
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([1, 1]);
    const rejected = await site.rejections('births');
    expect(rejected.map((r) => [r.numero, r.reason])).toEqual(numeros.map((n) => [n, 'schema-mismatch']));
    expect(await serverBirthsFrom(world.server.db, siteMatricule)).toHaveLength(0);
  });

  test('a suspended site gets "suspended": its rows stay validated and go once the server says it is active again', async () => {
    const numeros = await validatedBirths(world.site.db, 2);
    await world.server.db
      .updateTable('xm_system.clients')
      .set({ status: 0 })
      .where('matricule', '=', siteMatricule)
      .execute();
    const site = siteFor(world);
    const server = serverFor(world);
    await site.exportRows();
    await pump(site, server);
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([2, 2]);
    expect(await site.rejections()).toEqual([]);
    expect(await site.hold()).toMatchObject({ reason: 'suspended' });

    await world.server.db
      .updateTable('xm_system.clients')
      .set({ status: 3 })
      .where('matricule', '=', siteMatricule)
      .execute();
    // No correction, no second validation: the server's account message is enough.
    await site.receive((await server.pushAccount(siteMatricule)) as Uint8Array);
    await site.exportRows();
    await pump(site, server);
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([4, 4]);
    expect(await site.hold()).toBeNull();
  });

  test('a site of status 2 may not export: service-not-allowed, its rows held, not sent back', async () => {
    const numeros = await validatedBirths(world.site.db, 1);
    await world.server.db
      .updateTable('xm_system.clients')
      .set({ status: 2 })
      .where('matricule', '=', siteMatricule)
      .execute();
    const site = siteFor(world);
    await site.exportRows();
    await pump(site, serverFor(world));
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([2]);
    expect(await site.hold()).toMatchObject({ reason: 'service-not-allowed' });
    // The site asks for its account: the answer (status 2) keeps the hold.
    await site.requestAccount('account');
    await pump(site, serverFor(world));
    expect(await site.hold()).toMatchObject({ reason: 'service-not-allowed' });
    await world.server.db
      .updateTable('xm_system.clients')
      .set({ status: 3 })
      .where('matricule', '=', siteMatricule)
      .execute();
    await site.requestAccount('account');
    await pump(site, serverFor(world));
    expect(await site.hold()).toBeNull();
  });

  test('insufficient credit holds the rows, validated, and rolls back their insertion', async () => {
    const numeros = await validatedBirths(world.site.db, 3);
    const credit = creditOf(2);
    const site = siteFor(world);
    const server = serverFor(world, { charging: credit });
    await site.exportRows();
    await pump(site, server);
    expect(await statusesAtSite(world.site.db, numeros)).toEqual([2, 2, 2]);
    expect(await site.rejections()).toEqual([]);
    expect(await site.hold()).toMatchObject({ reason: 'insufficient-credit' });
    expect(await serverBirthsFrom(world.server.db, siteMatricule)).toHaveLength(0);
    expect(credit.remaining()).toBe(2);
  });

  test("per-row verdicts: an invalid field, a NIU the server already has, another centre's NIU, next to accepted rows", async () => {
    const server = serverFor(world);
    world.keys.set('CEC-0003', randomBytes(32));
    await addClient(world.server.db, 'CEC-0003', 3);
    const { sampleBirth } = await import('@xmcomm/schema/testing');
    // An earlier row of this site took a NIU that its row 502 carries again (a site's own mistake).
    const earlier = await world.codec.seal({
      sender: siteMatricule,
      recipient: serverMatricule,
      sequence: 99,
      table: 'births',
      body: { kind: 'rows', rows: [{ numero: 500, ...sampleBirth, niu: niuOf(siteMatricule, 'SHARED') }] },
    });
    expect((await server.applyContainer(earlier.bytes)).accepted).toBe(1);
    const crafted = await world.codec.seal({
      sender: siteMatricule,
      recipient: serverMatricule,
      sequence: 100,
      table: 'births',
      body: {
        kind: 'rows',
        rows: [
          { numero: 501, ...sampleBirth, niu: niuOf(siteMatricule, 'OK-501') },
          { numero: 502, ...sampleBirth, niu: niuOf(siteMatricule, 'SHARED') },
          { numero: 503, ...sampleBirth, child_sex: 'boy', niu: niuOf(siteMatricule, 'BAD-503') },
          { numero: 504, ...sampleBirth, niu: null },
          { numero: 505, ...sampleBirth, child_surname: 'Nul\u0000', niu: niuOf(siteMatricule, 'NUL-505') },
          // CEC-0003's number: taking it would leave CEC-0003's own act refused for ever.
          { numero: 506, ...sampleBirth, niu: niuOf('CEC-0003', '2026-1') },
          // Its centre code without the dash is a different code, not this site's.
          { numero: 507, ...sampleBirth, niu: `${centreCodeOf(siteMatricule)}9-2026-1` },
        ],
      },
    });
    const outcome = await server.applyContainer(crafted.bytes);
    const receipt = await receiptOf(outcome.replies[0] as Uint8Array);
    const code = centreCodeOf(siteMatricule);
    expect(receipt.results).toEqual([
      { numero: 501, accepted: true },
      { numero: 502, accepted: false, reason: 'duplicate-niu' },
      { numero: 503, accepted: false, reason: 'invalid-field: child_sex not-allowed' },
      { numero: 504, accepted: false, reason: 'invalid-field: niu required' },
      { numero: 505, accepted: false, reason: 'invalid-field: child_surname invalid-format' },
      {
        numero: 506,
        accepted: false,
        reason: `foreign-niu: CEC0003-2026-1 does not begin with this site's centre code ${code}-`,
      },
      {
        numero: 507,
        accepted: false,
        reason: `foreign-niu: ${code}9-2026-1 does not begin with this site's centre code ${code}-`,
      },
    ]);
    expect((await serverBirthsFrom(world.server.db, siteMatricule)).map((r) => r.origin_numero)).toEqual([
      500, 501,
    ]);
    // CEC-0003's own act with that number is still welcome.
    const genuine = await world.codec.seal({
      sender: 'CEC-0003',
      recipient: serverMatricule,
      sequence: 1,
      table: 'births',
      body: { kind: 'rows', rows: [{ numero: 1, ...sampleBirth, niu: niuOf('CEC-0003', '2026-1') }] },
    });
    expect((await server.applyContainer(genuine.bytes)).accepted).toBe(1);
  });

  test('a site without a registered centre code gets every row refused as foreign-niu', async () => {
    const server = serverFor(world);
    world.keys.set('CEC-0005', randomBytes(32));
    await addClient(world.server.db, 'CEC-0005', 3);
    await world.server.db
      .updateTable('xm_system.clients')
      .set({ centre_code: null })
      .where('matricule', '=', 'CEC-0005')
      .execute();
    const { sampleBirth } = await import('@xmcomm/schema/testing');
    const sealed = await world.codec.seal({
      sender: 'CEC-0005',
      recipient: serverMatricule,
      sequence: 1,
      table: 'births',
      body: { kind: 'rows', rows: [{ numero: 1, ...sampleBirth, niu: niuOf('CEC-0005', '1') }] },
    });
    const receipt = await receiptOf((await server.applyContainer(sealed.bytes)).replies[0] as Uint8Array);
    expect(receipt.results).toEqual([
      { numero: 1, accepted: false, reason: 'foreign-niu: no centre code is registered for this site' },
    ]);
  });
});

describe('import, account and profile', () => {
  test('a site imports rows read-only, paged, and never exports them again', async () => {
    world.keys.set('CEC-0004', randomBytes(32));
    await addClient(world.server.db, 'CEC-0004', 3).catch(() => undefined);
    const { sampleBirth } = await import('@xmcomm/schema/testing');
    const rows = [1, 2, 3, 4, 5].map((n) => ({
      numero: n,
      ...sampleBirth,
      child_surname: n <= 3 ? 'Essomba' : 'Atangana',
      niu: niuOf('CEC-0004', `IMP-${n}`),
    }));
    const from = await world.codec.seal({
      sender: 'CEC-0004',
      recipient: serverMatricule,
      sequence: 1,
      table: 'births',
      body: { kind: 'rows', rows },
    });
    const server = serverFor(world, { importPageRows: 1 });
    expect((await server.applyContainer(from.bytes)).accepted).toBe(5);

    const site = siteFor(world);
    const queued = await site.requestImport({
      table: 'births',
      conditions: [{ field: 'child_surname', op: '=', value: 'Essomba' }],
      order: [{ field: 'niu', direction: 'desc' }],
      limit: 2,
    });
    expect(queued.ok).toBe(true);
    const cursors: (string | null | undefined)[] = [];
    for (const item of await site.nextItems()) {
      for (const reply of (await server.applyContainer(item.payload)).replies) {
        const received = await site.receive(reply);
        if (received.status === 'applied' && received.kind === 'import-response')
          cursors.push(received.cursor);
      }
    }
    // Two pages of one row each; the last says where the next request should start.
    expect(cursors).toEqual([null, '2']);
    const imported = await world.site.db
      .selectFrom('xm_data.births')
      .select(['niu', 'status', 'origin_matricule', 'origin_numero'])
      .orderBy('niu')
      .execute();
    expect(imported).toEqual([
      { niu: 'CEC0004-IMP-2', status: 2, origin_matricule: 'CEC-0004', origin_numero: 2 },
      { niu: 'CEC0004-IMP-3', status: 2, origin_matricule: 'CEC-0004', origin_numero: 3 },
    ]);
    await site.requestImport({
      table: 'births',
      conditions: [{ field: 'child_surname', op: '=', value: 'Essomba' }],
      order: [{ field: 'niu', direction: 'desc' }],
      limit: 2,
      cursor: '2',
    });
    await pump(site, server);
    const all = await world.site.db.selectFrom('xm_data.births').select('niu').orderBy('niu').execute();
    expect(all.map((r) => r.niu)).toEqual(['CEC0004-IMP-1', 'CEC0004-IMP-2', 'CEC0004-IMP-3']);
    expect(await site.exportRows()).toEqual([]);
    expect(
      await site.requestImport({ table: 'births', conditions: [{ field: 'nope', op: '=', value: 1 }] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'unknown-field' },
    });
  });

  test('a hostile filter that reaches the server is refused with a reason in the receipt', async () => {
    const server = serverFor(world);
    const hostile = await world.codec.seal({
      sender: siteMatricule,
      recipient: serverMatricule,
      sequence: 7,
      body: {
        kind: 'import-request',
        filter: {
          table: 'births',
          conditions: [{ field: 'niu; drop table xm_data.births', op: '=', value: 'x' }],
        },
      },
    });
    const receipt = await receiptOf((await server.applyContainer(hostile.bytes)).replies[0] as Uint8Array);
    expect(receipt.results).toEqual([
      { numero: 0, accepted: false, reason: 'invalid-filter: conditions[0].field: unknown field' },
    ]);
  });

  test('account and profile: asked by the site, and pushed by the server', async () => {
    await world.server.db
      .updateTable('xm_system.clients')
      .set({ status: 1 })
      .where('matricule', '=', siteMatricule)
      .execute();
    const credit = creditOf(40);
    const server = serverFor(world, { charging: credit });
    const site = siteFor(world);
    await site.requestAccount('account');
    await site.requestAccount('profile');
    await pump(site, server);
    const settings = await world.site.db
      .selectFrom('xm_site.settings')
      .select(['key', 'value'])
      .orderBy('key')
      .execute();
    expect(settings).toEqual([
      {
        key: 'status-sync.account',
        value: { matricule: siteMatricule, status: 1, balance: 40, currency: 'XAF' },
      },
      {
        key: 'status-sync.profile',
        value: expect.objectContaining({
          matricule: siteMatricule,
          name: `Centre ${siteMatricule}`,
          status: 1,
        }),
      },
    ]);
    const pushed = await server.pushAccount(siteMatricule);
    if (!pushed) throw new Error('push refused');
    expect((await site.receive(pushed)).status).toBe('applied');
    await world.server.db
      .updateTable('xm_system.clients')
      .set({ status: 0 })
      .where('matricule', '=', siteMatricule)
      .execute();
    expect(await server.pushAccount(siteMatricule)).toBeNull();
  });

  test("an operator's message is kept in clear at the site, once, unread, in the receiving transaction", async () => {
    const server = serverFor(world);
    const site = siteFor(world);
    const text = 'Maintenance du serveur samedi 02:00-04:00 UTC. Merci.';
    const pushed = await server.pushMessage(siteMatricule, text);
    if (!pushed) throw new Error('push refused');
    expect(await site.receive(pushed)).toMatchObject({ status: 'applied', kind: 'control' });
    expect(await site.receive(pushed)).toEqual({ status: 'duplicate' });
    const messages = await world.site.db.selectFrom('xm_site.messages').selectAll().execute();
    expect(messages).toEqual([
      {
        id: expect.any(Number),
        container_id: expect.any(String),
        text,
        sent_at: expect.any(Date),
        received_at: expect.any(Date),
        read_at: null,
        read_by: null,
      },
    ]);
    const stored = await world.site.db
      .selectFrom('xm_site.inbox')
      .select(['container_id', 'applied_at'])
      .executeTakeFirstOrThrow();
    expect(stored.container_id).toBe(messages[0]?.container_id);
    expect(stored.applied_at).not.toBeNull();
  });

  test('the documents trust list: the site keeps the newest, a late older one changes nothing', async () => {
    const server = serverFor(world);
    const site = siteFor(world);
    expect(await site.trustList()).toBeNull();
    const second = await server.pushTrustList(siteMatricule, { sequence: 2, text: 'LIST 2' });
    const first = await server.pushTrustList(siteMatricule, { sequence: 1, text: 'LIST 1' });
    if (!second || !first) throw new Error('push refused');
    expect(await site.receive(second)).toMatchObject({ status: 'applied', kind: 'control' });
    expect(await site.receive(first)).toMatchObject({ status: 'applied', kind: 'control' });
    expect(await site.trustList()).toMatchObject({
      sequence: 2,
      text: 'LIST 2',
      receivedAt: expect.any(Date),
    });
    const third = await server.pushTrustList(siteMatricule, { sequence: 3, text: 'LIST 3' });
    if (!third) throw new Error('push refused');
    await site.receive(third);
    expect(await site.trustList()).toMatchObject({ sequence: 3, text: 'LIST 3' });
  });
});
