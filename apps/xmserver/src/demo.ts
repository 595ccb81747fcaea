import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credit, setTariff } from '@xmcomm/billing';
import {
  type BrokerOptions,
  type EmbeddedBroker,
  SiteTransport,
  startEmbeddedBroker,
} from '@xmcomm/mqtt-transport';
import { exportPrivateKey, generateKeyPair, hashPassword, TrustStore } from '@xmcomm/pki';
import {
  births,
  cameroonDictionary,
  type Dictionary,
  migrateToLatest,
  openDatabase,
  type SiteDatabase,
  serverMigrations,
  siteMigrations,
  validateRow,
} from '@xmcomm/schema';
import { createSdcCodec, createSiteSync, outboxSource, type SiteSync } from '@xmcomm/status-sync';
import type { Kysely } from 'kysely';
import { addClient, initialClientPassword } from './clients.js';
import { isInitialised, type ServerDb } from './database.js';
import { XmServerError } from './errors.js';
import type { Logger } from './logger.js';
import { certificateFromDer, ensureIdentity, openIdentity, recordCertificate } from './pki-store.js';

/** What the demo charges per act centralised, in XAF, so that its accounts show real movements. */
export const demoTariffPerAct = 100;

import { type RunningService, startService } from './service.js';
import { addUser } from './users.js';

export interface DemoOptions {
  readonly sites: number;
  readonly acts: number;
  /** Keep the server's data (embedded database, CA) here; a temporary directory otherwise. */
  readonly dataDir?: string | undefined;
  readonly timeoutMs: number;
  readonly log: Logger;
  /** Progress lines for a person watching. */
  readonly progress: (line: string) => void;
  /**
   * Called once the batch is tallied, with the server, broker and service still running; they stop
   * when it returns (`npm run demo` serves a real centre's workstation UI meanwhile).
   */
  readonly whileRunning?: ((server: DemoServer, result: DemoResult) => Promise<void>) | undefined;
}

/** The running demo server, as a real centre (ecr) needs it: registered, certified, reachable. */
export interface DemoServer {
  readonly serverName: string;
  readonly brokerUrl: string;
  readonly caPem: string;
  readonly serverCertificatePem: string;
  /** Registers a centre as `client add` does (active, credited like the simulated ones). */
  addCentre(input: { readonly matricule: string; readonly name: string }): Promise<{ centreCode: string }>;
  /** Certifies the centre's key from its PKCS#10 request (PEM), as `client enrol` does. */
  enrolCentre(matricule: string, csrPem: string): Promise<string>;
}

/**
 * The original's trial user, in the demo only: login `mbome`, password `zzzz`, a supervisor who
 * must change the password at first login. A real server's first supervisor comes from `init`.
 */
export const demoUser = {
  login: 'mbome',
  displayName: 'Mbome François',
  password: 'zzzz',
  privilege: 3,
} as const;

async function addTrialUser(db: ServerDb): Promise<void> {
  const exists = await db
    .selectFrom('xm_system.users')
    .select('id')
    .where('login', '=', demoUser.login)
    .executeTakeFirst();
  if (exists) return;
  await addUser(db, {
    login: demoUser.login,
    displayName: demoUser.displayName,
    privilege: demoUser.privilege,
    passwordHash: await hashPassword(demoUser.password),
    mustChangePassword: true,
  });
}

/**
 * The demo writes trial data (its sites, the trial supervisor with a published password): a data
 * directory that holds a real server, as `XM_DATA_DIR` may name, is refused before anything is written.
 */
async function refuseRealServer(db: ServerDb, dataDir: string): Promise<void> {
  if (!(await isInitialised(db))) return;
  const row = await db
    .selectFrom('xm_system.settings')
    .select('value')
    .where('key', '=', 'server')
    .executeTakeFirstOrThrow();
  if ((row.value as { demo?: unknown } | null)?.demo === true) return;
  throw new XmServerError('invalid-argument', 'not a demo directory', {
    params: {
      name: '--data-dir',
      value: dataDir,
      hint: 'It holds a real server: the demo needs a directory of its own (or none: a temporary one).',
      hintFr:
        "Il contient un vrai serveur : la démo a besoin d'un répertoire à elle (ou d'aucun : un temporaire).",
    },
  });
}

export interface DemoSiteResult {
  readonly matricule: string;
  readonly drafted: number;
  readonly validated: number;
  /** Rows the server acknowledged (status 4 at the site). */
  readonly acknowledged: number;
  readonly centralised: number;
}

export interface DemoResult {
  readonly sites: readonly DemoSiteResult[];
  readonly validated: number;
  readonly centralised: number;
  readonly containers: number;
  readonly complete: boolean;
  readonly seconds: number;
}

