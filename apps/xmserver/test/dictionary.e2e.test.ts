import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import { type EmbeddedBroker, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import { type Dictionary, defineDictionary, dictionaryToJson, type ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { buildDictionary } from '@xmcomm/sdc-codec';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { closeSite, connectSite, draftAct, type Site, workflow } from '../src/demo.js';
import { initialiseServer } from './helpers/operators.js';
import { spawnCli } from './helpers/run.js';

// A deployment with its own dictionary (issue 26): `init --dictionary` records it, `run` packs and
// accepts with it, a site packing with it exchanges acts, a site packing with one the server does
// not accept gets its container refused (`unknown-dictionary`, seen at the site); a bad file is
// refused with exit 78, naming it, in English and French.
const mqttUrl = process.env.MQTT_URL;
let database: TestDatabase<ServerDatabase> | undefined;
let broker: EmbeddedBroker | undefined;
let dir: string;
let env: NodeJS.ProcessEnv;
const sites: Site[] = [];
let service: ChildProcess | undefined;
const serverName = `dict${randomBytes(3).toString('hex')}`;
const cli = (...argv: string[]) => spawnCli(['--data-dir', join(dir, 'data'), ...argv], env, 120_000);
const cliWith = (argv: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
  spawnCli(['--data-dir', join(dir, 'data'), ...argv], { ...env, ...extra }, 120_000);

/** A small dictionary trained on the demo's own acts. */
function trained(name: string): Dictionary {
  const rows = Array.from({ length: 20 }, (_, index) => draftAct(1, index + 1));
  return buildDictionary([{ table: 'births', rows }], { name, maxWords: 30, minCount: 3 }).dictionary;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xms-dict-'));
  if (process.env.DATABASE_URL) database = await createTestDatabase<ServerDatabase>();
  if (!mqttUrl) broker = await startEmbeddedBroker();
  env = {
    XM_SERVER_NAME: serverName,
    XM_BROKER_URL: mqttUrl ?? broker?.url,
    XM_METRICS_PORT: '0',
    XM_HOUSEKEEPING_SECONDS: '10',
    ...(database ? { XM_DATABASE_URL: database.url } : {}),
  };
}, 120_000);

afterAll(async () => {
  service?.kill('SIGKILL');
  for (const site of sites) await closeSite(site);
  await broker?.close();
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

async function enrol(matricule: string): Promise<{ key: string; certificate: string; centreCode: string }> {
  const added = await cli(
    'client',
    'add',
    '--name',
    `Centre ${matricule}`,
    '--matricule',
    matricule,
    '--json',
  );
  expect(added.code).toBe(0);
  const { centreCode } = JSON.parse(added.stdout) as { centreCode: string };
  const key = join(dir, `${matricule}.key`);
  const csr = join(dir, `${matricule}.csr`);
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
  const certificate = join(dir, `${matricule}.pem`);
  expect((await cli('client', 'enrol', matricule, '--csr', csr, '--out', certificate)).code).toBe(0);
  return { key, certificate, centreCode };
}

test('a bad dictionary file is refused with exit 78, naming it, in English and French; nothing is created', async () => {
  const good = defineDictionary('good', ['Ebolowa', 'Kribi']);
  const edited = JSON.parse(dictionaryToJson(good));
  edited.words = ['Ebolowa', 'Kribi', 'Bafia'];
  const cases: [string, string, RegExp, RegExp][] = [
    ['missing.json', '', /cannot be read/, /illisible/],
    [
      'not-json.json',
      'words: Ebolowa',
      /not a dictionary file \(not JSON\)/,
      /pas un fichier de dictionnaire/,
    ],
    ['other.json', '{"kind":"tariff"}', /not a dictionary file/, /pas un fichier de dictionnaire/],
    [
      'edited.json',
      JSON.stringify(edited),
      /do not match its fingerprint/,
      /ne correspondent pas à son empreinte/,
    ],
  ];
  for (const [name, content, english, french] of cases) {
    const path = join(dir, name);
    if (content !== '') await writeFile(path, content);
    const en = await cliWith(['init', '--dictionary', path], {
      XM_NEW_PASSWORD: 'initial supervisor password',
    });
    expect(en.code, name).toBe(78);
    expect(en.stderr).toContain(`--dictionary ${path}`);
    expect(en.stderr).toMatch(english);
    expect(en.stderr).not.toMatch(/\n\s+at /);
    const fr = await cliWith(['--lang', 'fr', 'init', '--accept-dictionary', path], {
      XM_NEW_PASSWORD: 'initial supervisor password',
    });
    expect(fr.code, name).toBe(78);
    expect(fr.stderr).toContain(`--accept-dictionary ${path}`);
    expect(fr.stderr).toMatch(french);
  }
}, 240_000);

test('a server and a site with a trained dictionary exchange acts; a site with another one is refused', async () => {
  const current = trained('cm-ebolowa-2');
  const previous = trained('cm-ebolowa-1');
  const unknown = defineDictionary('elsewhere', [...current.words].reverse());
  await writeFile(join(dir, 'current.json'), dictionaryToJson(current));
  await writeFile(join(dir, 'previous.json'), dictionaryToJson(previous));
  await initialiseServer(cliWith, {
    keepSession: true,
    initArgs: ['--dictionary', join(dir, 'current.json'), '--accept-dictionary', join(dir, 'previous.json')],
  });
  // Shown again by a later init, which changes nothing.
  const again = await cli('init', '--json');
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({
    changed: false,
    dictionaries: { dictionary: { name: 'cm-ebolowa-2', fingerprint: current.fingerprint } },
  });

  const good = await enrol('EBO-1');
  const stranger = await enrol('KRI-1');
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
  await new Promise<void>((resolvePromise, reject) => {
    let out = '';
    service?.stdout?.on('data', (chunk) => {
      out += String(chunk);
      if (out.includes('"running"')) resolvePromise();
    });
    service?.on('exit', (code) => reject(new Error(`run exited ${code}: ${serviceErr}`)));
  });

  const pki = join(dir, 'data', 'pki');
  const connect = async (matricule: string, files: typeof good, dictionary: Dictionary) => {
    const site = await connectSite({
      matricule,
      centreCode: files.centreCode,
      privateKey: await readFile(files.key, 'utf8'),
      certificate: await readFile(files.certificate, 'utf8'),
      caCertificate: await readFile(join(pki, 'ca.pem'), 'utf8'),
      serverCertificate: await readFile(join(pki, 'server.pem'), 'utf8'),
      serverName,
      broker: mqttUrl ? { url: mqttUrl, protocolVersion: 5 } : { url: broker?.url ?? '', protocolVersion: 4 },
      log: pino({ level: 'silent' }),
      dictionary,
    });
    sites.push(site);
    return site;
  };
  const ebolowa = await connect('EBO-1', good, current);
  const kribi = await connect('KRI-1', stranger, unknown);
  for (const site of [ebolowa, kribi]) {
    await workflow(site, 1, 3);
    await site.sync.exportRows();
    site.transport.wake();
  }
  const deadline = Date.now() + 60_000;
  let acknowledged = 0;
  let refused: Awaited<ReturnType<Site['sync']['rejections']>> = [];
  while ((acknowledged < 3 || refused.length < 3) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const rows = await ebolowa.db.selectFrom('xm_data.births').select('status').execute();
    acknowledged = rows.filter((r) => r.status === 4).length;
    refused = await kribi.sync.rejections('births');
  }
  expect(acknowledged).toBe(3);
  expect(refused).toEqual(
    Array.from({ length: 3 }, () =>
      expect.objectContaining({ reason: 'unknown-dictionary', detail: unknown.fingerprint.slice(0, 16) }),
    ),
  );
  const exited = new Promise<number | null>((r) => service?.on('exit', (code) => r(code)));
  service.kill('SIGTERM');
  expect(await exited).toBe(0);
  service = undefined;
  // The server stored the acts of the site that packed with its dictionary, none of the other's.
  const report = await cli('report');
  expect(report.stdout).toMatch(/EBO-1,births,[\d-]+,3/);
  expect(report.stdout).not.toMatch(/KRI-1/);
}, 300_000);

test('a new packing dictionary keeps the one it replaces accepted, so sites still packing with it are not refused', async () => {
  // The server of the test above packs with cm-ebolowa-2 (cm-ebolowa-1 has the same words, so is
  // the same dictionary).
  const base = trained('cm-ebolowa-2');
  const next = defineDictionary('cm-ebolowa-3', [...base.words, 'Ebolowa-Nord']);
  await writeFile(join(dir, 'next.json'), dictionaryToJson(next));
  const changed = await cli('init', '--dictionary', join(dir, 'next.json'), '--json');
  expect(changed.code, changed.stderr).toBe(0);
  const { dictionaries } = JSON.parse(changed.stdout) as {
    dictionaries: { dictionary: { name: string }; accepted: { name: string }[] };
  };
  expect(dictionaries.dictionary.name).toBe('cm-ebolowa-3');
  expect(dictionaries.accepted.map((d) => d.name)).toEqual(['cm-ebolowa-2']);
}, 120_000);
