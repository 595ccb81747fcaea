import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryArguments } from '@xmcomm/cli-kit/testing';
import {
  createDynamicSecurityConfig,
  DynamicSecurityAdmin,
  type EmbeddedBroker,
  startEmbeddedBroker,
} from '@xmcomm/mqtt-transport';
import { CertificateAuthority, generateKeyPair } from '@xmcomm/pki';
import { openDatabase, type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// The transport's own helper: a private Mosquitto with the dynamic security plugin.
import {
  mosquittoAvailable,
  type RunningMosquitto,
  startMosquitto,
} from '../../../packages/mqtt-transport/test/helpers/mosquitto.js';
import { exitCodes } from '../src/index.js';
import { birth } from './fixtures.js';

// What a new operator meets first, with the `ecr` command itself spawned on an embedded database
// on disk (or a fresh PostgreSQL database when DATABASE_URL is set): `init` on a fresh machine,
// files that cannot be used, an invalid act, an import request at a centre without a broker, and a
// sync that the broker refuses.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const serverName = `central-${process.pid}`;
const matricule = `CEC-NEW-${process.pid}`;
let scratch: string;
let dataDir: string;
let postgres: TestDatabase<SiteDatabase> | undefined;
/** The centre's database: the embedded one `init` makes in the data folder, or PostgreSQL's. */
const databaseUrl = () => postgres?.url ?? join(dataDir, 'db');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `ecr` as an operator runs it: its own process, its own environment (no ECR_* of this one, an English locale). */
function ecr(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('ECR_') && key !== 'XDG_DATA_HOME') base[key] = value;
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...entryArguments('apps/ecr-client/src/cli.ts', root), ...args],
      { cwd: root, encoding: 'utf8', env: { ...base, LANG: 'C', LC_ALL: 'C', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const officer = { ECR_USER: 'chef', ECR_PASSWORD: 'officer-password' };
const withKey = { ...officer, ECR_KEY_PASSPHRASE: 'centre key passphrase' };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ecr-first-'));
  if (process.env.DATABASE_URL)
    postgres = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
  const ca = await CertificateAuthority.createRoot({ subject: { commonName: 'Test National CA' } });
  const serverKey = await generateKeyPair();
  const serverCertificate = await ca.ca.issueCertificate({
    publicKey: serverKey.publicKey,
    profile: 'server',
    subject: { commonName: serverName, matricule: serverName },
  });
  await writeFile(join(scratch, 'server.pem'), serverCertificate.pem);
  await writeFile(join(scratch, 'ca.pem'), ca.certificate.pem);

  // A fresh machine: neither the data folder nor its parents exist. No broker: a centre served by sticks.
  dataDir = join(scratch, 'fresh', 'machine', 'ecr');
  const init = await ecr(
    [
      '--data-dir',
      dataDir,
      'init',
      '--matricule',
      matricule,
      '--centre-code',
      '102034',
      '--officer',
      'chef',
      '--server-cert',
      join(scratch, 'server.pem'),
      '--ca-cert',
      join(scratch, 'ca.pem'),
      ...(postgres ? ['--database-url', postgres.url] : []),
    ],
    { ECR_NEW_PASSWORD: 'officer-password', ECR_KEY_PASSPHRASE: 'centre key passphrase' },
  );
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  const issued = await ca.ca.issueCertificate({
    csr: await readFile(join(dataDir, 'centre.csr.pem'), 'utf8'),
    profile: 'site',
    subject: { matricule, commonName: matricule },
  });
  await writeFile(join(scratch, 'issued.pem'), issued.pem);
  const imported = await ecr(['--data-dir', dataDir, 'cert', 'import', join(scratch, 'issued.pem')]);
  expect(imported.stderr).toBe('');
  // Three processes, one of them creating an embedded database on disk: slow on a loaded machine.
}, 120_000);

afterAll(async () => {
  await postgres?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('ecr init on a fresh machine', () => {
  test('makes the data folder given by --data-dir, and its parents, private', async () => {
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(join(dataDir, 'ecr.json'), 'utf8'))).toEqual({
      databaseUrl: databaseUrl(),
    });
  });

  test('makes the default data folder ($XDG_DATA_HOME/xmcomm-ecr) when it does not exist', async () => {
    const home = join(scratch, 'home-without-data', '.local', 'share');
    const init = await ecr(
      ['init', '--no-key', '--matricule', 'CEC-DEF-01', '--centre-code', '000007', '--officer', 'chef'],
      { XDG_DATA_HOME: home, ECR_NEW_PASSWORD: 'officer-password' },
    );
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect((await stat(join(home, 'xmcomm-ecr'))).mode & 0o777).toBe(0o700);
  }, 120_000);
});

test('ecr init keeps a relative --database-url as an absolute path, so every folder finds the same database', async () => {
  const folder = join(scratch, 'relative');
  const given = relative(root, join(scratch, 'relative-db'));
  const init = await ecr(
    [
      '--data-dir',
      folder,
      'init',
      '--no-key',
      '--matricule',
      'CEC-REL-01',
      '--centre-code',
      '000008',
      '--officer',
      'chef',
      '--database-url',
      given,
    ],
    { ECR_NEW_PASSWORD: 'officer-password' },
  );
  expect(init.stderr).toBe('');
  expect(JSON.parse(await readFile(join(folder, 'ecr.json'), 'utf8'))).toEqual({
    databaseUrl: join(scratch, 'relative-db'),
  });
}, 120_000);

