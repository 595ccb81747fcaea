import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { syncCharging } from '@xmcomm/billing';
import { TrustStore } from '@xmcomm/pki';
import {
  codecDictionaries,
  type Dictionary,
  deploymentDictionariesKey,
  migrateToLatest,
  openDatabase,
  parseDeploymentDictionaries,
  redact,
  type ServerDatabase,
  type SiteDatabase,
  serverMigrations,
  siteMigrations,
} from '@xmcomm/schema';
import {
  type ContainerCodec,
  createSdcCodec,
  createServerSigners,
  createServerSync,
  createSiteSync,
  type ServerSync,
  type SiteSync,
  serverRecipients,
} from '@xmcomm/status-sync';
import type { Kysely } from 'kysely';
import { T2dError } from './errors.js';
import { isValidParty } from './medium/layout.js';
import {
  keyManifestSigner,
  type ManifestSigner,
  type ManifestVerifier,
  publicKeyVerifier,
} from './medium/manifest.js';

/** Settings from flags, else the XM_* environment; secrets only from the environment or a file it names. */
export interface Settings {
  databaseUrl?: string | undefined;
  matricule?: string | undefined;
  serverName?: string | undefined;
  key?: string | undefined;
  certificate?: string | undefined;
  serverCertificate?: string | undefined;
  ca?: string | undefined;
}

function setting(flag: string | undefined, env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (flag !== undefined && flag !== '') return flag;
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** A setting the command cannot do without, named in both languages for the message. */
interface Needed {
  readonly en: string;
  readonly fr: string;
  readonly variable: string;
}

const needed = {
  key: { en: 'the private key (--key)', fr: 'la clé privée (--key)', variable: 'XM_KEY_FILE' },
  certificate: {
    en: 'the certificate (--certificate)',
    fr: 'le certificat (--certificate)',
    variable: 'XM_CERTIFICATE_FILE',
  },
  matricule: {
    en: 'the matricule (--matricule)',
    fr: 'le matricule (--matricule)',
    variable: 'XM_MATRICULE',
  },
  serverCertificate: {
    en: "the server's certificate (--server-certificate)",
    fr: 'le certificat du serveur (--server-certificate)',
    variable: 'XM_SERVER_CERTIFICATE_FILE',
  },
  ca: { en: 'the CA certificate (--ca)', fr: "le certificat de l'AC (--ca)", variable: 'XM_CA_FILE' },
  databaseUrl: {
    en: 'the database URL (--database-url)',
    fr: "l'URL de la base de données (--database-url)",
    variable: 'XM_DATABASE_URL',
  },
} as const satisfies Record<string, Needed>;

function required(value: string | undefined, what: Needed): string {
  if (value === undefined) {
    throw new T2dError('config-invalid', `${what.en} is missing`, {
      params: {
        detail: `${what.en} is missing (flag or ${what.variable})`,
        detailFr: `il manque ${what.fr}, en option ou dans ${what.variable}`,
      },
    });
  }
  return value;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new T2dError('config-invalid', `cannot read ${what} ${path}`, {
      cause,
      params: { detail: `cannot read ${what} ${path}`, detailFr: `lecture impossible de ${path}` },
    });
  }
}

async function passphrase(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.XM_KEY_PASSPHRASE) return env.XM_KEY_PASSPHRASE;
  if (env.XM_KEY_PASSPHRASE_FILE)
    return (await readText(env.XM_KEY_PASSPHRASE_FILE, 'passphrase file')).replace(/\r?\n$/, '');
  return undefined;
}

interface Identity {
  privateKey: KeyObject;
  certificatePem: string;
  signer: ManifestSigner;
}

