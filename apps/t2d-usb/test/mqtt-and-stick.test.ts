import { randomBytes } from 'node:crypto';
import {
  type EmbeddedBroker,
  ServerTransport,
  SiteTransport,
  startEmbeddedBroker,
} from '@xmcomm/mqtt-transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMedium } from '../src/transfer/server-ingest.js';
import { exportToMedium } from '../src/transfer/site-export.js';
import { importFromMedium } from '../src/transfer/site-import.js';
import {
  addBirths,
  MATRICULE,
  openWorld,
  SERVER,
  serverBirths,
  siteStatuses,
  type World,
} from './helpers/world.js';

// One site, two carriers: some containers go by stick, others over MQTT (the embedded broker, or
// the machine's Mosquitto with MQTT_URL), one goes both ways. status-sync's outbox and the server's
// idempotent apply make every row land exactly once whichever way it went.

let world: World;
let broker: EmbeddedBroker | undefined;
let url: string;

beforeAll(async () => {
  world = await openWorld();
  if (process.env.MQTT_URL) url = process.env.MQTT_URL;
  else {
    broker = await startEmbeddedBroker();
    url = broker.url;
  }
}, 120_000);

afterAll(async () => {
  await world?.close();
  await broker?.close();
});

async function outboxStates(w: World): Promise<string[]> {
  const rows = await w.site.db.selectFrom('xm_site.outbox').select('state').orderBy('id').execute();
  return rows.map((row) => row.state);
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the same site over MQTT and by stick', () => {
  it('lands every row on the server exactly once and brings every row to 4', async () => {
    const w = world;
    await w.reset({ maxRows: 2 });
    // A topic segment of our own, so a shared Mosquitto's other users never see these messages.
    const topicServer = `t2dtest${randomBytes(4).toString('hex')}`;
    const protocol = broker ? { protocolVersion: 4 as const } : {};

    // 1. By stick: rows 1-4 in two containers; the server applies them, its receipts stay on the stick.
    await addBirths(w, 4, 'STICK');
    const toStick = await exportToMedium({
      sync: w.site.sync,
      medium: w.medium,
      matricule: MATRICULE,
      serverMatricule: SERVER,
      signer: w.site.signer,
    });
    expect(toStick).toMatchObject({ sealed: 2, items: 2, rows: 4 });
    const ingested = await ingestMedium({
      sync: w.server.sync,
      medium: w.medium,
      serverMatricule: SERVER,
      verifier: w.server.verifier,
      signer: w.server.signer,
    });
    expect(ingested).toMatchObject({ applied: 2, rowsAccepted: 4 });

    // 2. Over MQTT: rows 5-8, sealed after the stick left. The stick's items were marked sent and are
    // not due again yet, so the link carries only the new ones.
    await addBirths(w, 4, 'MQTT');
    await w.site.sync.exportRows();
    const carried: string[] = [];
    const server = new ServerTransport({
      url,
      server: topicServer,
      shared: false,
      clientIdPrefix: `${topicServer}-server`,
      sessionExpirySeconds: 0,
      ...protocol,
      handler: {
        onContainer: async (from, payload) => {
          const outcome = await w.server.sync.applyContainer(payload);
          carried.push(`${outcome.status}:${outcome.containerId}`);
          if (outcome.sender === from) for (const reply of outcome.replies) await server.send(from, reply);
        },
      },
    });
    const site = new SiteTransport({
      url,
      server: topicServer,
      matricule: MATRICULE,
      sessionExpirySeconds: 0,
      pollIntervalMs: 100,
      ...protocol,
      outbox: {
        nextBatch: async (limit, exclude) =>
          (await w.site.sync.nextItems(limit + exclude.size))
            .filter((item) => !exclude.has(String(item.id)))
            .slice(0, limit)
            .map((item) => ({ id: String(item.id), payload: item.payload })),
        markSent: (id) => w.site.sync.markSent(Number(id)),
      },
      inbox: {
        store: async (_topic, payload) => {
          await w.site.sync.receive(payload);
        },
      },
    });
    await server.start();
    site.start();
    try {
      await until(async () => (await outboxStates(w)).filter((s) => s === 'acknowledged').length === 2);
      expect(await outboxStates(w)).toEqual(['sent', 'sent', 'acknowledged', 'acknowledged']);
      // Each container applied once; MQTT may deliver one again (QoS 1, or a resend that crossed its
      // receipt on a loaded machine), which the server recognises as a duplicate.
      const outcomes = carried.map((c) => c.split(':')[0]);
      expect(outcomes.filter((o) => o === 'applied')).toHaveLength(2);
      expect(outcomes.filter((o) => o !== 'applied' && o !== 'duplicate')).toEqual([]);
      expect(new Set(carried.filter((c) => c.startsWith('applied:'))).size).toBe(2);
      expect(await siteStatuses(w)).toEqual([3, 3, 3, 3, 4, 4, 4, 4]);

      // 3. The first stick container's backoff runs out before the stick comes back: MQTT sends it
      // again; the server recognises it and answers with the same receipt, storing nothing twice.
      const [first] = await w.site.db.selectFrom('xm_site.outbox').select('id').orderBy('id').execute();
      await w.site.db
        .updateTable('xm_site.outbox')
        .set({ next_attempt_at: new Date(Date.now() - 1000) as never })
        .where('id', '=', (first as { id: number }).id)
        .execute();
      site.wake();
      await until(async () => (await outboxStates(w))[0] === 'acknowledged');
      expect(carried.map((c) => c.split(':')[0])).toEqual(['applied', 'applied', 'duplicate']);
    } finally {
      await site.stop();
      await server.stop();
    }

    // 4. The stick comes back: the second receipt is new, the first one a duplicate of what MQTT brought.
    const back = await importFromMedium({
      db: w.site.db,
      sync: w.site.sync,
      medium: w.medium,
      matricule: MATRICULE,
      serverMatricule: SERVER,
      verifier: w.site.verifier,
    });
    expect(back).toMatchObject({ applied: { receipt: 1 }, duplicates: 1, stillWaiting: 0, refused: {} });

    expect(await siteStatuses(w)).toEqual([4, 4, 4, 4, 4, 4, 4, 4]);
    const rows = await serverBirths(w);
    expect(rows.map((row) => row.origin_numero)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(rows.map((row) => row.niu)).size).toBe(8);
    const received = await w.server.db
      .selectFrom('xm_system.received_containers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(received.n)).toBe(4);
  }, 90_000);
});
