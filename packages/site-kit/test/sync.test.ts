import {
  createTablesMigration,
  date,
  defineExchangedTable,
  lifecycleMigration,
  oneOf,
  type ServerDatabase,
  serverMigrations,
  text,
  workflowColumns,
} from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { createSdcCodec, createServerSync, type ServerSync, statusGateOnly } from '@xmcomm/status-sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineRecordType, type RecordRef, SiteKitError } from '../src/index.js';
import { createRecordSync, createSiteLink, type RecordSync, type SyncEvent } from '../src/sync.js';
import { createTestKit, type TestKit, testPasswords } from '../src/testing.js';
import { serverAndSite } from './helpers/identities.js';

// The kit's synchronisation on a record type that is not civil registration (a court's judgments),
// against status-sync's own server side in this process, with no broker: what the site seals is
// handed to the server and its replies to the site's `receive`, as a stick would carry them. On
// PGlite (default) and PostgreSQL (DATABASE_URL set).

const judgments = defineExchangedTable('judgments', {
  defendant_surname: text({ maxLength: 100, required: true }),
  defendant_given_names: text({ maxLength: 150 }),
  offence: oneOf(['theft', 'fraud', 'assault'], { required: true }),
  date_of_judgment: date({ required: true }),
  court: text({ maxLength: 100, required: true }),
  ...workflowColumns,
});

const judgment = defineRecordType({
  name: 'judgment',
  table: judgments,
  refLetter: 'J',
  label: { en: 'Judgment', fr: 'Jugement' },
  title: (row) => `${row.defendant_surname} (${row.offence})`,
  search: { names: ['defendant_surname', 'defendant_given_names'], places: ['court'] },
  eventDate: 'date_of_judgment',
});

const sampleJudgment = {
  defendant_surname: 'Mbarga',
  defendant_given_names: 'Luc',
  offence: 'theft',
  date_of_judgment: '2026-03-02',
  court: 'Yaoundé',
};

const serverName = 'CJN-TEST';
const centre = { matricule: 'TGI-SYNC-01', centreCode: '100001' };

let t: TestKit;
let server: TestDatabase<ServerDatabase>;
let serverSync: ServerSync;
let sync: RecordSync;
const events: SyncEvent[] = [];
const answers: { kind: string; accepted: boolean; reason: string | null }[] = [];

beforeAll(async () => {
  t = await createTestKit({ recordTypes: [judgment], centre, today: () => '2026-03-15' });
  // The central register holds the same table, as the server's own migrations would make it.
  server = await createTestDatabase<ServerDatabase>({
    migrations: {
      ...serverMigrations,
      '20261207-90-test-judgments': createTablesMigration([judgments]),
      '20261207-91-test-judgments-lifecycle': lifecycleMigration([judgments]),
    },
  });
  await server.db
    .insertInto('xm_system.clients')
    .values({
      matricule: centre.matricule,
      centre_code: centre.centreCode,
      name: 'Tribunal',
      status: 3,
      password_hash: 'not-a-real-hash',
    })
    .execute();

  const {
    server: serverIdentity,
    site: siteIdentity,
    trusting,
  } = await serverAndSite(serverName, centre.matricule);
  serverSync = createServerSync({
    db: server.db,
    serverMatricule: serverName,
    tables: [judgments],
    charging: statusGateOnly,
    codec: createSdcCodec({
      signer: serverIdentity,
      recipient: serverIdentity,
      signers: trusting(siteIdentity.certificate),
      recipientsFor: () => [{ certificate: siteIdentity.certificate }],
      tables: [judgments],
    }),
  });
  const link = createSiteLink({
    matricule: centre.matricule,
    serverName,
    codec: createSdcCodec({
      signer: siteIdentity,
      recipient: siteIdentity,
      signers: trusting(serverIdentity.certificate),
      recipientsFor: () => [{ certificate: serverIdentity.certificate }],
      tables: [judgments],
    }),
  });
  sync = createRecordSync({
    db: t.database.db,
    recordTypes: [judgment],
    link,
    user: 'head',
    resendAfterMs: 0,
    onAnswered: async (_db, answer) => {
      answers.push(answer);
    },
    onEvent: (event) => events.push(event),
  });
}, 120_000);

