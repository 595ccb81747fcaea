// The server side of bench/monitor.ts, in a process of its own as `xmserver run` is: sites registered
// with certificates, small containers (one birth act each, real CMS: signed and encrypted) sealed
// beforehand, then applied through status-sync's applyBatch (the path `xmserver run` takes, billing
// charged) at a paced rate. Talks to its parent in JSON lines on stdout; `go` on stdin starts it.
import { createInterface } from 'node:readline';
import { credit, setTariff, syncCharging } from '@xmcomm/billing';
import { openDatabase, type ServerDatabase } from '@xmcomm/schema';
import { centreCodeOf, createActGenerator, travellingRow } from '@xmcomm/schema/testing';
import { createServerSync } from '@xmcomm/status-sync';
import {
  issueIdentities,
  registerCertificate,
  serverCodec,
  siteCodec,
} from '../../../packages/status-sync/test/helpers/identities.js';

const url = process.env.BENCH_TARGET ?? '';
const sites = Number(process.env.BENCH_SITES ?? 200);
const rate = Number(process.env.BENCH_RATE ?? 1000);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const maxBatch = Number(process.env.BENCH_BATCH ?? 64);
const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);

const db = await openDatabase<ServerDatabase>(url, { maxConnections: 4 });
try {
  const matricules = Array.from({ length: sites }, (_, i) => `MON-${String(i + 1).padStart(4, '0')}`);
  const ids = await issueIdentities('XMSERVER', matricules);
  // Registered in SQL as the console bench does: the edition's limit (10 without a licence) is not
  // what is measured here.
  for (const site of ids.sites) {
    const { id } = await db
      .insertInto('xm_system.clients')
      .values({
        matricule: site.matricule,
        centre_code: centreCodeOf(site.matricule),
        name: `Bench ${site.matricule}`,
        password_hash: 'x',
        status: 3,
        must_change_password: false,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('xm_system.accounts')
      .values({ client_id: id } as never)
      .execute();
    await credit(db, { clientId: id, amount: 1_000_000_000, actor: 'bench', reason: 'Recharge' });
    await registerCertificate(db, site, ids);
  }
  await setTariff(db, { service: 'sds-export', perRow: 25 });
  const server = createServerSync({
    db,
    codec: await serverCodec(db, ids),
    serverMatricule: 'XMSERVER',
    charging: syncCharging('bench-monitor'),
  });
  const codecs = ids.sites.map((site) => ({ matricule: site.matricule, codec: siteCodec(site, ids) }));
  const birthAct = createActGenerator(21);
  const total = rate * seconds;
  const containers: Uint8Array[] = [];
  const sealStarted = performance.now();
  for (let i = 0; i < total; i++) {
    const { matricule, codec } = codecs[i % codecs.length] as (typeof codecs)[number];
    const sequence = Math.floor(i / codecs.length) + 1;
    const sealed = await codec.seal({
      sender: matricule,
      recipient: null,
      sequence,
      table: 'births',
      body: { kind: 'rows', rows: [travellingRow(birthAct(matricule, i + 1), i + 1)] },
    });
    containers.push(sealed.bytes);
  }
  const bytes = containers.reduce((sum, c) => sum + c.byteLength, 0);
  say({
    ready: true,
    containers: total,
    averageBytes: Math.round(bytes / total),
    sealSeconds: (performance.now() - sealStarted) / 1000,
  });
  await new Promise<void>((resolve) =>
    createInterface({ input: process.stdin }).once('line', () => resolve()),
  );

  // Paced: at each turn, what is due by now (rate x elapsed) and not yet applied, in batches of up to
  // maxBatch, two batches in flight as `xmserver run` keeps its connections busy.
  const started = performance.now();
  let next = 0;
  let accepted = 0;
  const worker = async () => {
    while (next < containers.length) {
      const due = Math.min(containers.length, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
      if (next >= due) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const batch = containers.slice(next, Math.min(due, next + maxBatch));
      next += batch.length;
      for (const outcome of await server.applyBatch(batch)) accepted += outcome.accepted;
    }
  };
  await Promise.all([worker(), worker()]);
  const elapsed = (performance.now() - started) / 1000;
  say({ done: true, applied: total, accepted, seconds: elapsed, rate: total / elapsed });
} finally {
  await db.destroy();
}
