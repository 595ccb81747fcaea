import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedBroker, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import { TrustStore } from '@xmcomm/pki';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { createSdcCodec } from '@xmcomm/status-sync';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { closeSite, connectSite, type Site } from '../src/demo.js';
import { asSupervisor, initialiseServer } from './helpers/operators.js';
import { runInProcess } from './helpers/run.js';

// The server speaks first: `client message` and `client profile` seal a control container with
// status-sync's server side and publish it down; a site (status-sync's site side, in-process, on
// the embedded broker) stores it in its inbox.
const serverName = 'msgsrv';
let broker: EmbeddedBroker;
let database: TestDatabase<ServerDatabase>;
let dir: string;
let site: Site | undefined;
let siteKey: string;
let siteCertificate: string;
const env = () => ({ ...asSupervisor, XM_SERVER_NAME: serverName, XM_BROKER_URL: broker.url });
const run = (argv: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
  runInProcess(['--data-dir', join(dir, 'data'), ...argv], {
    database: database.db,
    env: { ...env(), ...extra },
  });

async function until<T>(probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('not in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  broker = await startEmbeddedBroker();
  database = await createTestDatabase<ServerDatabase>();
  dir = await mkdtemp(join(tmpdir(), 'xms-msg-'));
  await initialiseServer(run);
  for (const m of ['MSG-1', 'MSG-2'])
    expect(
      (await run(['client', 'add', '--name', `Centre ${m}`, '--matricule', m, '--region', 'Sud'])).code,
    ).toBe(0);
  const key = join(dir, 'site.key');
  const csr = join(dir, 'site.csr');
  execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    key,
  ]);
  execFileSync('openssl', ['req', '-new', '-key', key, '-subj', '/CN=MSG-1', '-out', csr]);
  expect((await run(['client', 'enrol', 'MSG-1', '--csr', csr, '--out', join(dir, 'site.pem')])).code).toBe(
    0,
  );
  siteKey = await readFile(key, 'utf8');
  siteCertificate = await readFile(join(dir, 'site.pem'), 'utf8');
  const pki = join(dir, 'data', 'pki');
  site = await connectSite({
    matricule: 'MSG-1',
    centreCode: 'unused',
    privateKey: siteKey,
    certificate: siteCertificate,
    caCertificate: await readFile(join(pki, 'ca.pem'), 'utf8'),
    serverCertificate: await readFile(join(pki, 'server.pem'), 'utf8'),
    serverName,
    broker: { url: broker.url, protocolVersion: 4 },
    log: pino({ level: 'silent' }),
  });
}, 120_000);