async function loadIdentity(settings: Settings, env: NodeJS.ProcessEnv): Promise<Identity> {
  const keyPath = required(setting(settings.key, env, 'XM_KEY_FILE'), needed.key);
  const certificatePath = required(
    setting(settings.certificate, env, 'XM_CERTIFICATE_FILE'),
    needed.certificate,
  );
  const keyPem = await readText(keyPath, 'key');
  const secret = await passphrase(env);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(secret === undefined ? keyPem : { key: keyPem, passphrase: secret });
  } catch (cause) {
    throw new T2dError('key-unreadable', `cannot read the key ${keyPath}`, {
      cause,
      params: { path: keyPath },
    });
  }
  return {
    privateKey,
    certificatePem: await readText(certificatePath, 'certificate'),
    signer: keyManifestSigner(privateKey),
  };
}

async function openMigrated<DB>(url: string, migrations: typeof siteMigrations): Promise<Kysely<DB>> {
  if (/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/i.test(url)) {
    throw new T2dError('secret-in-config', 'the database URL carries a password', {
      params: { url: redact(url) },
    });
  }
  try {
    const db = await openDatabase<DB>(url);
    await migrateToLatest(db, migrations);
    return db;
  } catch (cause) {
    throw new T2dError('database-unavailable', `cannot open ${redact(url)}`, {
      cause,
      params: { url: redact(url) },
    });
  }
}

function trustStore(caPem: string): TrustStore {
  const store = new TrustStore();
  const added = store.addTrustAnchor(caPem);
  if (!added.ok) {
    throw new T2dError('config-invalid', 'the CA certificate is not usable', {
      cause: added.error,
      params: {
        detail: 'the CA certificate (--ca) is not usable',
        detailFr: "le certificat de l'AC (--ca) est inutilisable",
      },
    });
  }
  return store;
}

function checkParty(value: string): string {
  if (!isValidParty(value))
    throw new T2dError('invalid-matricule', `invalid matricule ${value}`, { params: { value } });
  return value;
}

/**
 * The dictionaries of the database t2d works on, as its owner recorded them (`xmserver init
 * --dictionary` in xm_system.settings, `ecr init --dictionary` / `ecr dictionary` in
 * xm_site.settings, key `dictionaries`): t2d packs and reads what the server or the site itself
 * would. No row: the demo (Cameroon) list.
 */
function deploymentDictionaries(
  value: unknown,
  table: string,
): { dictionary: Dictionary; dictionaries: Dictionary[] } {
  try {
    return codecDictionaries(parseDeploymentDictionaries(value));
  } catch (cause) {
    const reason = (cause as Error).message;
    throw new T2dError('config-invalid', 'damaged dictionaries setting', {
      cause,
      params: {
        detail: `the dictionaries recorded in ${table} cannot be read (${reason})`,
        detailFr: `les dictionnaires enregistrés dans ${table} sont illisibles (${reason})`,
      },
    });
  }
}

export interface SiteSetup {
  db: Kysely<SiteDatabase>;
  sync: SiteSync;
  matricule: string;
  serverName: string;
  signer: ManifestSigner;
  verifier: ManifestVerifier;
}

export async function openSite(settings: Settings, env: NodeJS.ProcessEnv): Promise<SiteSetup> {
  const matricule = checkParty(required(setting(settings.matricule, env, 'XM_MATRICULE'), needed.matricule));
  const serverName = checkParty(setting(settings.serverName, env, 'XM_SERVER_NAME') ?? 'xmserver');
  const identity = await loadIdentity(settings, env);
  const serverCertificatePem = await readText(
    required(
      setting(settings.serverCertificate, env, 'XM_SERVER_CERTIFICATE_FILE'),
      needed.serverCertificate,
    ),
    'certificate',
  );
  const store = trustStore(
    await readText(required(setting(settings.ca, env, 'XM_CA_FILE'), needed.ca), 'CA certificate'),
  );
  store.registerCertificate(serverCertificatePem, { matricule: serverName });
  const db = await openMigrated<SiteDatabase>(
    required(setting(settings.databaseUrl, env, 'XM_DATABASE_URL'), needed.databaseUrl),
    siteMigrations,
  );
  const dictionaries = deploymentDictionaries(
    (
      await db
        .selectFrom('xm_site.settings')
        .select('value')
        .where('key', '=', deploymentDictionariesKey)
        .executeTakeFirst()
    )?.value,
    'xm_site.settings',
  );
  // The key was decrypted once above; the codec gets the KeyObject, never the passphrase again.
  const own = { privateKey: identity.privateKey, certificate: identity.certificatePem };
  const codec = createSdcCodec({
    signer: own,
    recipient: own,
    signers: store,
    recipientsFor: (recipient) =>
      recipient === null || recipient === serverName ? [{ certificate: serverCertificatePem }] : [],
    // The site's own dictionaries, as ecr recorded them (issue 26).
    ...dictionaries,
  });
  const serverKey = new X509Certificate(serverCertificatePem).publicKey;
  return {
    db,
    sync: createSiteSync({ db, codec, matricule, serverMatricule: serverName }),
    matricule,
    serverName,
    signer: identity.signer,
    verifier: publicKeyVerifier((sender) => (sender === serverName ? [serverKey] : undefined)),
  };
}