export interface Site {
  readonly matricule: string;
  /** What the site's NIUs begin with, as the server registered it. */
  readonly centreCode: string;
  readonly db: Kysely<SiteDatabase>;
  readonly sync: SiteSync;
  readonly transport: SiteTransport;
}

const surnames = ['Ngono', 'Mbarga', 'Fouda', 'Abena', 'Tchoupo', 'Nkoulou', 'Etoa', 'Bella'];
const givenNames = ['Marie', 'Paul', 'Aïcha', 'Jean', 'Brigitte', 'Samuel', 'Odile', 'Yves'];

/** A birth act as an agent drafts it; varied so that no two acts of a run are alike. */
/** A demo birth act, as `workflow` drafts them (also a sample to build a dictionary from in tests). */
export function draftAct(site: number, index: number) {
  const pick = <T>(list: readonly T[], n: number) => list[n % list.length] as T;
  const day = String(1 + ((site * 7 + index) % 28)).padStart(2, '0');
  const surname = pick(surnames, site + index);
  return {
    child_surname: surname,
    child_given_names: pick(givenNames, index),
    child_sex: index % 2 === 0 ? 'female' : 'male',
    date_of_birth: `2026-10-${day}`,
    time_of_birth: `${String(index % 24).padStart(2, '0')}:15`,
    place_of_birth_region: 'Centre',
    place_of_birth_locality: 'Yaoundé',
    place_of_birth_type: 'hospital',
    type_of_birth: 'single',
    weight_at_birth_grams: 2800 + ((index * 37) % 900),
    mother_surname: surname,
    mother_given_names: pick(givenNames, index + 3),
    mother_nationality: 'CMR',
    mother_children_born_alive: 1 + (index % 4),
    declarant_surname: surname,
    declarant_relationship: 'mother',
    date_of_declaration: '2026-11-02',
  };
}

