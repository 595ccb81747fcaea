import { X509Certificate } from 'node:crypto';
import {
  databaseKind,
  type Migrations,
  migrateToLatest,
  openDatabase,
  redact,
  type SiteDatabase,
} from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { SiteKitError } from './errors.js';

// What every site app keeps about its site, whatever its records: its identity and links, stored once
// in its database (`xm_site.settings`) so every workstation agrees, and how it opens that database.
// ECR was the first to have them (`ecr init`); XMJuris uses the same.

/** The site's identity and links. */
export interface SiteIdentity {
  readonly matricule: string;
  /** Six digits, assigned nationally; the first part of every NIU this site gives. */
  readonly centreCode: string;
  readonly name?: string;
  readonly brokerUrl?: string;
  /** The central server's certificate (PEM), which containers are encrypted to. */
  readonly serverCertificatePem?: string;
  /** The national CA (PEM) that issued the server's certificate. */
  readonly caCertificatePem?: string;
}

/** The settings key a site app keeps its identity under unless it names its own (ECR: `ecr.centre`). */
export const siteIdentityKey = 'site.identity';

export const matriculePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

const invalid = (en: string, fr: string) =>
  new SiteKitError('invalid-settings', { detail: en, detailFr: fr });

/**
 * Checks a site's identity: matricule, 6-digit code, broker URL without credentials, certificates
 * that are X.509 PEM. Throws SiteKitError `invalid-settings` (`params.field` says which part, for an
 * app that words a bad certificate apart: a configuration, not a usage error).
 */
export function checkSiteIdentity(identity: SiteIdentity): SiteIdentity {
  if (!matriculePattern.test(identity.matricule)) {
    throw invalid(
      'The matricule is 1-32 letters, digits, dots, dashes or underscores.',
      'Le matricule compte 1 à 32 lettres, chiffres, points, tirets ou soulignés.',
    );
  }
  if (!/^\d{6}$/.test(identity.centreCode)) {
    throw invalid('The centre code is 6 digits.', 'Le code du centre compte 6 chiffres.');
  }
  if (identity.brokerUrl !== undefined && !/^mqtts?:\/\/[^/@\s]+(:\d+)?\/?$/.test(identity.brokerUrl)) {
    throw invalid(
      'The broker URL is mqtt://host[:port] or mqtts://host[:port], without credentials.',
      "L'URL du broker est mqtt://hôte[:port] ou mqtts://hôte[:port], sans identifiants.",
    );
  }
  for (const [pem, what, whatFr] of [
    [identity.serverCertificatePem, "the central server's certificate", 'le certificat du serveur central'],
    [identity.caCertificatePem, 'the national CA certificate', "le certificat de l'AC nationale"],
  ] as const) {
    if (pem === undefined) continue;
    try {
      new X509Certificate(pem);
    } catch (cause) {
      throw new SiteKitError(
        'invalid-settings',
        {
          field: 'certificate',
          detail: `${what} is not a PEM X.509 certificate.`,
          detailFr: `${whatFr} n'est pas un certificat X.509 PEM.`,
        },
        { cause },
      );
    }
  }
  return identity;
}

/** A setting's value (JSON), or undefined. */
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

/** The site's identity, or undefined before the site is set up. */
export async function readSiteIdentity(
  db: Kysely<SiteDatabase>,
  key: string = siteIdentityKey,
): Promise<SiteIdentity | undefined> {
  const value = await readSetting(db, key);
  return value === undefined ? undefined : (value as SiteIdentity);
}

/** Records the site's identity, after checking it. */
export async function saveSiteIdentity(
  db: Kysely<SiteDatabase>,
  identity: SiteIdentity,
  key: string = siteIdentityKey,
): Promise<void> {
  await writeSetting(db, key, checkSiteIdentity(identity));
}

/**
 * Opens a site's database and brings it to its app's migrations (`siteKitMigrations(types)`). A
 * password in a PostgreSQL URL would sit in a file and in `ps`: it is refused (`invalid-settings`),
 * PGPASSWORD or ~/.pgpass give it instead. A database that cannot open or migrate is `database`.
 */
export async function openSiteDatabase(url: string, migrations: Migrations): Promise<Kysely<SiteDatabase>> {
  if (databaseKind(url) === 'postgres' && /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(url)) {
    throw new SiteKitError('invalid-settings', {
      field: 'database-url',
      detail: `${redact(url)} carries a password: put it in PGPASSWORD or ~/.pgpass, not in the URL.`,
      detailFr: `${redact(url)} contient un mot de passe : mettez-le dans PGPASSWORD ou ~/.pgpass, pas dans l'URL.`,
    });
  }
  let db: Kysely<SiteDatabase> | undefined;
  try {
    db = await openDatabase<SiteDatabase>(url);
    await migrateToLatest(db, migrations);
    return db;
  } catch (cause) {
    await db?.destroy().catch(() => {});
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new SiteKitError('database', { detail, detailFr: detail }, { cause });
  }
}