describe('a file that cannot be used is named, with what is wrong, exit 2', () => {
  test('cert import of a file that does not exist, in English and French', async () => {
    const missing = join(scratch, 'nowhere', 'centre-cert.pem');
    const english = await ecr(['--data-dir', dataDir, 'cert', 'import', missing]);
    expect(english).toMatchObject({
      code: exitCodes.file,
      stderr: `ecr: Cannot read ${missing}: it does not exist.\n`,
    });
    const french = await ecr(['--data-dir', dataDir, '--lang', 'fr', 'cert', 'import', missing]);
    expect(french).toMatchObject({
      code: 2,
      stderr: `ecr: Impossible de lire ${missing} : il n'existe pas.\n`,
    });
    const json = await ecr(['--data-dir', dataDir, '--json', 'cert', 'import', missing]);
    expect(JSON.parse(json.stderr)).toEqual({
      error: { code: 'file', message: `Cannot read ${missing}: it does not exist.`, fields: [] },
    });
  });

  test('a folder where a file is expected: cert import, an act file, the broker CA', async () => {
    // One process at a time on the centre's embedded database.
    const certificate = await ecr(['--data-dir', dataDir, 'cert', 'import', scratch]);
    const act = await ecr(
      ['--data-dir', dataDir, '--lang', 'fr', 'act', 'new', 'birth', '--file', scratch],
      officer,
    );
    const brokerCa = await ecr(['--data-dir', dataDir, 'sync', '--once'], {
      ...withKey,
      ECR_BROKER_URL: 'mqtt://127.0.0.1:9',
      ECR_BROKER_CA_FILE: join(scratch, 'broker-ca.pem'),
    });
    expect(certificate).toMatchObject({
      code: 2,
      stderr: `ecr: Cannot read ${scratch}: it is a folder, not a file.\n`,
    });
    expect(act).toMatchObject({
      code: 2,
      stderr: `ecr: Impossible de lire ${scratch} : c'est un dossier, pas un fichier.\n`,
    });
    expect(brokerCa).toMatchObject({
      code: 2,
      stderr: `ecr: Cannot read ${join(scratch, 'broker-ca.pem')}: it does not exist.\n`,
    });
  }, 120_000);

  test('init: a certificate that is not there, a key that would be overwritten, a data folder under a file', async () => {
    const leftover = join(scratch, 'leftover');
    await mkdir(leftover);
    await writeFile(join(leftover, 'centre-key.pem'), 'a key from an earlier init\n');
    const newCentre = ['init', '--matricule', 'CEC-X', '--centre-code', '000008', '--officer', 'chef'];
    const secrets = { ECR_NEW_PASSWORD: 'officer-password', ECR_KEY_PASSPHRASE: 'centre key passphrase' };
    const [noCertificate, keyThere, underFile] = await Promise.all([
      ecr(
        [
          '--data-dir',
          join(scratch, 'other'),
          ...newCentre,
          '--database-url',
          'memory://',
          '--server-cert',
          join(scratch, 'server-cert.pem'),
        ],
        secrets,
      ),
      ecr(['--data-dir', leftover, ...newCentre, '--database-url', 'memory://'], secrets),
      ecr(['--data-dir', join(scratch, 'server.pem', 'ecr'), '--lang', 'fr', ...newCentre], secrets),
    ]);
    expect(noCertificate).toMatchObject({
      code: 2,
      stderr: `ecr: Cannot read ${join(scratch, 'server-cert.pem')}: it does not exist.\n`,
    });
    expect(keyThere).toMatchObject({
      code: 2,
      stderr: `ecr: Cannot write ${join(leftover, 'centre-key.pem')}: it already exists and is not overwritten.\n`,
    });
    expect(await readFile(join(leftover, 'centre-key.pem'), 'utf8')).toBe('a key from an earlier init\n');
    expect(underFile).toMatchObject({
      code: 2,
      stderr: `ecr: Impossible de créer le dossier ${join(scratch, 'server.pem', 'ecr')} : une partie du chemin est un fichier, pas un dossier.\n`,
    });
  }, 120_000);
});