export interface ServerSetup {
  db: Kysely<ServerDatabase>;
  sync: ServerSync;
  serverName: string;
  signer: ManifestSigner;
  verifier: ManifestVerifier;
}

/**
 * The server's apply for containers carried by hand: billing's gate and ledger, as xmserver's service
 * uses them (`syncCharging`), so a stick costs what MQTT costs, is charged once however often it is
 * ingested, and an account without credit gets `insufficient-credit`. The ledger's actor names this
 * process, so a statement shows which charges came by stick.
 */
export function createIngestSync(
  db: Kysely<ServerDatabase>,
  codec: ContainerCodec,
  serverName: string,
): ServerSync {
  const actor = `t2d-${serverName}-${hostname()}-${process.pid}`;
  return createServerSync({ db, codec, serverMatricule: serverName, charging: syncCharging(actor) });
}

/** The server side: site certificates come from the server's register (xm_system.certificates). */
export async function openServer(settings: Settings, env: NodeJS.ProcessEnv): Promise<ServerSetup> {
  const serverName = checkParty(setting(settings.serverName, env, 'XM_SERVER_NAME') ?? 'xmserver');
  const identity = await loadIdentity(settings, env);
  const db = await openMigrated<ServerDatabase>(
    required(setting(settings.databaseUrl, env, 'XM_DATABASE_URL'), needed.databaseUrl),
    serverMigrations,
  );
  // The manifest's signature: any site certificate in force, by matricule.
  const registered = await db
    .selectFrom('xm_system.certificates')
    .innerJoin('xm_system.clients', 'xm_system.clients.id', 'xm_system.certificates.client_id')
    .select(['xm_system.clients.matricule', 'xm_system.certificates.der'])
    .where('xm_system.certificates.purpose', '=', 'site')
    .where('xm_system.certificates.revoked_at', 'is', null)
    .execute();
  const keys = new Map<string, KeyObject[]>();
  for (const { matricule, der } of registered) {
    keys.set(matricule, [...(keys.get(matricule) ?? []), new X509Certificate(new Uint8Array(der)).publicKey]);
  }
  const own = { privateKey: identity.privateKey, certificate: identity.certificatePem };
  const dictionaries = deploymentDictionaries(
    (
      await db
        .selectFrom('xm_system.settings')
        .select('value')
        .where('key', '=', deploymentDictionariesKey)
        .executeTakeFirst()
    )?.value,
    'xm_system.settings',
  );
  // The containers themselves: the same signers, recipients and dictionaries as xmserver's service.
  const codec = createSdcCodec({
    signer: own,
    recipient: own,
    signers: await createServerSigners(db),
    recipientsFor: serverRecipients(db),
    ...dictionaries,
  });
  return {
    db,
    sync: createIngestSync(db, codec, serverName),
    serverName,
    signer: identity.signer,
    verifier: publicKeyVerifier((sender) => keys.get(sender)),
  };
}