/**
 * Everything in one process: an embedded database and broker, the server service, and `sites`
 * simulated civil registration centres. Each drafts `acts` births (status 1), verifies them against
 * the table contract, validates them (status 2 with a NIU), seals them into signed and encrypted
 * containers and sends them over MQTT; the server applies them and answers with receipts.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'xmserver-demo-')));
  const temporary = options.dataDir === undefined;
  const serverName = 'xmserver';
  const env: NodeJS.ProcessEnv = {};
  const cleanups: (() => Promise<void>)[] = [];
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const db: ServerDb = await openDatabase(options.dataDir ? join(dataDir, 'database') : 'memory://');
    cleanups.push(() => db.destroy());
    await refuseRealServer(db, dataDir);
    await migrateToLatest(db, serverMigrations);
    await ensureIdentity(db, { dataDir, env, serverName, lang: 'en' });
    await addTrialUser(db);
    // Recorded like `init` does, so monitor and report can read a kept demo directory afterwards.
    await db
      .insertInto('xm_system.settings')
      .values({
        key: 'server',
        value: JSON.stringify({ name: serverName, demo: true, initialisedAt: new Date().toISOString() }),
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const identity = await openIdentity(db, dataDir, env);
    await setTariff(db, { service: 'sds-export', perRow: demoTariffPerAct });
    options.progress(`server ${serverName}: database migrated, national CA and server certificate ready`);

    const broker: EmbeddedBroker = await startEmbeddedBroker();
    cleanups.push(() => broker.close());
    const service: RunningService = await startService({
      db,
      dataDir,
      env,
      serverName,
      broker: { url: broker.url },
      shared: false,
      housekeepingSeconds: 10,
      metricsPort: null,
      log: options.log,
    });
    cleanups.push(() => service.stop());
    options.progress(`broker ${broker.url} up, service subscribed`);

    const sites = await Promise.all(
      Array.from({ length: options.sites }, (_, i) =>
        startSite(i + 1, { db, identity, brokerUrl: broker.url, serverName }, options.acts, options.log),
      ),
    );
    for (const site of sites) cleanups.push(() => closeSite(site));
    options.progress(`${sites.length} site(s) registered, enrolled and connected`);

    const drafted = new Map<string, number>();
    await Promise.all(
      sites.map(async (site, i) => {
        drafted.set(site.matricule, await workflow(site, i + 1, options.acts));
        const sealed = await site.sync.exportRows();
        options.log.debug(
          {
            matricule: site.matricule,
            containers: sealed.length,
            due: (await site.sync.nextItems(10)).length,
          },
          'sealed',
        );
        site.transport.wake();
      }),
    );
    options.progress('acts validated at every site and sealed into the outbox; waiting for receipts');

    const deadline = Date.now() + options.timeoutMs;
    let results = await tally(sites, db, drafted);
    while (results.some((r) => r.acknowledged < r.validated) && Date.now() < deadline) {
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 250));
      for (const site of sites) site.transport.wake();
      results = await tally(sites, db, drafted);
    }
    const counters = service.counters();
    const result: DemoResult = {
      sites: results,
      validated: results.reduce((n, r) => n + r.validated, 0),
      centralised: results.reduce((n, r) => n + r.centralised, 0),
      containers: counters.applied + counters.duplicates,
      complete: results.every((r) => r.acknowledged === r.validated && r.centralised === r.validated),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    if (options.whileRunning) {
      const server = demoServer({ db, identity, brokerUrl: broker.url, serverName }, options.acts);
      await options.whileRunning(server, result);
    }
    return result;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    if (temporary) await rm(dataDir, { recursive: true, force: true });
  }
}

interface ServerParts {
  readonly db: ServerDb;
  readonly identity: Awaited<ReturnType<typeof openIdentity>>;
  readonly brokerUrl: string;
  readonly serverName: string;
}

async function registerSite(server: ServerParts, matricule: string, name: string, acts: number) {
  const client = await server.db.transaction().execute(async (trx) =>
    addClient(trx, {
      name,
      matricule,
      status: 3,
      passwordHash: await hashPassword(initialClientPassword),
    }),
  );
  // Credited for its acts, as an operator's `client credit` would: each act is charged once as it is centralised.
  const credited = await credit(server.db, {
    matricule,
    amount: Math.max(1, acts) * demoTariffPerAct,
    actor: 'demo',
    reason: 'demo credit',
  });
  if (!credited.ok) throw credited.error;
  return client;
}

function demoServer(server: ServerParts, acts: number): DemoServer {
  const clientIds = new Map<string, { id: number; name: string }>();
  return {
    serverName: server.serverName,
    brokerUrl: server.brokerUrl,
    caPem: server.identity.caPem,
    serverCertificatePem: server.identity.serverCertificatePem,
    async addCentre({ matricule, name }) {
      const client = await registerSite(server, matricule, name, Math.max(acts, 1000));
      clientIds.set(matricule, { id: client.id, name: client.name });
      return { centreCode: client.centreCode ?? '' };
    },
    async enrolCentre(matricule, csrPem) {
      const client = clientIds.get(matricule);
      if (!client) throw new Error(`demo: centre ${matricule} is not registered (addCentre first)`);
      const issued = await server.identity.ca.issueCertificate({
        csr: csrPem,
        profile: 'site',
        subject: { matricule, commonName: client.name },
      });
      await recordCertificate(server.db, {
        ...certificateFromDer(issued.der, 'site certificate'),
        purpose: 'site',
        clientId: client.id,
      });
      return issued.pem;
    },
  };
}

async function startSite(number: number, server: ServerParts, acts: number, log: Logger): Promise<Site> {
  const matricule = `DEMO-${String(number).padStart(3, '0')}`;
  const client = await registerSite(server, matricule, `Centre d'état civil ${number}`, acts);
  // The site makes its own key; the national CA certifies it, as `client enrol` does from a CSR.
  const key = await generateKeyPair();
  const issued = await server.identity.ca.issueCertificate({
    publicKey: key.publicKey,
    profile: 'site',
    subject: { matricule, commonName: client.name },
  });
  await recordCertificate(server.db, {
    ...certificateFromDer(issued.der, 'site certificate'),
    purpose: 'site',
    clientId: client.id,
  });

  const passphrase = `demo-${matricule}-${Math.random().toString(36).slice(2)}`;
  return connectSite({
    matricule,
    centreCode: client.centreCode ?? '',
    privateKey: exportPrivateKey(key.privateKey, { passphrase }),
    passphrase,
    certificate: issued.pem,
    caCertificate: server.identity.caPem,
    serverCertificate: server.identity.serverCertificatePem,
    serverName: server.serverName,
    broker: { url: server.brokerUrl, protocolVersion: 4 },
    log,
  });
}

export interface SiteOptions {
  readonly matricule: string;
  readonly centreCode: string;
  /** The site's key (PEM PKCS#8, encrypted when `passphrase` is given) and certificate. */
  readonly privateKey: string;
  readonly passphrase?: string | undefined;
  readonly certificate: string;
  readonly caCertificate: string;
  readonly serverCertificate: string;
  readonly serverName: string;
  readonly broker: BrokerOptions;
  readonly log: Logger;
  /** The dictionary the site packs with (default: the demo Cameroon list). */
  readonly dictionary?: Dictionary | undefined;
}

