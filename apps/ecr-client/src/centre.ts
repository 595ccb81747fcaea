import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SiteDatabase } from '@xmcomm/schema';
import {
  checkSiteIdentity,
  readSetting as kitReadSetting,
  writeSetting as kitWriteSetting,
  matriculePattern,
  openSiteDatabase,
  readSiteIdentity,
  type SiteIdentity,
} from '@xmcomm/site-kit';
import type { Kysely } from 'kysely';
import { EcrError, fromKit, viaKit } from './errors.js';
import { makePrivateFolder, readTextFile, writeTextFile } from './files.js';
import { ecrMigrations } from './record-types.js';
import { type CivilRules, defaultRules } from './rules.js';

/** What one workstation keeps on disk: where the centre's database is. Everything else is in the database. */
export interface WorkstationConfig {
  readonly databaseUrl: string;
}

/** The centre's identity and links, stored once in its database so every workstation agrees (the kit's `SiteIdentity`). */
export type CentreSettings = SiteIdentity;

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
 * Opens the centre's database and brings it to the latest migration (the site kit's
 * `openSiteDatabase`: a password in a PostgreSQL URL is refused, PGPASSWORD or ~/.pgpass give it).
 */
export function openCentreDatabase(url: string): Promise<Kysely<SiteDatabase>> {
  return viaKit(openSiteDatabase(url, ecrMigrations));
}

export function readSetting(db: Kysely<SiteDatabase>, key: string): Promise<unknown> {
  return kitReadSetting(db, key);
}

export function writeSetting(db: Kysely<SiteDatabase>, key: string, value: unknown): Promise<void> {
  return kitWriteSetting(db, key, value);
}

export function readCentre(db: Kysely<SiteDatabase>): Promise<CentreSettings | undefined> {
  return readSiteIdentity(db, centreKey);
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

export { matriculePattern };

/** Checks the centre's identity as every site app's (`checkSiteIdentity`), in ECR's errors. */
export function checkCentreSettings(settings: CentreSettings): CentreSettings {
  try {
    return checkSiteIdentity(settings);
  } catch (error) {
    throw fromKit(error);
  }
}

/** Records the centre's identity (after checking it) in its database. */
export async function saveCentre(db: Kysely<SiteDatabase>, centre: CentreSettings): Promise<void> {
  await writeSetting(db, centreKey, checkCentreSettings(centre));
}

export async function saveRules(db: Kysely<SiteDatabase>, rules: CivilRules): Promise<void> {
  await writeSetting(db, rulesKey, rules);
}
