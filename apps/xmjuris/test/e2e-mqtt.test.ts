import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '@xmcomm/cli-kit/testing';
import { readQrFromPdf, readTrustList, verifySeal } from '@xmcomm/documents';
import { type EmbeddedBroker, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import type { ServerDatabase, SiteDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { insertUser, type SessionUser } from '@xmcomm/site-kit';
import { createLogger, type RunningService, startService, runCli as xmserverCli } from '@xmcomm/xmserver';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { courtKit } from '../src/court.js';
import { jurisMigrations, runCli } from '../src/index.js';
import { kobila } from './fixtures.js';

// End to end over MQTT, in this process: xmserver's service (startService, what `xmserver run` starts)
// and its operator commands, courts on the xmjuris CLI (init, cert import, sync, document-key,
// bulletin) with judgments typed, verified and signed through the site kit. Four courts are at
// status 3 and granted `juris`; a fifth is at status 3 without it. On the machine's PostgreSQL and
// Mosquitto when DATABASE_URL and MQTT_URL are set, else PGlite and the embedded aedes broker.

const mqttUrl = process.env.MQTT_URL;
const serverName = `juris${process.pid}`;
const today = '2026-12-08';
const clerkPassword = 'Greffier-2026!';
const keyPassphrase = 'court key passphrase';
const documentPassphrase = 'document key passphrase';
const supervisor = { XM_USER: 'admin', XM_PASSWORD: 'the supervisor password' };

interface Court {
  readonly matricule: string;
  readonly centreCode: string;
  readonly name: string;
  readonly granted: boolean;
  readonly dir: string;
  readonly database: TestDatabase<SiteDatabase>;
}

let dir: string;
let brokerUrl: string;
let broker: EmbeddedBroker | undefined;
let serverDatabase: TestDatabase<ServerDatabase>;
let service: RunningService | undefined;
const courts: Court[] = [];

const serverData = () => join(dir, 'server');
const logger = () => createLogger('silent', { XM_LOG_FORMAT: 'json' });

async function xmserver(argv: readonly string[], env: NodeJS.ProcessEnv = supervisor) {
  const outcome = await capture((stdout, stderr) =>
    xmserverCli(['--data-dir', serverData(), ...argv], {
      env: { XM_SERVER_NAME: serverName, XDG_CONFIG_HOME: join(dir, 'operator'), ...env },
      cwd: dir,
      stdout: stdout.stream,
      stderr: stderr.stream,
      logger: logger(),
      database: serverDatabase.db,
    }),
  );
  if (outcome.code !== 0) throw new Error(`xmserver ${argv.join(' ')}: ${outcome.stderr}${outcome.stdout}`);
  return outcome;
}

async function xmjuris(court: Court, args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', court.dir, ...args], {
    env: {
      XMJURIS_USER: 'greffier',
      XMJURIS_PASSWORD: clerkPassword,
      XMJURIS_KEY_PASSPHRASE: keyPassphrase,
      XMJURIS_BROKER_URL: brokerUrl,
      XMJURIS_MQTT_VERSION: broker ? '4' : '5',
      ...env,
    },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    today: () => today,
    openDatabase: async () => ({ db: court.database.db, close: async () => {} }),
  });
  return { code, stdout, stderr };
}

/** A court as its clerk and the register's operator set it up: init, client add, enrol, grant, cert import. */
async function setUpCourt(n: number, name: string, granted: boolean): Promise<Court> {
  const matricule = `TGI-E2E-0${n}`;
  const court: Court = {
    matricule,
    centreCode: `20070${n}`,
    name,
    granted,
    dir: join(dir, matricule),
    database: await createTestDatabase<SiteDatabase>({ migrations: jurisMigrations }),
  };
  courts.push(court);
  const pki = join(serverData(), 'pki');
  const init = await xmjuris(
    court,
    [
      'init',
      '--matricule',
      matricule,
      '--centre-code',
      court.centreCode,
      '--name',
      name,
      '--clerk',
      'greffier',
      '--server-cert',
      join(pki, 'server.pem'),
      '--ca-cert',
      join(pki, 'ca.pem'),
    ],
    { XMJURIS_NEW_PASSWORD: clerkPassword },
  );
  expect(init.stderr).toBe('');
  await xmserver([
    'client',
    'add',
    '--name',
    name,
    '--matricule',
    matricule,
    '--centre-code',
    court.centreCode,
  ]);
  const pem = join(dir, `${matricule}.pem`);
  await xmserver(['client', 'enrol', matricule, '--csr', join(court.dir, 'centre.csr.pem'), '--out', pem]);
  if (granted) await xmserver(['client', 'services', matricule, '--grant', 'juris', '--reason', 'court']);
  const imported = await xmjuris(court, ['cert', 'import', pem]);
  expect(imported.stderr).toBe('');
  return court;
}