/**
 * A simulated civil registration site: its own embedded database, status-sync's site side, the
 * sdc-codec containers and an MQTT link. The demo runs several; the end-to-end tests run one
 * against a spawned `xmserver run`.
 */
export async function connectSite(options: SiteOptions): Promise<Site> {
  const { matricule, log } = options;
  const trust = new TrustStore();
  trust.addTrustAnchor(options.caCertificate);
  trust.registerCertificate(options.serverCertificate, { matricule: options.serverName });
  const identity = {
    privateKey: options.privateKey,
    passphrase: options.passphrase,
    certificate: options.certificate,
  };
  const codec = createSdcCodec({
    signer: identity,
    recipient: identity,
    signers: trust,
    recipientsFor: () => [{ certificate: options.serverCertificate }],
    // The demo (Cameroon) deployment's dictionary unless told otherwise (issue 26).
    dictionary: options.dictionary ?? cameroonDictionary,
  });
  const db = await openDatabase<SiteDatabase>('memory://');
  await migrateToLatest(db, siteMigrations);
  const sync = createSiteSync({
    db,
    codec,
    matricule,
    serverMatricule: options.serverName,
    retry: { initialMs: 3000, maxMs: 10_000 },
  });
  const transport = new SiteTransport({
    ...options.broker,
    server: options.serverName,
    matricule,
    pollIntervalMs: 500,
    outbox: outboxSource(sync),
    inbox: {
      store: async (_topic, payload) => {
        const outcome = await sync.receive(payload);
        log.debug({ matricule, outcome }, 'site received');
      },
    },
  });
  transport.on('sent', (id) => log.debug({ matricule, id }, 'site sent'));
  transport.on('state', (state) => log.debug({ matricule, state }, 'site state'));
  transport.on('error', (error) =>
    log.warn({ matricule, code: error.code, err: error.message }, 'site transport'),
  );
  transport.start();
  await transport.waitConnected();
  return { matricule, centreCode: options.centreCode, db, sync, transport };
}

/** Agent drafts, secretary verifies against the contract, officer validates with a NIU. */
export async function workflow(site: Site, number: number, acts: number): Promise<number> {
  for (let index = 1; index <= acts; index += 1) {
    const act = draftAct(number, index);
    const checked = validateRow(births, act);
    if (!checked.ok)
      throw new Error(`demo act ${index} does not pass the contract: ${checked.errors[0]?.message}`);
    const agent = `agent-${site.matricule}`.toLowerCase();
    const { numero } = await site.db
      .insertInto('xm_data.births')
      .values({ ...act, status: 1, drafted_by: agent, drafted_at: new Date() } as never)
      .returning('numero')
      .executeTakeFirstOrThrow();
    const reread = await site.db
      .selectFrom('xm_data.births')
      .selectAll()
      .where('numero', '=', numero)
      .executeTakeFirstOrThrow();
    if (!validateRow(births, stripLifecycle(reread)).ok)
      throw new Error(`act ${numero} no longer passes the contract`);
    await site.db
      .updateTable('xm_data.births')
      .set({ verified_by: `secretary-${site.matricule}`.toLowerCase(), verified_at: new Date() } as never)
      .where('numero', '=', numero)
      .execute();
    await site.db
      .updateTable('xm_data.births')
      .set({
        status: 2,
        niu: `${site.centreCode}-2026-${String(numero).padStart(6, '0')}`,
        validated_by: `officer-${site.matricule}`.toLowerCase(),
        validated_at: new Date(),
      } as never)
      .where('numero', '=', numero)
      .execute();
  }
  return acts;
}

function stripLifecycle(row: Record<string, unknown>): Record<string, unknown> {
  const { numero: _n, status: _s, origin_matricule: _m, origin_numero: _o, niu: _niu, ...data } = row;
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== null));
}

async function tally(
  sites: readonly Site[],
  db: ServerDb,
  drafted: ReadonlyMap<string, number>,
): Promise<DemoSiteResult[]> {
  return Promise.all(
    sites.map(async (site) => {
      const counts = await site.db
        .selectFrom('xm_data.births')
        .select(['status'])
        .where('origin_matricule', 'is', null)
        .execute();
      const central = await db
        .selectFrom('xm_data.births')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('origin_matricule', '=', site.matricule)
        .executeTakeFirstOrThrow();
      return {
        matricule: site.matricule,
        drafted: drafted.get(site.matricule) ?? 0,
        validated: counts.filter((r) => r.status >= 2).length,
        acknowledged: counts.filter((r) => r.status === 4).length,
        centralised: Number(central.n),
      };
    }),
  );
}

export async function closeSite(site: Site): Promise<void> {
  await site.transport.stop();
  await site.db.destroy();
}
