import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import { type EmbeddedBroker, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import { openDatabase, type ServerDatabase, type SiteDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  actHistory,
  type CentreContext,
  defaultRules,
  draftAct,
  insertUser,
  openCentreDatabase,
  readCentre,
  validateAct,
  verifyAct,
} from '../src/index.js';
import { birth, death, marriage } from './fixtures.js';

// End to end, as operators would run it: `xmserver` (init, client add, client enrol, run) and `ecr`
// (init, cert import, sync) are spawned processes; acts are drafted, verified and validated in this
// process through the library, which is what `ecr act …` runs (300 spawns would only measure tsx).
// Three centres of E2E_ACTS acts each (100 by default) go over MQTT: the machine's broker when
// MQTT_URL is set (MQTT 5, shared subscription), else an embedded aedes broker (MQTT 3.1.1). One
// centre's `ecr sync` is killed with SIGKILL in the middle and started again.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ecrCli = join(root, 'apps', 'ecr-client', 'src', 'cli.ts');
const xmserverCli = join(root, 'apps', 'xmserver', 'src', 'cli.ts');
// 40 acts in containers of 5: eight containers a centre, the kill after the third; E2E_ACTS=1000
// for a long run.
const actsPerCentre = Number(process.env.E2E_ACTS ?? 40);
const run = randomBytes(3).toString('hex');
const serverName = `e2e-${run}`;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(cli: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...entryArguments(cli), ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      XM_LOG_FORMAT: 'json',
      XM_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finish(child: ChildProcess, onLine?: (line: string) => void): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
      partial += String(chunk);
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
    });
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function runCommand(cli: string, args: string[], env: Record<string, string>): Promise<Outcome> {
  const outcome = await finish(start(cli, args, env));
  if (outcome.code !== 0) {
    throw new Error(`${args.join(' ')} exited ${outcome.code}: ${outcome.stderr}${outcome.stdout}`);
  }
  return outcome;
}

interface Centre {
  readonly matricule: string;
  readonly code: string;
  readonly dir: string;
  readonly databaseUrl: string;
  readonly testDatabase?: TestDatabase<SiteDatabase>;
}

let broker: EmbeddedBroker | undefined;
let brokerUrl: string;
let serverDir: string;
let serverDatabase: TestDatabase<ServerDatabase> | undefined;
let centres: Centre[] = [];
const onPostgres = Boolean(process.env.DATABASE_URL);

const officerPassword = 'officer-password';
const keyPassphrase = 'the centre key passphrase';

function ecrEnv(centre: Centre): Record<string, string> {
  return {
    ECR_DATA_DIR: centre.dir,
    ECR_USER: 'chef',
    ECR_PASSWORD: officerPassword,
    ECR_KEY_PASSPHRASE: keyPassphrase,
    ECR_MQTT_VERSION: broker ? '4' : '5',
  };
}

// The server's first supervisor: `init` creates it with an initial password, its first login sets
// the one the operator's commands then give in XM_PASSWORD, as a script would.
const supervisorInitialPassword = 'initial supervisor password';
const supervisorPassword = 'the supervisor password';

function serverEnv(): Record<string, string> {
  return {
    XM_KEY_PASSPHRASE: 'the server key passphrase',
    XM_USER: 'admin',
    XM_PASSWORD: supervisorPassword,
    // The operator's config folder (login's session file), not the real ~/.config.
    XDG_CONFIG_HOME: join(serverDir, 'operator-config'),
    ...(serverDatabase ? { XM_DATABASE_URL: serverDatabase.url } : {}),
  };
}

beforeAll(async () => {
  if (process.env.MQTT_URL) brokerUrl = process.env.MQTT_URL;
  else {
    broker = await startEmbeddedBroker();
    brokerUrl = broker.url;
  }
  serverDir = await mkdtemp(join(tmpdir(), 'ecr-e2e-server-'));
  if (onPostgres) serverDatabase = await createTestDatabase<ServerDatabase>();
  for (let i = 1; i <= 3; i++) {
    const dir = await mkdtemp(join(tmpdir(), `ecr-e2e-centre${i}-`));
    const testDatabase = onPostgres ? await createTestDatabase<SiteDatabase>() : undefined;
    centres.push({
      matricule: `E2E-${run}-${i}`,
      code: `90${run.slice(0, 3).replace(/\D/g, '7').padEnd(3, '7')}${i}`,
      dir,
      databaseUrl: testDatabase?.url ?? join(dir, 'db'),
      ...(testDatabase ? { testDatabase } : {}),
    });
  }
});