/** The court's staff: an agent types each judgment, a secretary verifies it, the clerk signs it. */
async function signJudgments(court: Court, judgments: Record<string, unknown>[]): Promise<string[]> {
  const db = court.database.db;
  const kit = courtKit(db, () => today);
  const clerkRow = await db
    .selectFrom('xm_site.users')
    .select(['id', 'login'])
    .where('login', '=', 'greffier')
    .executeTakeFirstOrThrow();
  const clerk: SessionUser = { id: clerkRow.id, login: clerkRow.login, privilege: 3 };
  const agentRow = await insertUser(db, { login: 'agent', privilege: 1, password: 'Agent-2026-pass!' });
  const agent: SessionUser = { id: agentRow.id, login: 'agent', privilege: 1 };
  const secretaryRow = await insertUser(db, { login: 'zambo', privilege: 2, password: 'Secretaire-2026!' });
  const secretary: SessionUser = { id: secretaryRow.id, login: 'zambo', privilege: 2 };
  const nius: string[] = [];
  for (const judgment of judgments) {
    const ref = await kit.records.draft(agent, 'entry', { ...kobila, court_name: court.name, ...judgment });
    await kit.records.verify(secretary, ref);
    const signed = await kit.records.validate(clerk, clerkPassword, ref);
    nius.push(String(signed.niu));
  }
  return nius;
}

const centralised = async (matricule: string) =>
  (
    await serverDatabase.db
      .selectFrom('xm_data.criminal_record_entries')
      .select('niu')
      .where('origin_matricule', '=', matricule)
      .execute()
  ).map((row) => String(row.niu));

// The court's database type knows the contract's tables, not the criminal record's.
const rowsOf = (court: Court) =>
  court.database.db as unknown as Kysely<Record<string, { status: number; origin_matricule: string | null }>>;

