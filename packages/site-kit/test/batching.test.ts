import { startEmbeddedBroker, upTopic } from '@xmcomm/mqtt-transport';
import { date, defineExchangedTable, oneOf, text, workflowColumns } from '@xmcomm/schema';
import { createSdcCodec } from '@xmcomm/status-sync';
import type { Kysely } from 'kysely';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineRecordType } from '../src/index.js';
import { createRecordSync, createSiteLink, type RecordSync, type SiteLink } from '../src/sync.js';
import { createTestKit, type TestKit } from '../src/testing.js';
import { serverAndSite } from './helpers/identities.js';

// The site sizes its containers for its link (`chooseBatch`): through a real broker (Mosquitto in
// MQTT_URL, else the embedded aedes), a long queue goes in few large containers, a single record
// goes at once, a measured slow link makes smaller ones and `maxRows` stays a ceiling. A plain MQTT
// client stands for the server and counts what arrives on the site's up topic.

const cases = defineExchangedTable('cases', {
  party_surname: text({ maxLength: 100, required: true }),
  offence: oneOf(['theft', 'fraud', 'assault'], { required: true }),
  date_of_judgment: date({ required: true }),
  court: text({ maxLength: 100, required: true }),
  ...workflowColumns,
});
const caseType = defineRecordType({
  name: 'case',
  table: cases,
  refLetter: 'C',
  label: { en: 'Case', fr: 'Affaire' },
  title: (row) => String(row.party_surname),
  search: { names: ['party_surname'], places: ['court'] },
  eventDate: 'date_of_judgment',
});

const serverName = 'BATCH-SRV';
const centre = { matricule: 'BATCH-SITE-01', centreCode: '100002' };
const brokerUrl = process.env.MQTT_URL;

let t: TestKit;
let link: SiteLink;
let broker: { url: string; close(): Promise<void> } | undefined;
let listener: mqtt.MqttClient;
const arrivals: { bytes: number; at: number }[] = [];
let numero = 0;

beforeAll(async () => {
  t = await createTestKit({ recordTypes: [caseType], centre, today: () => '2026-03-15' });
  const {
    server: serverIdentity,
    site: siteIdentity,
    trusting,
  } = await serverAndSite(serverName, centre.matricule);
  const trust = trusting(serverIdentity.certificate);
  link = createSiteLink({
    matricule: centre.matricule,
    serverName,
    codec: createSdcCodec({
      signer: siteIdentity,
      recipient: siteIdentity,
      signers: trust,
      recipientsFor: () => [{ certificate: serverIdentity.certificate }],
      tables: [cases],
    }),
  });
  if (!brokerUrl) broker = await startEmbeddedBroker();
  listener = mqtt.connect(brokerUrl ?? (broker as { url: string }).url, {
    clientId: `batching-listener-${process.pid}`,
    protocolVersion: brokerUrl ? 5 : 4,
    reconnectPeriod: 0,
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('connect', () => resolve());
    listener.once('error', reject);
  });
  await listener.subscribeAsync(upTopic(serverName, centre.matricule), { qos: 1 });
  listener.on('message', (_topic, payload) => arrivals.push({ bytes: payload.length, at: Date.now() }));
}, 60_000);

afterAll(async () => {
  await listener?.endAsync();
  await broker?.close();
  await t?.close();
});

/** `count` records validated, as the workflow leaves them (status 2, an NIU). */
async function validatedRecords(count: number): Promise<void> {
  const db = t.database.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const rows = Array.from({ length: count }, () => {
    numero += 1;
    return {
      party_surname: `Party ${numero}`,
      offence: (['theft', 'fraud', 'assault'] as const)[numero % 3],
      date_of_judgment: '2026-03-02',
      court: numero % 2 === 0 ? 'Yaoundé' : 'Douala',
      status: 2,
      niu: `${centre.centreCode}-2026-${String(numero).padStart(6, '0')}`,
    };
  });
  await db.insertInto('xm_data.cases').values(rows).execute();
}

async function startSync(options: { maxRows?: number } = {}): Promise<RecordSync> {
  const sync = createRecordSync({
    db: t.database.db,
    recordTypes: [caseType],
    link,
    broker: { url: brokerUrl ?? (broker as { url: string }).url, protocolVersion: brokerUrl ? 5 : 4 },
    user: 'head',
    // Nothing is sent by the poll: only what exportValidated hands over goes.
    pollMs: 60_000,
    ...options,
    onEvent: () => {},
  });
  sync.start();
  await sync.waitUntil(async () => sync.settled(0), 10_000);
  return sync;
}