afterAll(async () => {
  for (const centre of centres) {
    await centre.testDatabase?.close();
    await rm(centre.dir, { recursive: true, force: true });
  }
  centres = [];
  await serverDatabase?.close();
  if (serverDir) await rm(serverDir, { recursive: true, force: true });
  await broker?.close();
});

const kinds = ['birth', 'marriage', 'death'] as const;
const fixtures = { birth, marriage, death };

/** The centre's staff at work: an agent drafts, a secretary verifies, the officer validates. */
async function prepareActs(centre: Centre, count: number): Promise<void> {
  const db = await openCentreDatabase(centre.databaseUrl);
  try {
    const settings = await readCentre(db);
    if (!settings) throw new Error(`${centre.matricule} is not set up`);
    const ctx: CentreContext = { db, centre: settings, rules: defaultRules, today: () => '2026-03-15' };
    const officer = await db
      .selectFrom('xm_site.users')
      .select(['id', 'login', 'privilege'])
      .where('login', '=', 'chef')
      .executeTakeFirstOrThrow();
    const chef = { id: officer.id, login: officer.login, privilege: 3 as const };
    const agent = await insertUser(db, { login: 'ali', privilege: 1, password: 'agent-password' });
    const secretary = await insertUser(db, { login: 'sec', privilege: 2, password: 'secretary-password' });
    for (let n = 0; n < count; n++) {
      const kind = kinds[n % 3] as (typeof kinds)[number];
      const input = { ...fixtures[kind], remarks: `${centre.matricule} act ${n}` };
      const ref = await draftAct(ctx, agent, kind, input);
      await verifyAct(ctx, secretary, ref);
      await validateAct(ctx, chef, officerPassword, ref);
    }
  } finally {
    await db.destroy();
  }
}