describe('an invalid act', () => {
  test('every problem at once, each once and named once, in the user language', async () => {
    const file = join(scratch, 'two-problems.json');
    // A format error in one field, and a date rule broken by two fields the contract accepts.
    await writeFile(
      file,
      JSON.stringify({ ...birth, child_sex: 'girl', mother_date_of_birth: '2016-05-01' }),
    );
    const english = await ecr(['--data-dir', dataDir, 'act', 'new', 'birth', '--file', file], officer);
    expect(english.code).toBe(exitCodes['invalid-act']);
    expect(english.stderr).toBe(
      [
        'ecr: The act is not valid (2 problem(s)).',
        '  child_sex must be one of: male, female, undetermined. [not-allowed]',
        '  mother_date_of_birth is less than 12 years (the minimum age) before date_of_birth. [too-young]',
        '',
      ].join('\n'),
    );
    const french = await ecr(
      ['--data-dir', dataDir, '--lang', 'fr', 'act', 'new', 'birth', '--file', file],
      officer,
    );
    expect(french.stderr).toBe(
      [
        "ecr: L'acte n'est pas valide (2 problème(s)).",
        "  child_sex doit être l'une des valeurs : male, female, undetermined. [not-allowed]",
        "  mother_date_of_birth est moins de 12 ans (l'âge minimum) avant date_of_birth. [too-young]",
        '',
      ].join('\n'),
    );
  }, 120_000);
});

describe('a centre without a broker (carried by USB stick)', () => {
  test('queues an import request in the outbox, for the next sync or stick', async () => {
    const queued = await ecr(
      ['--data-dir', dataDir, 'import', 'birth', '--where', 'child_surname=Ngono'],
      withKey,
    );
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);
    expect(queued.stdout).toMatch(
      /^The import request is queued in the outbox \(container …\S+\): it goes with the next `ecr sync` or stick \(`t2d export`\)/,
    );
    const account = await ecr(['--data-dir', dataDir, '--lang', 'fr', 'account', '--refresh'], withKey);
    expect(account.code).toBe(0);
    expect(account.stdout).toMatch(/^La demande de compte est en file d'envoi \(conteneur …\S+\)/);

    // What `t2d export` carries: every outbox item still waiting for the server (SiteSync.pendingItems).
    const db = postgres?.db ?? (await openDatabase<SiteDatabase>(databaseUrl()));
    try {
      const pending = await db
        .selectFrom('xm_site.outbox')
        .select(['kind', 'state'])
        .where('state', 'in', ['pending', 'sent'])
        .orderBy('id')
        .execute();
      expect(pending).toEqual([
        { kind: 'import-request', state: 'pending' },
        { kind: 'control', state: 'pending' },
      ]);
    } finally {
      if (!postgres) await db.destroy();
    }
  }, 120_000);
});

/** What a suspended centre's officer reads, whichever broker refuses it. */
async function expectRefused(env: Record<string, string>, reason: { en: string; fr: string }) {
  const english = await ecr(['--data-dir', dataDir, 'sync', '--once', '--wait', '60'], {
    ...withKey,
    ...env,
  });
  expect(english.code).toBe(exitCodes['connection-refused']);
  expect(english.stderr).toContain(`ecr: The central server refused this centre's connection (${reason.en}`);
  expect(english.stderr).toContain("the centre's account is suspended or its certificate revoked");
  expect(english.stderr).toContain('Contact the national centre.');
  expect(english.stderr.trim().split('\n')).toHaveLength(1);
  const french = await ecr(['--data-dir', dataDir, '--lang', 'fr', 'sync'], { ...withKey, ...env });
  expect(french.code).toBe(14);
  expect(french.stderr).toContain(`ecr: Le serveur central a refusé la connexion de ce centre (${reason.fr}`);
  expect(french.stderr).toContain('le compte du centre est suspendu ou son certificat révoqué');
  expect(french.stderr).toContain('Contactez le centre national.');
  expect(french.stdout).toContain(
    `liaison : Le courtier a refusé les identifiants ou l'opération (${reason.fr}`,
  );
}

describe('a centre the broker refuses (suspended, or its certificate revoked)', () => {
  test('the embedded broker: sync says so in words and stops, exit 14', async () => {
    let broker: EmbeddedBroker | undefined;
    try {
      broker = await startEmbeddedBroker({
        access: { server: serverName, serverUsername: serverName, verify: () => false },
      });
      await expectRefused(
        { ECR_BROKER_URL: broker.url, ECR_MQTT_VERSION: '4', ECR_BROKER_PASSWORD: 'zerokey' },
        { en: 'bad user name or password', fr: "nom d'utilisateur ou mot de passe incorrect" },
      );
    } finally {
      await broker?.close();
    }
  }, 120_000);

  test.skipIf(!mosquittoAvailable())(
    'Mosquitto with dynamic security, the site disabled',
    async () => {
      const adminPassword = randomBytes(18).toString('base64url');
      let mosquitto: RunningMosquitto | undefined;
      try {
        mosquitto = await startMosquitto({
          dynamicSecurity: createDynamicSecurityConfig({ adminUsername: 'admin', adminPassword }),
        });
        const admin = await DynamicSecurityAdmin.connect({
          url: mosquitto.url,
          username: 'admin',
          password: adminPassword,
        });
        try {
          await admin.provisionSite(serverName, matricule, 'site broker password');
          await admin.disableSite(matricule);
        } finally {
          await admin.close();
        }
        await expectRefused(
          { ECR_BROKER_URL: mosquitto.url, ECR_BROKER_PASSWORD: 'site broker password' },
          { en: 'not authorised', fr: 'non autorisé' },
        );
      } finally {
        await mosquitto?.stop();
      }
    },
    60_000,
  );
});
