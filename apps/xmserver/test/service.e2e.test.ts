import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import { type EmbeddedBroker, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { closeSite, connectSite, type Site, workflow } from '../src/demo.js';
import { initialiseServer } from './helpers/operators.js';
import { spawnCli } from './helpers/run.js';

// The operator's path with spawned processes: init, register and enrol a client, run the service,
// receive a site's containers, stop with SIGTERM, then monitor and report. On the machine's
// PostgreSQL and Mosquitto when DATABASE_URL and MQTT_URL are set, else an embedded database
// directory and an in-process broker.
const mqttUrl = process.env.MQTT_URL;
let database: TestDatabase<ServerDatabase> | undefined;
let broker: EmbeddedBroker | undefined;
let dir: string;
let env: NodeJS.ProcessEnv;
let site: Site | undefined;
let service: ChildProcess | undefined;
const serverName = `e2e${randomBytes(3).toString('hex')}`;
const cli = (...argv: string[]) => spawnCli(['--data-dir', join(dir, 'data'), ...argv], env, 120_000);
const cliWith = (argv: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
  spawnCli(['--data-dir', join(dir, 'data'), ...argv], { ...env, ...extra }, 120_000);

function freePort(): Promise<number> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePromise(port));
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xms-e2e-'));
  if (process.env.DATABASE_URL) database = await createTestDatabase<ServerDatabase>();
  if (!mqttUrl) broker = await startEmbeddedBroker();
  // No XM_USER nor XM_PASSWORD: the operator logs in once, and each process finds the session.
  env = {
    XM_SERVER_NAME: serverName,
    XM_BROKER_URL: mqttUrl ?? broker?.url,
    XM_METRICS_PORT: String(await freePort()),
    XM_HOUSEKEEPING_SECONDS: '10',
    ...(database ? { XM_DATABASE_URL: database.url } : {}),
  };
}, 120_000);

afterAll(async () => {
  service?.kill('SIGKILL');
  if (site) await closeSite(site);
  await broker?.close();
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

test('init, login, client add and enrol, run, receive a site, SIGTERM, monitor and report', async () => {
  await initialiseServer(cliWith, { keepSession: true });
  const added = await cli('client', 'add', '--name', 'Centre Ebolowa', '--matricule', 'EBO-1', '--json');
  expect(added.code).toBe(0);
  // Given the next free code: the site's NIUs begin with it.
  const { centreCode } = JSON.parse(added.stdout) as { centreCode: string };
  expect(centreCode).toMatch(/^\d{6}$/);
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
  execFileSync('openssl', ['req', '-new', '-key', key, '-subj', '/CN=EBO-1', '-out', csr]);
  const enrolled = await cli('client', 'enrol', 'EBO-1', '--csr', csr, '--out', join(dir, 'site.pem'));
  expect(enrolled.code).toBe(0);

  const root = fileURLToPath(new URL('../../../', import.meta.url));
  service = spawn(
    process.execPath,
    [
      ...entryArguments('apps/xmserver/src/cli.ts', root),
      '--data-dir',
      join(dir, 'data'),
      'run',
      '--json',
      ...(mqttUrl ? [] : ['--embedded-broker']),
    ],
    {
      cwd: root,
      env: { PATH: process.env.PATH, XM_LOG_FORMAT: 'json', XM_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let serviceErr = '';
  service.stderr?.on('data', (chunk) => {
    serviceErr += String(chunk);
  });
  const started = await new Promise<{ metrics: string }>((resolvePromise, reject) => {
    let out = '';
    service?.stdout?.on('data', (chunk) => {
      out += String(chunk);
      const line = out.split('\n').find((l) => l.includes('"running"'));
      if (line) resolvePromise(JSON.parse(line));
    });
    service?.on('exit', (code) => reject(new Error(`run exited ${code}: ${serviceErr}`)));
  });
  const health = await fetch(`${started.metrics}/healthz`);
  expect(health.status).toBe(200);

  const pki = join(dir, 'data', 'pki');
  site = await connectSite({
    matricule: 'EBO-1',
    centreCode,
    privateKey: await readFile(key, 'utf8'),
    certificate: await readFile(join(dir, 'site.pem'), 'utf8'),
    caCertificate: await readFile(join(pki, 'ca.pem'), 'utf8'),
    serverCertificate: await readFile(join(pki, 'server.pem'), 'utf8'),
    serverName,
    broker: mqttUrl ? { url: mqttUrl, protocolVersion: 5 } : { url: broker?.url ?? '', protocolVersion: 4 },
    log: pino({ level: 'silent' }),
  });
  await workflow(site, 1, 3);
  await site.sync.exportRows();
  site.transport.wake();
  const deadline = Date.now() + 60_000;
  let acknowledged = 0;
  while (acknowledged < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const rows = await site.db.selectFrom('xm_data.births').select('status').execute();
    acknowledged = rows.filter((r) => r.status === 4).length;
  }
  expect(acknowledged).toBe(3);

  const metrics = await (await fetch(`${started.metrics}/metrics`)).text();
  expect(metrics).toMatch(/xmserver_containers_total\{status="applied"\} 1/);
  expect(metrics).toMatch(/xmserver_rows_total\{outcome="accepted"\} 3/);

  const exited = new Promise<number | null>((resolvePromise) =>
    service?.on('exit', (code) => resolvePromise(code)),
  );
  service.kill('SIGTERM');
  expect(await exited).toBe(0);
  service = undefined;

  const monitor = await cli('monitor', '--json');
  expect(monitor.code).toBe(0);
  const snapshot = JSON.parse(monitor.stdout);
  expect(snapshot.sites).toEqual([
    expect.objectContaining({
      matricule: 'EBO-1',
      containersIn: 1,
      containersOut: 1,
      rowsAccepted: 3,
      rowsRejected: 0,
      gaps: 0,
    }),
  ]);
  const report = await cli('report');
  expect(report.stdout.split('\n')).toContain(`EBO-1,births,${new Date().toISOString().slice(0, 10)},3`);
  const unknown = await cli('client', 'show', 'NOPE-2');
  expect(unknown.code).toBe(68);
  const audit = JSON.parse((await cli('audit', '--target', 'EBO-1', '--json')).stdout);
  expect(audit.map((e: { operator: string }) => e.operator)).toEqual(['admin', 'admin']);
  expect((await cli('logout')).code).toBe(0);
  expect((await cli('monitor')).code).toBe(80);
}, 240_000);