describe(`end to end: xmserver run and three centres over MQTT (${process.env.MQTT_URL ? 'Mosquitto' : 'embedded aedes'}, ${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  test(`${actsPerCentre} acts per centre reach the server exactly once and come back to status 4, across a SIGKILL`, async () => {
    const server = ['--data-dir', serverDir];
    await runCommand(xmserverCli, [...server, '--server-name', serverName, 'init'], {
      ...serverEnv(),
      XM_NEW_PASSWORD: supervisorInitialPassword,
    });
    await runCommand(xmserverCli, [...server, 'login'], {
      ...serverEnv(),
      XM_PASSWORD: supervisorInitialPassword,
      XM_NEW_PASSWORD: supervisorPassword,
    });
    // The operator registers the clients while the centres set themselves up.
    const registered = (async () => {
      for (const centre of centres) {
        await runCommand(
          xmserverCli,
          [
            ...server,
            'client',
            'add',
            '--name',
            `Centre ${centre.matricule}`,
            '--matricule',
            centre.matricule,
            '--centre-code',
            centre.code,
          ],
          serverEnv(),
        );
      }
    })();
    await Promise.all([
      registered,
      ...centres.map((centre) =>
        runCommand(
          ecrCli,
          [
            'init',
            '--database-url',
            centre.databaseUrl,
            '--matricule',
            centre.matricule,
            '--centre-code',
            centre.code,
            '--officer',
            'chef',
            '--broker',
            brokerUrl,
            '--server-cert',
            join(serverDir, 'pki', 'server.pem'),
            '--ca-cert',
            join(serverDir, 'pki', 'ca.pem'),
          ],
          { ...ecrEnv(centre), ECR_NEW_PASSWORD: officerPassword },
        ),
      ),
    ]);
    for (const centre of centres) {
      await runCommand(
        xmserverCli,
        [
          ...server,
          'client',
          'enrol',
          centre.matricule,
          '--csr',
          join(centre.dir, 'centre.csr.pem'),
          '--out',
          join(centre.dir, 'issued.pem'),
        ],
        serverEnv(),
      );
    }
    await Promise.all([
      ...centres.map((centre) =>
        runCommand(ecrCli, ['cert', 'import', join(centre.dir, 'issued.pem')], ecrEnv(centre)),
      ),
      ...centres.map((centre) => prepareActs(centre, actsPerCentre)),
    ]);

    const service = start(xmserverCli, [...server, 'run', ...(broker ? ['--embedded-broker'] : [])], {
      ...serverEnv(),
      XM_BROKER_URL: brokerUrl,
      XM_METRICS_PORT: '0',
    });
    let serviceReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      serviceReady = resolve;
    });
    const serviceDone = finish(service, (line) => {
      if (line.includes('running')) serviceReady();
    });
    await Promise.race([
      ready,
      serviceDone.then((o) => {
        throw new Error(`xmserver run ended: ${o.stderr}`);
      }),
    ]);

    const syncArgs = ['--max-rows', '5', '--resend-after', '5'];
    // Centre 1: a long-running sync, killed once a few containers have gone.
    const [first, ...others] = centres as [Centre, ...Centre[]];
    const killed = start(ecrCli, ['--json', 'sync', ...syncArgs, '--interval', '10'], ecrEnv(first));
    let sent = 0;
    // Killed after its third container left, or after 60 s whatever happened, so it never hangs the run.
    const deadline = setTimeout(() => killed.kill('SIGKILL'), 60_000);
    const killedDone = finish(killed, (line) => {
      if (line.includes('"event":"sent"') && ++sent === 3) killed.kill('SIGKILL');
    }).finally(() => clearTimeout(deadline));
    const onceArgs = ['--json', 'sync', '--once', '--wait', '90', ...syncArgs];
    const othersDone = others.map((centre) => runCommand(ecrCli, onceArgs, ecrEnv(centre)));
    const killedOutcome = await killedDone;
    expect(killedOutcome.signal, killedOutcome.stderr).toBe('SIGKILL');
    const restarted = await runCommand(ecrCli, onceArgs, ecrEnv(first));
    const outcomes = await Promise.all(othersDone);

    service.kill('SIGTERM');
    const stopped = await serviceDone;
    expect(stopped.code, stopped.stderr).toBe(0);

    const summary = (text: string) =>
      JSON.parse(text.split('\n').find((line) => line.includes('"event":"summary"')) ?? '{}') as {
        event: string;
        waiting: number;
      };
    for (const outcome of [restarted, ...outcomes])
      expect(summary(outcome.stdout)).toMatchObject({
        event: 'summary',
        waiting: 0,
      });

    // Every act on the server exactly once, from its own centre.
    const central: Kysely<ServerDatabase> = await openDatabase<ServerDatabase>(
      serverDatabase?.url ?? join(serverDir, 'database'),
    );
    try {
      for (const centre of centres) {
        const rows: { origin_numero: number | null; niu: string | null }[] = [];
        for (const table of ['births', 'marriages', 'deaths'] as const) {
          rows.push(
            ...(await central
              .selectFrom(`xm_data.${table}`)
              .select(['origin_numero', 'niu'])
              .where('origin_matricule', '=', centre.matricule)
              .execute()),
          );
        }
        expect(rows).toHaveLength(actsPerCentre);
        expect(new Set(rows.map((r) => r.niu)).size).toBe(actsPerCentre);
        expect(rows.every((r) => r.niu?.startsWith(`${centre.code}-`))).toBe(true);
      }
    } finally {
      await central.destroy();
    }

    // Every act at status 4 at its centre, with its history.
    for (const centre of centres) {
      const db = await openCentreDatabase(centre.databaseUrl);
      try {
        const statuses: number[] = [];
        for (const table of ['births', 'marriages', 'deaths'] as const) {
          const rows = await db.selectFrom(`xm_data.${table}`).select('status').execute();
          statuses.push(...rows.map((r) => r.status));
        }
        expect(statuses).toHaveLength(actsPerCentre);
        expect(statuses.every((s) => s === 4)).toBe(true);
        const settings = await readCentre(db);
        const ctx: CentreContext = {
          db,
          centre: settings as NonNullable<typeof settings>,
          rules: defaultRules,
          today: () => '2026-03-15',
        };
        const history = await actHistory(
          ctx,
          { id: 1, login: 'chef', privilege: 3 },
          { kind: 'birth', numero: 1 },
        );
        expect(history.map((e) => e.kind)).toEqual(
          expect.arrayContaining(['drafted', 'verified', 'validated', 'sealed', 'sent', 'exported']),
        );
      } finally {
        await db.destroy();
      }
    }
  }, 240_000);
});