/** Rows per container of the outbox items sealed since `afterId`. */
async function sealedSince(afterId: number): Promise<number[]> {
  const items = await t.database.db
    .selectFrom('xm_site.outbox')
    .select(['row_count'])
    .where('id', '>', afterId)
    .orderBy('id')
    .execute();
  return items.map((item) => item.row_count);
}

async function lastOutboxId(): Promise<number> {
  const last = await t.database.db
    .selectFrom('xm_site.outbox')
    .select('id')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last?.id ?? 0;
}

async function arrived(count: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (arrivals.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

async function setEstimate(bytesPerSecond: number, bytesPerRecord: number): Promise<void> {
  for (const [name, value] of [
    ['link-up-bytes-per-second', bytesPerSecond],
    ['link-sealed-millibytes-per-record', bytesPerRecord * 1000],
  ] as const) {
    await t.database.db
      .insertInto('xm_site.counters')
      .values({ name, value })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
      .execute();
  }
}

describe(`containers sized for the link (${brokerUrl ? 'Mosquitto' : 'embedded aedes'})`, () => {
  test('a long queue goes in few large containers, split evenly, not in fifties', async () => {
    await validatedRecords(1000);
    const before = await lastOutboxId();
    const first = await startSync();
    try {
      expect(await first.exportValidated()).toBe(1000);
      expect(await sealedSince(before)).toEqual([500, 500]);
    } finally {
      await first.stop();
    }
    await t.database.db.updateTable('xm_site.outbox').set({ state: 'acknowledged' }).execute();
    await validatedRecords(600);
    const from = await lastOutboxId();
    const sync = await startSync();
    try {
      arrivals.length = 0;
      expect(await sync.exportValidated()).toBe(600);
      // No measurement yet: 15 s of the slowest terminal (28,125 B) at 40 B a record, 703 fit.
      expect(await sealedSince(from)).toEqual([600]);
      await arrived(1);
      expect(arrivals).toHaveLength(1);
    } finally {
      await sync.stop();
    }
  });

  test('a single record goes at once, alone', async () => {
    await validatedRecords(1);
    const from = await lastOutboxId();
    const sync = await startSync();
    try {
      arrivals.length = 0;
      const asked = Date.now();
      expect(await sync.exportValidated()).toBe(1);
      await arrived(1);
      expect(arrivals).toHaveLength(1);
      // Handed to the broker when sealed, not at the next poll (a minute here).
      expect((arrivals[0]?.at ?? Number.POSITIVE_INFINITY) - asked).toBeLessThan(2000);
      expect(await sealedSince(from)).toEqual([1]);
    } finally {
      await sync.stop();
    }
  });

  test('a slow link measured earlier makes smaller containers; maxRows stays a ceiling', async () => {
    // What an earlier run measured: 1,000 B/s and 40 B a record, so 15 s of link is 375 records.
    await setEstimate(1000, 40);
    await validatedRecords(600);
    let from = await lastOutboxId();
    let sync = await startSync();
    try {
      await sync.exportValidated();
      expect(await sealedSince(from)).toEqual([300, 300]);
    } finally {
      await sync.stop();
    }
    await validatedRecords(300);
    from = await lastOutboxId();
    sync = await startSync({ maxRows: 100 });
    try {
      await sync.exportValidated();
      expect(await sealedSince(from)).toEqual([100, 100, 100]);
    } finally {
      await sync.stop();
    }
  });

  test('the broker’s SUBACK is remembered, so that the next process resumes its session without a SUBSCRIBE', async () => {
    const remembered = async () =>
      (
        await t.database.db
          .selectFrom('xm_site.counters')
          .select('value')
          .where('name', '=', 'mqtt-session-subscribed')
          .executeTakeFirst()
      )?.value;
    const sync = await startSync();
    try {
      expect(await sync.waitUntil(async () => Number(await remembered()) === 1, 5000)).toBe(true);
    } finally {
      await sync.stop();
    }
    // The next process is told the session holds the subscription, and its records still go (what
    // earlier tests left unacknowledged, with no server to answer, is taken as answered).
    await t.database.db.updateTable('xm_site.outbox').set({ state: 'acknowledged' }).execute();
    await validatedRecords(1);
    arrivals.length = 0;
    const next = await startSync();
    try {
      expect(await next.exportValidated()).toBe(1);
      await arrived(1);
      expect(arrivals).toHaveLength(1);
    } finally {
      await next.stop();
    }
  });
});
