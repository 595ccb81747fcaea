import { randomBytes } from 'node:crypto';
import { balanceOf, credit, registerClient, setTariff, syncCharging } from '@xmcomm/billing';
import { type AnyTable, exchangedTables, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, sampleBirth, type TestDatabase } from '@xmcomm/schema/testing';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, test } from 'vitest';
import {
  type ApplyOutcome,
  type Charging,
  type ContainerBody,
  type ContainerCodec,
  createServerSync,
  type ServerStep,
  serverSteps,
} from '../src/index.js';
import { createFakeCodec } from './helpers/fake-codec.js';
import { centreCodeOf, niuOf } from './helpers/setup.js';

// applyBatch against the reference, applyContainer one by one: the same outcomes, the same rows,
// charges and log, for a batch that mixes every case the server knows.

const tables = exchangedTables as readonly AnyTable[];
const rich = 'CEC-0100';
const poor = 'CEC-0200';
const suspended = 'CEC-0300';
const stranger = 'CEC-0999'; // has a key, is not a client
const keys = new Map([
  ['XMSERVER', randomBytes(32)],
  [rich, randomBytes(32)],
  [poor, randomBytes(32)],
  [suspended, randomBytes(32)],
  [stranger, randomBytes(32)],
]);
const codec = createFakeCodec({ keys, tables });
const impostor = createFakeCodec({ keys, tables, signAs: poor });

/** The real billing, charging a batch at once. */
const billing: Charging = syncCharging('batch-test');
/** The real billing, charging one container at a time. */
const perContainer: Charging = { mayUse: billing.mayUse, charge: billing.charge };