afterAll(async () => {
  if (site) await closeSite(site);
  await broker?.close();
  await database?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('client message reaches the site inbox, signed by the server and readable only with the site key', async () => {
  const text = 'Maintenance du serveur samedi 02:00-04:00 UTC. Merci.';
  const outcome = await run(['client', 'message', 'MSG-1', '--text', text, '--mqtt3', '--json']);
  expect(outcome.code).toBe(0);
  expect(JSON.parse(outcome.stdout)).toMatchObject({
    matricule: 'MSG-1',
    sent: 'message',
    topic: `xm/v1/${serverName}/down/MSG-1`,
  });
  const stored = await until(async () =>
    site?.db
      .selectFrom('xm_site.inbox')
      .select(['kind', 'payload', 'applied_at'])
      .where('kind', '=', 'control')
      .executeTakeFirst(),
  );
  expect(stored.applied_at).not.toBeNull();
  // Opened as the site would: its own key, the server's certificate trusted through the national CA.
  const trust = new TrustStore();
  trust.addTrustAnchor(await readFile(join(dir, 'data', 'pki', 'ca.pem'), 'utf8'));
  trust.registerCertificate(await readFile(join(dir, 'data', 'pki', 'server.pem'), 'utf8'), {
    matricule: serverName,
  });
  const siteIdentity = { privateKey: siteKey, certificate: siteCertificate };
  const codec = createSdcCodec({
    signer: siteIdentity,
    recipient: siteIdentity,
    signers: trust,
    recipientsFor: async () => [{ certificate: siteCertificate }],
  });
  const opened = await codec.open(new Uint8Array(stored.payload));
  if (!opened.ok) throw new Error(opened.error.message);
  expect(opened.value.header.sender).toBe(serverName);
  expect(opened.value.body).toMatchObject({ kind: 'control', message: { type: 'message', text } });
  const audit = await database.db
    .selectFrom('xm_system.audit_log')
    .selectAll()
    .where('action', '=', 'client.message')
    .execute();
  expect(audit).toHaveLength(1);
  expect(JSON.stringify(audit[0])).not.toContain('Maintenance');
}, 60_000);

test('client profile gives the site its profile as the register holds it', async () => {
  expect((await run(['client', 'update', 'MSG-1', '--locality', 'Kribi'])).code).toBe(0);
  const outcome = await run(['client', 'profile', 'MSG-1', '--mqtt3']);
  expect(outcome.code).toBe(0);
  const profile = await until(async () => {
    const row = await site?.db
      .selectFrom('xm_site.settings')
      .select('value')
      .where('key', '=', 'status-sync.profile')
      .executeTakeFirst();
    if (!row) return undefined;
    // jsonb: a parsed value on PGlite and pg, text elsewhere.
    return typeof row.value === 'string' ? JSON.parse(row.value) : row.value;
  });
  expect(profile).toMatchObject({
    matricule: 'MSG-1',
    name: 'Centre MSG-1',
    region: 'Sud',
    locality: 'Kribi',
    status: 3,
  });
}, 60_000);

test('credit and status changes tell the site its account: acts held for the account go again', async () => {
  // The site's acts were refused for want of credit: they wait, validated, behind the hold.
  await site?.db
    .insertInto('xm_site.settings')
    .values({
      key: 'status-sync.hold',
      value: JSON.stringify({
        reason: 'insufficient-credit',
        detail: null,
        since: new Date().toISOString(),
        containerId: 'x',
      }),
    })
    .execute();
  expect(await site?.sync.hold()).toMatchObject({ reason: 'insufficient-credit' });
  const credited = await run(['client', 'credit', 'MSG-1', '5000', '--json']);
  expect(credited.code).toBe(0);
  expect(JSON.parse(credited.stdout)).toMatchObject({ matricule: 'MSG-1', told: true });
  await until(async () => ((await site?.sync.hold()) === null ? true : undefined));
  const account = await site?.db
    .selectFrom('xm_site.settings')
    .select('value')
    .where('key', '=', 'status-sync.account')
    .executeTakeFirstOrThrow();
  const value = typeof account?.value === 'string' ? JSON.parse(account.value) : account?.value;
  expect(value).toMatchObject({ matricule: 'MSG-1', status: 3, balance: 5000 });

  // A site without a certificate cannot be told: the change is made, the command says so.
  const other = await run(['--lang', 'fr', 'client', 'set-status', 'MSG-2', '2']);
  expect(other.code).toBe(0);
  expect(other.stdout).toContain("n'a pas pu être prévenu");
}, 60_000);

test('refusals: empty text (64), unknown client (68), no certificate (65), suspended client (64), no broker (78)', async () => {
  expect((await run(['client', 'message', 'MSG-1', '--text', '  ', '--mqtt3'])).code).toBe(64);
  expect((await run(['client', 'message', 'MSG-1', '--text', 'x'.repeat(2001), '--mqtt3'])).code).toBe(64);
  expect((await run(['client', 'message', 'NOPE-9', '--text', 'hello', '--mqtt3'])).code).toBe(68);
  expect((await run(['client', 'message', 'MSG-2', '--text', 'hello', '--mqtt3'])).code).toBe(65);
  expect((await run(['client', 'set-status', 'MSG-1', '0'])).code).toBe(0);
  expect((await run(['client', 'profile', 'MSG-1', '--mqtt3'])).code).toBe(64);
  expect((await run(['client', 'set-status', 'MSG-1', '3'])).code).toBe(0);
  // A server set up without a broker: init kept the one it was given, so take it out of the file.
  const settingsFile = join(dir, 'data', 'xmserver.json');
  const { brokerUrl: _kept, ...settings } = JSON.parse(await readFile(settingsFile, 'utf8'));
  await writeFile(settingsFile, JSON.stringify(settings));
  const noBroker = await runInProcess(
    ['--data-dir', join(dir, 'data'), 'client', 'message', 'MSG-1', '--text', 'hi'],
    {
      database: database.db,
      env: { ...asSupervisor, XM_SERVER_NAME: serverName },
    },
  );
  expect(noBroker.code).toBe(78);
}, 60_000);

test('trust-list send: the site keeps the list the server exported; a file that is no trust list is refused', async () => {
  const file = join(dir, 'trust-list.txt');
  expect((await run(['trust-list', 'export', '--out', file])).code).toBe(0);
  const outcome = await run(['trust-list', 'send', file, '--client', 'MSG-1', '--mqtt3', '--json']);
  expect(outcome.code).toBe(0);
  expect(JSON.parse(outcome.stdout)).toMatchObject({ matricule: 'MSG-1', sent: 'trust-list', sequence: 1 });
  const kept = await until(async () =>
    site?.db
      .selectFrom('xm_site.settings')
      .select('value')
      .where('key', '=', 'status-sync.trust-list')
      .executeTakeFirst(),
  );
  const value = (typeof kept.value === 'string' ? JSON.parse(kept.value) : kept.value) as {
    sequence: number;
    list: string;
  };
  expect(value.sequence).toBe(1);
  expect(value.list).toBe(await readFile(file, 'utf8'));
  await writeFile(join(dir, 'not-a-list.txt'), 'hello');
  expect(
    (await run(['trust-list', 'send', join(dir, 'not-a-list.txt'), '--client', 'MSG-1', '--mqtt3'])).code,
  ).toBe(64);
}, 60_000);