afterAll(async () => {
  await sync?.stop();
  await t?.close();
  await server?.close();
});

/** What a carrier does: every due item to the server, every reply back to the site. */
async function carry(): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const items = await sync.site.nextItems(100);
    if (items.length === 0) return;
    for (const item of items) {
      await sync.site.markSent(item.id);
      const outcome = await serverSync.applyContainer(item.payload);
      for (const reply of outcome.replies) await sync.receive(reply);
    }
  }
  throw new Error('the outbox does not empty');
}

async function validated(fields: Record<string, unknown> = {}): Promise<RecordRef> {
  const ref = await t.kit.records.draft(t.agent, 'judgment', { ...sampleJudgment, ...fields });
  await t.kit.records.verify(t.secretary, ref);
  await t.kit.records.validate(t.head, testPasswords.head, ref);
  return ref;
}

const statusOf = async (ref: RecordRef) => (await t.kit.records.get(t.agent, ref)).status;
const eventsSince = (start: number) => events.slice(start);

describe('a site synchronised through the kit', () => {
  test('sealed, sent, acknowledged: status 4, history lines with the container, events with refs', async () => {
    const ref = await validated();
    const start = events.length;
    expect(await sync.exportValidated()).toBe(1);
    expect(await statusOf(ref)).toBe(3);
    const sealed = eventsSince(start).find((e) => e.event === 'sealed');
    expect(sealed).toMatchObject({ table: 'judgments', refs: [ref.ref] });
    const container = (sealed as { container: string }).container;

    await carry();
    expect(await statusOf(ref)).toBe(4);
    expect(eventsSince(start).find((e) => e.event === 'exported')).toEqual({
      event: 'exported',
      container,
      refs: [ref.ref],
    });
    const history = await t.kit.records.history(t.agent, ref);
    // `sent` comes from the outbox, not from a history line: its place among same-millisecond lines varies.
    expect(history.map((e) => e.kind).filter((kind) => kind !== 'sent')).toEqual([
      'drafted',
      'verified',
      'validated',
      'sealed',
      'exported',
    ]);
    expect(history.find((e) => e.kind === 'sent')).toMatchObject({ detail: { container, attempts: 1 } });
    expect(history.find((e) => e.kind === 'sealed')).toMatchObject({
      user: 'head',
      workstation: null,
      detail: { container },
    });
    expect(history.find((e) => e.kind === 'exported')).toMatchObject({ user: null, detail: { container } });
    const central = await server.db
      .selectFrom('xm_data.judgments' as never)
      .select(['defendant_surname', 'origin_matricule'] as never)
      .execute();
    expect(central).toEqual([{ defendant_surname: 'Mbarga', origin_matricule: centre.matricule }]);
    expect(await sync.unacknowledged()).toBe(0);
  });

  test("a rejected record comes back to status 1 with the server's reason in its history and the events", async () => {
    // The register knows this site under another centre code: the record's NIU is not the site's there.
    await server.db
      .updateTable('xm_system.clients')
      .set({ centre_code: '999999' })
      .where('matricule', '=', centre.matricule)
      .execute();
    try {
      const ref = await validated({ defendant_surname: 'Ndongo' });
      const start = events.length;
      expect(await sync.exportValidated()).toBe(1);
      await carry();
      expect(await statusOf(ref)).toBe(1);
      const rejected = eventsSince(start).find((e) => e.event === 'rejected');
      expect(rejected).toMatchObject({
        ref: ref.ref,
        reason: 'foreign-niu',
        niu: expect.stringMatching(/^100001-2026-/),
      });
      const history = await t.kit.records.history(t.agent, ref);
      expect(history.at(-1)).toMatchObject({
        kind: 'rejected',
        user: null,
        detail: { reason: 'foreign-niu', container: (rejected as { container: string }).container },
      });
      expect(eventsSince(start).find((e) => e.event === 'exported')).toBeUndefined();
    } finally {
      await server.db
        .updateTable('xm_system.clients')
        .set({ centre_code: centre.centreCode })
        .where('matricule', '=', centre.matricule)
        .execute();
    }
  });

  test('a record whose NIU the server already has loses it, and validated again gets a new one', async () => {
    const ref = await validated({ defendant_surname: 'Fouda' });
    const { niu } = await t.kit.records.get(t.agent, ref);
    // The register already holds that NIU from this site, under another local number.
    await server.db
      .insertInto('xm_data.judgments' as never)
      .values({
        ...sampleJudgment,
        status: 2,
        niu,
        origin_matricule: centre.matricule,
        origin_numero: 9_999,
      } as never)
      .execute();
    const start = events.length;
    await sync.exportValidated();
    await carry();
    expect(eventsSince(start).find((e) => e.event === 'rejected')).toMatchObject({
      ref: ref.ref,
      reason: 'duplicate-niu',
    });
    expect(await t.kit.records.get(t.agent, ref)).toMatchObject({ status: 1, niu: null });
    const again = await t.kit.records.validate(t.head, testPasswords.head, ref);
    expect(again.niu).not.toBe(niu);
    await sync.exportValidated();
    await carry();
    expect(await statusOf(ref)).toBe(4);
  });

  test('an imported record is stored read-only, with its origin, and reported with its ref', async () => {
    await server.db
      .insertInto('xm_data.judgments' as never)
      .values({
        ...sampleJudgment,
        defendant_surname: 'Essomba',
        status: 2,
        niu: '555555-2025-0000009-00',
        origin_matricule: 'TGI-OTHER',
        origin_numero: 9,
      } as never)
      .execute();
    const start = events.length;
    const queued = await sync.requestImport({
      table: 'judgments',
      conditions: [{ field: 'defendant_surname', op: '=', value: 'Essomba' }],
    });
    expect(queued.ok).toBe(true);
    await carry();
    const imported = eventsSince(start).find((e) => e.event === 'imported');
    expect(imported).toMatchObject({
      table: 'judgments',
      stored: 1,
      refused: 0,
      rows: [{ ref: expect.stringMatching(/^J\d+$/), niu: '555555-2025-0000009-00' }],
      more: false,
    });
    const shown = imported as Extract<SyncEvent, { event: 'imported' }>;
    const ref = t.kit.records.parseRef(shown.rows[0]?.ref ?? '') as RecordRef;
    const view = await t.kit.records.get(t.agent, ref);
    expect(view).toMatchObject({ readOnly: true, origin: 'TGI-OTHER', niu: '555555-2025-0000009-00' });
    const edit = await t.kit.records.edit(t.agent, ref, { court: 'Douala' }).catch((error: unknown) => error);
    expect(edit).toBeInstanceOf(SiteKitError);
    expect((edit as SiteKitError).code).toBe('read-only');
    expect((await t.kit.records.history(t.agent, ref)).map((e) => e.kind)).toEqual(['imported']);
    // Never exported again: it is not the site's own.
    expect(await sync.exportValidated()).toBe(0);
  });

  test("the server's answer to a control message goes to onAnswered, then the events", async () => {
    const start = events.length;
    const id = await sync.requestControl({ type: 'no-such-control' });
    await carry();
    const answer = await sync.answerOf(id);
    expect(answer.acknowledged).toBe(true);
    expect(answers.at(-1)).toEqual({
      containerId: answer.containerId,
      kind: 'control',
      accepted: false,
      reason: answer.error,
    });
    expect(answer.error).not.toBeNull();
    expect(eventsSince(start).find((e) => e.event === 'answered')).toEqual({
      event: 'answered',
      container: answer.containerId,
      kind: 'control',
      accepted: false,
      reason: answer.error,
    });
  });
});