const opened: TestDatabase<ServerDatabase>[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

/** A server database with three paying clients: rich (1,000), poor (25: one row), suspended. */
async function serverDatabase(): Promise<Kysely<ServerDatabase>> {
  const database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
  opened.push(database);
  const db = database.db;
  for (const [matricule, status, amount] of [
    [rich, 3, 1_000],
    [poor, 3, 25],
    [suspended, 0, 100],
  ] as const) {
    const registered = await registerClient(db, {
      matricule,
      centreCode: centreCodeOf(matricule),
      name: matricule,
      passwordHash: 'x',
      status,
    });
    if (!registered.ok) throw registered.error;
    await credit(db, { clientId: registered.clientId, amount, actor: 'op', reason: 'Recharge' });
  }
  await setTariff(db, { service: 'sds-export', perRow: 25, freeRows: 0 });
  return db;
}

function serverOn(
  db: Kysely<ServerDatabase>,
  onStep?: (step: ServerStep, id: string) => void,
  charging: Charging = billing,
) {
  return createServerSync({
    db,
    codec,
    serverMatricule: 'XMSERVER',
    charging,
    ...(onStep ? { onStep } : {}),
  });
}

let niu = 0;
const birth = (numero: number, extra: Record<string, unknown> = {}) => ({
  numero,
  ...sampleBirth,
  niu: `B${process.pid}-${++niu}`,
  ...extra,
});

/** Seals as `sender`; its rows' NIUs are made the sender's own unless `foreignNiu` keeps them as given. */
async function seal(
  sender: string,
  sequence: number,
  body: ContainerBody,
  extra: { createdAt?: Date; table?: string | null; with?: ContainerCodec; foreignNiu?: boolean } = {},
) {
  const own: ContainerBody =
    body.kind === 'rows' && !extra.foreignNiu
      ? { kind: 'rows', rows: body.rows.map((row) => ({ ...row, niu: niuOf(sender, String(row.niu)) })) }
      : body;
  const { bytes } = await (extra.with ?? codec).seal({
    sender,
    recipient: null,
    sequence,
    table: extra.table === undefined ? (body.kind === 'rows' ? 'births' : null) : extra.table,
    body: own,
    ...(extra.createdAt ? { createdAt: extra.createdAt } : {}),
  });
  return bytes;
}
const rows = (...list: Record<string, unknown>[]): ContainerBody => ({ kind: 'rows', rows: list });

/** What an outcome says, with the replies opened (the server's own ids and times left out). */
async function normalise(outcome: ApplyOutcome) {
  const replies = [];
  for (const reply of outcome.replies) {
    const open = await codec.open(reply);
    if (!open.ok) throw new Error('unreadable reply');
    const body = open.value.body;
    replies.push(
      body.kind === 'import-response'
        ? { ...body, rows: body.rows.map(({ numero: _n, ...rest }) => rest) }
        : body,
    );
  }
  return { ...outcome, replies };
}

/** What the database holds, without local identities and times. */
async function state(db: Kysely<ServerDatabase>) {
  const births = await db
    .selectFrom('xm_data.births')
    .select(['origin_matricule', 'origin_numero', 'niu', 'status'])
    .orderBy('origin_matricule')
    .orderBy('origin_numero')
    .execute();
  const log = await db
    .selectFrom('xm_system.received_containers')
    .select([
      'container_id',
      'sender_matricule',
      'sequence',
      'kind',
      'rows_total',
      'rows_accepted',
      'rows_rejected',
    ])
    .orderBy('container_id')
    .execute();
  const ledger = await db
    .selectFrom('xm_system.ledger_entries')
    .select(['account_id', 'kind', 'amount', 'balance_after', 'container_id', 'quantity'])
    .orderBy('account_id')
    .orderBy('id')
    .execute();
  // Imports are charged by the server's own row numbers, which differ from one database to another.
  const charged = (
    await db
      .selectFrom('xm_system.charged_rows')
      .select(['container_id', 'row_key', 'service'])
      .orderBy('container_id')
      .orderBy('row_key')
      .execute()
  ).map((r) => (r.service === 'sds-export' ? r : { container_id: r.container_id, service: r.service }));
  const usage = await db
    .selectFrom('xm_system.usage_daily')
    .select(['account_id', 'rows', 'bytes'])
    .orderBy('account_id')
    .execute();
  return { births, log, ledger, charged, usage };
}

/** The mixed batch, and one container applied before it (so that the batch holds a duplicate of it). */
async function mixedBatch() {
  const earlier = await seal(rich, 1, rows(birth(1)));
  const first = await seal(rich, 2, rows(birth(2), birth(3)));
  const taken = birth(4);
  const refusedNiu = birth(1);
  const batch = [
    first,
    await seal(rich, 3, rows(birth(5))),
    first, // the same container twice in one batch
    earlier, // applied before the batch
    await seal(rich, 2, rows(birth(6))), // sequence 2 taken by the first container of the batch: replay
    await seal(rich, 1, rows(birth(7))), // sequence 1 taken by the earlier container: replay
    await seal(rich, 4, rows(birth(8)), { createdAt: new Date(Date.now() - 40 * 86_400_000) }), // too old
    await seal(rich, 5, rows(taken, birth(9))),
    await seal(rich, 6, rows({ ...birth(10), niu: taken.niu })), // the NIU of row 4: duplicate-niu
    await seal(rich, 7, rows(birth(11), birth(12, { child_sex: 'x' }))), // one invalid row
    await seal(rich, 8, rows(birth(2), birth(13))), // row 2 again in a new container: accepted again
    await seal(poor, 1, rows(refusedNiu, birth(2))), // two rows, credit for one: insufficient-credit
    await seal(poor, 2, rows({ ...birth(3), niu: refusedNiu.niu })), // that NIU is free: stored
    await seal(poor, 3, rows(birth(4))), // no credit left: insufficient-credit
    await seal(suspended, 1, rows(birth(1))),
    await seal(stranger, 1, rows(birth(1))),
    await seal(poor, 4, rows(birth(5)), { with: impostor }), // signed by poor, claims poor: fine
    await seal(rich, 9, rows(birth(14)), { with: impostor }), // signed by poor, claims rich: foreign
    new TextEncoder().encode('not a container'),
    await seal(rich, 10, { kind: 'control', message: { type: 'account-request' } }),
    await seal(rich, 11, rows(birth(15))),
    await seal(
      rich,
      12,
      { kind: 'import-request', filter: { table: 'births', conditions: [], limit: 100 } },
      { table: 'births' },
    ),
    await seal(rich, 13, rows(birth(16)), { table: 'unknown_table' }),
    await seal(rich, 14, rows(birth(17))),
    // An NIU of poor's centre sent by rich: refused as foreign, the other row stored.
    await seal(
      rich,
      15,
      rows(birth(18, { niu: niuOf(poor, 'SQUAT') }), birth(19, { niu: niuOf(rich, 'OWN') })),
      {
        foreignNiu: true,
      },
    ),
  ];
  return { earlier, batch };
}

describe('applyBatch gives what applyContainer one by one gives', () => {
  test('a mixed batch: outcomes, rows, charges and log', async () => {
    const { earlier, batch } = await mixedBatch();
    const reference = await serverDatabase();
    const batched = await serverDatabase();
    const one = serverOn(reference);
    const steps: ServerStep[] = [];
    const many = serverOn(batched, (step) => {
      steps.push(step);
    });
    await one.applyContainer(earlier);
    await many.applyContainer(earlier);
    steps.length = 0;

    const expected = [];
    for (const bytes of batch) expected.push(await normalise(await one.applyContainer(bytes)));
    const outcomes = await many.applyBatch(batch);
    expect(outcomes).toHaveLength(batch.length);
    const got = [];
    for (const outcome of outcomes) got.push(await normalise(outcome));
    expect(got).toEqual(expected);
    // Applied as a batch, not one by one: the rows of several containers went in before any log line.
    expect(
      steps.slice(0, steps.indexOf('logged')).filter((s) => s === 'rows-inserted').length,
    ).toBeGreaterThan(5);
    // The cases the batch is meant to hold are there.
    expect(expected.map((o) => o.reason ?? o.status)).toEqual([
      'applied',
      'applied',
      'duplicate',
      'duplicate',
      'replay',
      'replay',
      'replay',
      'applied',
      'applied',
      'applied',
      'applied',
      'insufficient-credit',
      'applied',
      'insufficient-credit',
      'suspended',
      'unknown-client',
      'insufficient-credit', // poor's credit went to its second container
      'foreign',
      'malformed',
      'applied',
      'applied',
      'applied',
      'unknown-table: unknown_table',
      'applied',
      'applied',
    ]);
    expect(JSON.stringify(expected)).toContain('duplicate-niu');
    expect(JSON.stringify(expected)).toContain('foreign-niu');
    expect(JSON.stringify(expected)).toContain('invalid-field');
    expect(await state(batched)).toEqual(await state(reference));

    // And the whole batch again: every container is a duplicate or answered as before, nothing changes.
    const before = await state(batched);
    const again = await many.applyBatch(batch);
    const reapplied = [];
    for (const bytes of batch) reapplied.push(await normalise(await one.applyContainer(bytes)));
    const gotAgain = [];
    for (const outcome of again) gotAgain.push(await normalise(outcome));
    expect(gotAgain).toEqual(reapplied);
    expect(await state(batched)).toEqual(before);
    // Two databases and every container twice: 16 s on PGlite with the machine otherwise busy.
  }, 90_000);

  test('the batches of one server go to the database one after another; the next one is opened meanwhile', async () => {
    const db = await serverDatabase();
    const events: string[] = [];
    let release = () => {};
    const paused = new Promise<void>((resolve) => {
      release = resolve;
    });
    let first: string | undefined;
    const server = serverOn(db, async (step, id) => {
      events.push(`${step} ${id}`);
      if (step === 'rows-inserted' && first === undefined) {
        first = id;
        await paused;
      }
    });
    // Two senders, so that nothing but the server's own turn keeps the second batch out.
    const a = server.applyBatch([await seal(rich, 1, rows(birth(1)))]);
    const b = server.applyBatch([await seal(poor, 1, rows(birth(2)))]);
    try {
      const opened = () => events.filter((e) => e.startsWith('opened')).length;
      for (let i = 0; i < 500 && (first === undefined || opened() < 2); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(opened()).toBe(2);
      // The first batch holds its transaction open: the second, opened, does not reach the database.
      await new Promise((r) => setTimeout(r, 300));
      expect(events.filter((e) => e.startsWith('rows-inserted'))).toEqual([`rows-inserted ${first}`]);
    } finally {
      release();
    }
    const outcomes = [...(await a), ...(await b)];
    expect(outcomes.map((o) => o.accepted)).toEqual([1, 1]);
    const second = events.findIndex((e) => e.startsWith('rows-inserted') && e !== `rows-inserted ${first}`);
    expect(second).toBeGreaterThan(events.indexOf(`committed ${first}`));
  });

  test('many containers refused for credit in one batch: the same verdicts, still as a batch', async () => {
    const batch = [];
    for (let i = 1; i <= 12; i++) {
      // poor can pay one row: its first one-row container; every other of its containers is refused.
      batch.push(
        await seal(
          poor,
          i,
          rows(...Array.from({ length: i % 3 === 0 ? 1 : 2 }, (_, r) => birth(10 * i + r))),
        ),
      );
      batch.push(await seal(rich, i, rows(birth(10 * i))));
    }
    const reference = await serverDatabase();
    const batched = await serverDatabase();
    const one = serverOn(reference);
    const steps: ServerStep[] = [];
    const many = serverOn(batched, (step) => {
      steps.push(step);
    });
    const expected = [];
    for (const bytes of batch) expected.push(await normalise(await one.applyContainer(bytes)));
    const got = [];
    for (const outcome of await many.applyBatch(batch)) got.push(await normalise(outcome));
    expect(got).toEqual(expected);
    expect(expected.filter((o) => o.reason === 'insufficient-credit')).toHaveLength(11);
    expect(await state(batched)).toEqual(await state(reference));
    expect(steps.filter((s) => s === 'logged')).toHaveLength(24);
    // Run again once with every refusal known, not once per refusal nor one by one: two passes of rows.
    expect(steps.filter((s) => s === 'rows-inserted').length).toBeLessThanOrEqual(2 * 24);
  });

  test('without chargeBatch, charge is called per container, in order', async () => {
    const { earlier, batch } = await mixedBatch();
    const reference = await serverDatabase();
    const batched = await serverDatabase();
    const one = serverOn(reference, undefined, perContainer);
    const many = serverOn(batched, undefined, perContainer);
    await one.applyContainer(earlier);
    await many.applyContainer(earlier);
    const expected = [];
    for (const bytes of batch) expected.push(await normalise(await one.applyContainer(bytes)));
    const got = [];
    for (const outcome of await many.applyBatch(batch)) got.push(await normalise(outcome));
    expect(got).toEqual(expected);
    expect(await state(batched)).toEqual(await state(reference));
  });
});

describe('a crash between any two steps of a batch, then the batch again: every row once', () => {
  class InjectedCrash extends Error {}

  test.each(serverSteps.map((s) => [s]))('crash at %s', async (target) => {
    const db = await serverDatabase();
    const containers = [
      await seal(rich, 1, rows(birth(1), birth(2))),
      await seal(rich, 2, rows(birth(3))),
      await seal(poor, 1, rows(birth(1))),
    ];
    let armed = true;
    const crashing = serverOn(db, (step) => {
      if (armed && step === target) {
        armed = false;
        throw new InjectedCrash(step);
      }
    });
    await expect(crashing.applyBatch(containers)).rejects.toBeInstanceOf(InjectedCrash);
    const outcomes = await serverOn(db).applyBatch(containers);
    const stored = await state(db);
    expect(stored.births.map((b) => `${b.origin_matricule}/${b.origin_numero}`)).toEqual([
      `${rich}/1`,
      `${rich}/2`,
      `${rich}/3`,
      `${poor}/1`,
    ]);
    expect(stored.log).toHaveLength(3);
    expect(stored.charged).toHaveLength(4);
    expect(outcomes.map((o) => o.accepted)).toEqual([2, 1, 1]);
    // Before the commit nothing was kept: applied now; after it, the same answers as duplicates.
    const status = target === 'committed' ? 'duplicate' : 'applied';
    expect(outcomes.map((o) => o.status)).toEqual([status, status, status]);
  });
});

describe.runIf(process.env.DATABASE_URL)('two server processes, overlapping batches (PostgreSQL)', () => {
  test('every container applied once, every row stored and charged once', async () => {
    const db = await serverDatabase();
    const containers = [];
    for (let i = 1; i <= 12; i++) containers.push(await seal(rich, i, rows(birth(2 * i - 1), birth(2 * i))));
    const a = serverOn(db);
    const b = serverOn(db);
    const [first, second] = await Promise.all([
      a.applyBatch(containers.slice(0, 8)),
      b.applyBatch([...containers.slice(4)].reverse()),
    ]);
    const byId = new Map<string, ApplyOutcome[]>();
    for (const outcome of [...first, ...second]) {
      byId.set(outcome.containerId as string, [...(byId.get(outcome.containerId as string) ?? []), outcome]);
    }
    expect(byId.size).toBe(12);
    for (const outcomes of byId.values()) {
      expect(outcomes.filter((o) => o.status === 'applied')).toHaveLength(1);
      expect(outcomes.every((o) => o.accepted === 2)).toBe(true);
    }
    const stored = await state(db);
    expect(stored.births).toHaveLength(24);
    expect(stored.log).toHaveLength(12);
    expect(stored.charged).toHaveLength(24);
    expect((await balanceOf(db, { matricule: rich }))?.balance).toBe(1_000 - 24 * 25);
  });
});
