import { X509Certificate } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { databaseKind, migrateToLatest, openDatabase, redact, type SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { EcrError } from './errors.js';
import { makePrivateFolder, readTextFile, writeTextFile } from './files.js';
import { ecrMigrations } from './record-types.js';
import { type CivilRules, defaultRules } from './rules.js';

/** What one workstation keeps on disk: where the centre's database is. Everything else is in the database. */
export interface WorkstationConfig {
  readonly databaseUrl: string;
}

/** The centre's identity and links, stored once in its database so every workstation agrees. */
export interface CentreSettings {
  readonly matricule: string;
  /** Six digits, assigned nationally; the first part of every NIU this centre gives. */
  readonly centreCode: string;
  readonly name?: string;
  readonly brokerUrl?: string;
  /** The central server's certificate (PEM), which containers are encrypted to. */
  readonly serverCertificatePem?: string;
  /** The national CA (PEM) that issued the server's certificate: what the centre trusts the server's signature through. */
  readonly caCertificatePem?: string;
}

export const centreKey = 'ecr.centre';
export const rulesKey = 'ecr.rules';

export function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
  return join(base, 'xmcomm-ecr');
}

export const configFileName = 'ecr.json';

export async function readWorkstationConfig(dataDir: string): Promise<WorkstationConfig> {
  const path = join(dataDir, configFileName);
  // No configuration is a workstation not set up; one that cannot be read is said as such.
  const text = await readTextFile(path, {
    whenMissing: (cause) => new EcrError('not-initialised', { path }, { cause }),
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new EcrError(
      'configuration',
      { detail: `${path} is not JSON.`, detailFr: `${path} n'est pas du JSON.` },
      { cause },
    );
  }
  const url = (parsed as { databaseUrl?: unknown } | null)?.databaseUrl;
  if (typeof url !== 'string' || url === '') {
    throw new EcrError('configuration', {
      detail: `${path} names no databaseUrl.`,
      detailFr: `${path} ne donne aucune databaseUrl.`,
    });
  }
  return { databaseUrl: url };
}

export async function writeWorkstationConfig(dataDir: string, config: WorkstationConfig): Promise<void> {
  await makePrivateFolder(dataDir);
  await writeTextFile(join(dataDir, configFileName), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Opens the centre's database and brings it to the latest migration. A password in a PostgreSQL URL
 * would sit in a file and in `ps`: it comes from PGPASSWORD or ~/.pgpass instead.
 */
export async function openCentreDatabase(url: string): Promise<Kysely<SiteDatabase>> {
  if (databaseKind(url) === 'postgres' && /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(url)) {
    throw new EcrError('configuration', {
      detail: `${redact(url)} carries a password: put it in PGPASSWORD or ~/.pgpass, not in the URL.`,
      detailFr: `${redact(url)} contient un mot de passe : mettez-le dans PGPASSWORD ou ~/.pgpass, pas dans l'URL.`,
    });
  }
  let db: Kysely<SiteDatabase>;
  try {
    db = await openDatabase<SiteDatabase>(url);
    await migrateToLatest(db, ecrMigrations);
  } catch (cause) {
    throw new EcrError(
      'database',
      { detail: cause instanceof Error ? cause.message : String(cause) },
      { cause },
    );
  }
  return db;
}

export async function readSetting(db: Kysely<SiteDatabase>, key: string): Promise<unknown> {
  const row = await db
    .selectFrom('xm_site.settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.value;
}

export async function writeSetting(db: Kysely<SiteDatabase>, key: string, value: unknown): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('xm_site.settings')
    .values({ key, value: json })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: new Date() }))
    .execute();
}

export async function readCentre(db: Kysely<SiteDatabase>): Promise<CentreSettings | undefined> {
  const value = await readSetting(db, centreKey);
  return value === undefined ? undefined : (value as CentreSettings);
}

export async function requireCentre(db: Kysely<SiteDatabase>): Promise<CentreSettings> {
  const centre = await readCentre(db);
  if (!centre) throw new EcrError('not-initialised', { path: 'xm_site.settings' });
  return centre;
}

export async function readRules(db: Kysely<SiteDatabase>): Promise<CivilRules> {
  const value = (await readSetting(db, rulesKey)) as Partial<CivilRules> | undefined;
  return { ...defaultRules, ...(value ?? {}) };
}

export const matriculePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

export function checkCentreSettings(settings: CentreSettings): CentreSettings {
  if (!matriculePattern.test(settings.matricule)) {
    throw new EcrError('usage', {
      detail: 'The matricule is 1-32 letters, digits, dots, dashes or underscores.',
      detailFr: 'Le matricule compte 1 à 32 lettres, chiffres, points, tirets ou soulignés.',
    });
  }
  if (!/^\d{6}$/.test(settings.centreCode)) {
    throw new EcrError('usage', {
      detail: 'The centre code is 6 digits.',
      detailFr: 'Le code du centre compte 6 chiffres.',
    });
  }
  if (settings.brokerUrl !== undefined && !/^mqtts?:\/\/[^/@\s]+(:\d+)?\/?$/.test(settings.brokerUrl)) {
    throw new EcrError('usage', {
      detail: 'The broker URL is mqtt://host[:port] or mqtts://host[:port], without credentials.',
      detailFr: "L'URL du broker est mqtt://hôte[:port] ou mqtts://hôte[:port], sans identifiants.",
    });
  }
  for (const [pem, what, whatFr] of [
    [settings.serverCertificatePem, "the central server's certificate", 'le certificat du serveur central'],
    [settings.caCertificatePem, 'the national CA certificate', "le certificat de l'AC nationale"],
  ] as const) {
    if (pem === undefined) continue;
    try {
      new X509Certificate(pem);
    } catch (cause) {
      throw new EcrError(
        'configuration',
        {
          detail: `${what} is not a PEM X.509 certificate.`,
          detailFr: `${whatFr} n'est pas un certificat X.509 PEM.`,
        },
        { cause },
      );
    }
  }
  return settings;
}

/** Records the centre's identity (after checking it) in its database. */
export async function saveCentre(db: Kysely<SiteDatabase>, centre: CentreSettings): Promise<void> {
  await writeSetting(db, centreKey, checkCentreSettings(centre));
}

export async function saveRules(db: Kysely<SiteDatabase>, rules: CivilRules): Promise<void> {
  await writeSetting(db, rulesKey, rules);
}