const courtStatuses = async (court: Court) =>
  (
    await rowsOf(court)
      .selectFrom('xm_data.criminal_record_entries')
      .select('status')
      .where('origin_matricule', 'is', null)
      .execute()
  ).map((row) => row.status);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xmjuris-e2e-'));
  serverDatabase = await createTestDatabase<ServerDatabase>();
  if (mqttUrl) brokerUrl = mqttUrl;
  else {
    broker = await startEmbeddedBroker();
    brokerUrl = broker.url;
  }
  await xmserver(['init'], { XM_NEW_PASSWORD: 'initial supervisor password' });
  await xmserver(['login'], {
    XM_USER: 'admin',
    XM_PASSWORD: 'initial supervisor password',
    XM_NEW_PASSWORD: supervisor.XM_PASSWORD,
  });
  await xmserver(['logout']);
  service = await startService({
    db: serverDatabase.db,
    dataDir: serverData(),
    env: {},
    serverName,
    broker: { url: brokerUrl },
    shared: mqttUrl !== undefined,
    concurrency: 2,
    housekeepingSeconds: 60,
    metricsPort: null,
    log: logger(),
  });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  for (const court of courts) await court.database.close();
  await broker?.close();
  await serverDatabase?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`XMJuris end to end over MQTT (${mqttUrl ? 'Mosquitto' : 'embedded aedes'}, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  test('three courts centralise their signed judgments once; a fourth prints B3 with only what B3 shows, sealed and verified offline; a court without juris is refused', async () => {
    const garoua = await setUpCourt(1, 'Garoua-Boulai', true);
    const yaounde = await setUpCourt(2, 'Yaoundé', true);
    const douala = await setUpCourt(3, 'Douala', true);
    const bertoua = await setUpCourt(4, 'Bertoua', true);
    const outsider = await setUpCourt(5, 'Kribi', false);

    // Kobila: a serious sentence at Garoua-Boulai (on B3), a short one at Yaoundé (not on B3).
    const [serious] = await signJudgments(garoua, [{}]);
    const [short] = await signJudgments(yaounde, [
      {
        decision_date: '2020-02-02',
        offence_date: '2019-12-01',
        prison_months: 6,
        legal_qualification: 'Outrage à magistrat',
      },
    ]);
    const others = await signJudgments(douala, [
      { person_surname: 'Essomba', person_date_of_birth: '1985-01-02' },
      { person_surname: 'Ndongo', person_date_of_birth: '1979-05-06' },
    ]);
    const refusedNius = await signJudgments(outsider, [{ person_surname: 'Mballa' }]);

    for (const court of [garoua, yaounde, douala]) {
      const synced = await xmjuris(court, ['sync', '--once', '--wait', '30']);
      expect(synced.code, synced.stderr).toBe(0);
      expect(await courtStatuses(court)).toEqual(expect.arrayContaining([4]));
      expect((await courtStatuses(court)).every((status) => status === 4)).toBe(true);
    }
    expect(await centralised(garoua.matricule)).toEqual([serious]);
    expect(await centralised(yaounde.matricule)).toEqual([short]);
    expect((await centralised(douala.matricule)).sort()).toEqual([...others].sort());

    // A resend (a lost PUBACK): the register answers duplicate and stores nothing twice.
    const sent = await douala.database.db.selectFrom('xm_site.outbox').select('payload').execute();
    expect(sent.length).toBeGreaterThan(0);
    for (const { payload } of sent) {
      const again = await service?.sync.applyContainer(payload);
      expect(again?.status).toBe('duplicate');
    }
    expect(await centralised(douala.matricule)).toHaveLength(2);

    // The court without `juris`: its entry is refused, not centralised.
    const held = await xmjuris(outsider, ['--json', 'sync', '--once', '--wait', '30']);
    expect(held.stdout).toContain('service-not-allowed');
    expect(await centralised(outsider.matricule)).toEqual([]);
    expect(refusedNius).toHaveLength(1);

    // Bertoua's document key, registered as a signatory of the court by the register's operator.
    const documentEnv = { XMJURIS_DOCUMENT_KEY_PASSPHRASE: documentPassphrase };
    expect((await xmjuris(bertoua, ['document-key', 'create'], documentEnv)).code).toBe(0);
    const documentPem = join(dir, 'bertoua-document.pem');
    await xmserver([
      'signatory',
      'add',
      '--name',
      'Greffier de Bertoua',
      '--role',
      'clerk',
      '--client',
      bertoua.matricule,
      '--csr',
      join(bertoua.dir, 'document.csr.pem'),
      '--out',
      documentPem,
    ]);
    expect((await xmjuris(bertoua, ['document-key', 'import', documentPem])).code).toBe(0);

    const pdf = join(dir, 'b3.pdf');
    const identity = [
      '--surname',
      'Kobila',
      '--given-names',
      'Mangué',
      '--born',
      '1990-04-17',
      '--born-at',
      'Ekouk',
      '--purpose',
      'demande de la personne',
    ];
    const b3 = await xmjuris(
      bertoua,
      ['bulletin', '--number', '3', ...identity, '--pdf', pdf, '--wait', '30'],
      documentEnv,
    );
    expect(b3.code, b3.stderr).toBe(0);
    expect(b3.stdout).toContain(String(serious));
    for (const leak of [String(short), 'Yaoundé', 'Outrage']) expect(b3.stdout).not.toContain(leak);

    const trustFile = join(dir, 'trust-list.txt');
    await xmserver(['trust-list', 'export', '--out', trustFile]);
    const seal = await readQrFromPdf(pdf);
    const verdict = verifySeal(seal ?? '', readTrustList(await readFile(trustFile, 'utf8')));
    expect(verdict.status === 'VALID' ? 'VALID' : `INVALID ${verdict.reason}`).toBe('VALID');
    if (verdict.status !== 'VALID') return;
    expect(verdict.content.fields.entryNius).toContain(serious);
    expect(verdict.content.fields.entryNius).not.toContain(short);

    // The court without `juris` may not read the register.
    const refused = await xmjuris(outsider, ['bulletin', '--number', '3', ...identity, '--wait', '10']);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).not.toContain(String(serious));
  }, 120_000);
});
