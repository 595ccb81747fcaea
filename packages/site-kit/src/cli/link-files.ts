import { join } from 'node:path';
import { importPrivateKey, inspectCertificate, TrustStore } from '@xmcomm/pki';
import {
  type AnyTable,
  codecDictionaries,
  type DeploymentDictionaries,
  defaultDeploymentDictionaries,
} from '@xmcomm/schema';
import { createSdcCodec } from '@xmcomm/status-sync';
import { type BrokerSettings, createSiteLink, type SiteLink } from '../site-link.js';
import { configurationError, SiteCliError, usageError } from './errors.js';
import { readTextFile } from './files.js';
import { type KeyFileNames, siteKeyFiles } from './key-files.js';

// What a site needs to talk to the central server: its own key and certificate (files of the data
// folder), the server's certificate and the national CA (its settings), and the broker. Nothing
// here is secret but the key's passphrase, which comes from the environment or a prompt.

/** How the app names itself and its site in messages: `ecr` and "centre", `xmjuris` and "court". */
export interface SiteWords {
  readonly command: string;
  readonly site: { readonly en: string; readonly fr: string };
  /** The environment variables' prefix: `ECR` reads ECR_BROKER_URL, ECR_MQTT_VERSION, ... */
  readonly envPrefix: string;
}

export interface LinkSettings {
  readonly matricule: string;
  readonly serverCertificatePem?: string;
  readonly caCertificatePem?: string;
  readonly brokerUrl?: string;
}

export interface OpenLinkOptions {
  readonly dataDir: string;
  readonly settings: LinkSettings;
  readonly passphrase: string;
  readonly words: SiteWords;
  readonly files?: KeyFileNames;
  readonly dictionaries?: DeploymentDictionaries;
  /** The tables the codec carries (default: the civil registration contract's exchanged tables). */
  readonly tables?: readonly AnyTable[];
}

/**
 * Reads the site's key (unlocked with the passphrase) and certificates and builds its container
 * codec and link.
 */
export async function openLinkFromFiles(options: OpenLinkOptions): Promise<SiteLink> {
  const { settings, words } = options;
  const files = options.files ?? siteKeyFiles;
  const { command, site } = words;
  if (!settings.serverCertificatePem || !settings.caCertificatePem) {
    throw configurationError(
      `the central server's certificate and the national CA are not set: \`${command} init --server-cert … --ca-cert …\`.`,
      `le certificat du serveur central et l'AC nationale ne sont pas renseignés : \`${command} init --server-cert … --ca-cert …\`.`,
    );
  }
  const serverInfo = inspectCertificate(settings.serverCertificatePem);
  const serverName = serverInfo.ok ? serverInfo.value.matricule : null;
  if (!serverName) {
    throw configurationError(
      "the central server's certificate names no server (no serialNumber attribute).",
      "le certificat du serveur central ne nomme aucun serveur (pas d'attribut serialNumber).",
    );
  }
  const keyPath = join(options.dataDir, files.privateKey);
  const keyPem = await readTextFile(keyPath, {
    whenMissing: (cause) => new SiteCliError('not-initialised', { path: keyPath, command }, { cause }),
  });
  const certificatePem = await readTextFile(join(options.dataDir, files.certificate), {
    whenMissing: (cause) =>
      configurationError(
        `the ${site.en} has no certificate yet: send ${files.request} to the server's operator, then \`${command} cert import\`.`,
        `le ${site.fr} n'a pas encore de certificat : envoyez ${files.request} à l'opérateur du serveur, puis \`${command} cert import\`.`,
        cause,
      ),
  });
  // Checked here, so a wrong passphrase is one clear error rather than a failure deep in the codec.
  const unlocked = importPrivateKey(keyPem, { passphrase: options.passphrase });
  if (!unlocked.ok) {
    throw new SiteCliError(
      'key-unavailable',
      {
        detail: `the ${site.en}'s key does not open with this passphrase.`,
        detailFr: `la clé du ${site.fr} ne s’ouvre pas avec cette phrase de passe.`,
      },
      { cause: unlocked.error },
    );
  }
  const trust = new TrustStore();
  const anchor = trust.addTrustAnchor(settings.caCertificatePem);
  const server = anchor.ok ? trust.registerCertificate(settings.serverCertificatePem) : anchor;
  if (!server.ok) {
    throw configurationError(
      `the server's certificate or the national CA is not usable (${server.error.code}).`,
      `le certificat du serveur ou l'AC nationale est inutilisable (${server.error.code}).`,
      server.error,
    );
  }
  // The key already unlocked above: its derivation is deliberately slow (0.2-0.3 s), once is enough.
  const identity = { privateKey: unlocked.value, certificate: certificatePem };
  const serverPem = settings.serverCertificatePem;
  const codec = createSdcCodec({
    signer: identity,
    recipient: identity,
    signers: trust,
    recipientsFor: () => [{ certificate: serverPem }],
    ...(options.tables ? { tables: options.tables } : {}),
    ...codecDictionaries(options.dictionaries ?? defaultDeploymentDictionaries),
  });
  return createSiteLink({ matricule: settings.matricule, serverName, codec });
}

/** Whether a broker carries this site's containers; a site without one uses sticks (`t2d`). */
export function hasBroker(
  settings: LinkSettings,
  env: Readonly<Record<string, string | undefined>>,
  words: SiteWords,
): boolean {
  return Boolean(env[`${words.envPrefix}_BROKER_URL`] || settings.brokerUrl);
}

/** The broker as the site's settings and the environment (`{PREFIX}_BROKER_URL`, ...) describe it. */
export async function brokerSettingsFrom(
  settings: LinkSettings,
  env: Readonly<Record<string, string | undefined>>,
  words: SiteWords,
): Promise<BrokerSettings> {
  const p = words.envPrefix;
  const url = env[`${p}_BROKER_URL`] || settings.brokerUrl;
  if (!url) {
    throw configurationError(
      `no broker: \`${words.command} init --broker mqtt://host:port\` (or ${p}_BROKER_URL); without one, \`t2d export\` carries the outbox on a USB stick.`,
      `pas de broker : \`${words.command} init --broker mqtt://hôte:port\` (ou ${p}_BROKER_URL) ; sans broker, \`t2d export\` emporte la file d’envoi sur une clé USB.`,
    );
  }
  const version = env[`${p}_MQTT_VERSION`] ?? '5';
  if (version !== '4' && version !== '5') {
    throw usageError(
      `${p}_MQTT_VERSION is 4 (MQTT 3.1.1) or 5.`,
      `${p}_MQTT_VERSION vaut 4 (MQTT 3.1.1) ou 5.`,
    );
  }
  const caFile = env[`${p}_BROKER_CA_FILE`];
  const ca = caFile ? await readTextFile(caFile) : undefined;
  const username = env[`${p}_BROKER_USERNAME`];
  const password = env[`${p}_BROKER_PASSWORD`];
  return {
    url,
    protocolVersion: version === '4' ? 4 : 5,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(ca ? { ca } : {}),
  };
}
