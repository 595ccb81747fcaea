import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { balanceOf, setTariff } from '@xmcomm/billing';
import { type EmbeddedBroker, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { closeSite, connectSite, type Site, workflow } from '../src/demo.js';
import { type RunningService, startService } from '../src/service.js';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// The service as `xmserver run` starts it (startService, the command's own entry point), with two
// enrolled sites over a broker: billing charges what it centralises, once; an account without credit
// gets insufficient-credit; an import request gets its answer. On the machine's PostgreSQL and
// Mosquitto when DATABASE_URL and MQTT_URL are set, else PGlite and the embedded broker.
const mqttUrl = process.env.MQTT_URL;
const serverName = `svc${process.pid}`;
const perRow = 25;
let database: TestDatabase<ServerDatabase>;
let broker: EmbeddedBroker | undefined;
let dir: string;
let service: RunningService | undefined;
const sites: Site[] = [];
const run = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', join(dir, 'data'), ...argv], {
    database: database.db,
    env: { ...asSupervisor, XM_SERVER_NAME: serverName, ...env },
  });

async function enrolledSite(matricule: string): Promise<Site> {
  const centreCode = matricule.replace(/-/g, '');
  expect(
    (
      await run([
        'client',
        'add',
        '--name',
        `Centre ${matricule}`,
        '--matricule',
        matricule,
        '--centre-code',
        centreCode,
      ])
    ).code,
  ).toBe(0);
  const key = join(dir, `${matricule}.key`);
  const csr = join(dir, `${matricule}.csr`);
  const pem = join(dir, `${matricule}.pem`);
  execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    key,
  ]);
  execFileSync('openssl', ['req', '-new', '-key', key, '-subj', `/CN=${matricule}`, '-out', csr]);
  expect((await run(['client', 'enrol', matricule, '--csr', csr, '--out', pem])).code).toBe(0);
  const pki = join(dir, 'data', 'pki');
  const site = await connectSite({
    matricule,
    centreCode,
    privateKey: await readFile(key, 'utf8'),
    certificate: await readFile(pem, 'utf8'),
    caCertificate: await readFile(join(pki, 'ca.pem'), 'utf8'),
    serverCertificate: await readFile(join(pki, 'server.pem'), 'utf8'),
    serverName,
    broker: mqttUrl ? { url: mqttUrl, protocolVersion: 5 } : { url: broker?.url ?? '', protocolVersion: 4 },
    log: pino({ level: 'silent' }),
  });
  sites.push(site);
  return site;
}

async function until(what: string, condition: () => Promise<boolean>, site: Site): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not in time`);
    site.transport.wake();
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
}

const statuses = async (site: Site) =>
  (
    await site.db
      .selectFrom('xm_data.births')
      .select('status')
      .where('origin_matricule', 'is', null)
      .execute()
  ).map((row) => row.status);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xms-svc-'));
  database = await createTestDatabase<ServerDatabase>();
  if (!mqttUrl) broker = await startEmbeddedBroker();
  await initialiseServer(run);
  await setTariff(database.db, { service: 'sds-export', perRow });
  service = await startService({
    db: database.db,
    dataDir: join(dir, 'data'),
    env: {},
    serverName,
    broker: { url: mqttUrl ?? broker?.url ?? '' },
    shared: mqttUrl !== undefined,
    concurrency: 3,
    housekeepingSeconds: 60,
    metricsPort: null,
    log: pino({ level: 'silent' }),
  });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  for (const site of sites) await closeSite(site);
  await broker?.close();
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

test('a credited site: its acts are centralised and charged once, a re-delivery charges nothing', async () => {
  const site = await enrolledSite('PAY-1');
  expect((await run(['client', 'credit', 'PAY-1', '1000', '--reference', 'REC-1'])).code).toBe(0);
  await workflow(site, 1, 3);
  await site.sync.exportRows();
  const [item] = await site.sync.nextItems();
  if (!item) throw new Error('nothing sealed');
  site.transport.wake();
  await until('receipts', async () => (await statuses(site)).every((s) => s === 4), site);
  expect(await statuses(site)).toEqual([4, 4, 4]);
  expect((await balanceOf(database.db, { matricule: 'PAY-1' }))?.balance).toBe(1000 - 3 * perRow);

  // The broker delivers it again (a lost PUBACK): the same receipt, nothing stored or charged twice.
  const again = await service?.sync.applyContainer(item.payload);
  expect(again?.status).toBe('duplicate');
  expect((await balanceOf(database.db, { matricule: 'PAY-1' }))?.balance).toBe(1000 - 3 * perRow);
  const stored = await database.db
    .selectFrom('xm_data.births')
    .select('origin_numero')
    .where('origin_matricule', '=', 'PAY-1')
    .execute();
  expect(stored).toHaveLength(3);
}, 60_000);

test('a site without credit gets insufficient-credit and holds its acts; its import request is answered', async () => {
  const site = await enrolledSite('POOR-1');
  await workflow(site, 2, 2);
  await site.sync.exportRows();
  site.transport.wake();
  await until('the refusal', async () => (await site.sync.hold()) !== null, site);
  expect(await site.sync.hold()).toMatchObject({ reason: 'insufficient-credit' });
  expect(await site.sync.rejections()).toEqual([]);
  // Kept for the console's dashboard, by reason.
  expect(
    await database.db
      .selectFrom('xm_system.refusals')
      .select(['scope', 'reason', 'rows'])
      .where('sender_matricule', '=', 'POOR-1')
      .execute(),
  ).toEqual([{ scope: 'rows', reason: 'insufficient-credit', rows: 2 }]);
  expect(await statuses(site)).toEqual([2, 2]);
  expect(
    await database.db
      .selectFrom('xm_data.births')
      .select('numero')
      .where('origin_matricule', '=', 'POOR-1')
      .execute(),
  ).toHaveLength(0);

  // Imports are free here (no sds-import tariff): the three births PAY-1 centralised come back.
  const requested = await site.sync.requestImport({ table: 'births', conditions: [] });
  expect(requested.ok).toBe(true);
  site.transport.wake();
  const imported = () =>
    site.db
      .selectFrom('xm_data.births')
      .select(['origin_matricule', 'status'])
      .where('origin_matricule', '=', 'PAY-1')
      .execute();
  await until('the import response', async () => (await imported()).length === 3, site);
  expect((await imported()).every((row) => row.status === 2)).toBe(true);
}, 60_000);
