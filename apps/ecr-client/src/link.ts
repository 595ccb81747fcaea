import { join } from 'node:path';
import { importPrivateKey, inspectCertificate, TrustStore } from '@xmcomm/pki';
import {
  codecDictionaries,
  type DeploymentDictionaries,
  defaultDeploymentDictionaries,
} from '@xmcomm/schema';
import {
  createSiteLink,
  type BrokerSettings as SiteBrokerSettings,
  type SiteLink,
} from '@xmcomm/site-kit/sync';
import { createSdcCodec } from '@xmcomm/status-sync';
import type { CentreSettings } from './centre.js';
import { EcrError } from './errors.js';
import { readTextFile } from './files.js';
import { centreFiles } from './keys.js';

// What the centre needs to talk to the central server: its own key and certificate (files of the
// workstation that ran `ecr init`), the server's certificate and the national CA (in the centre's
// settings), and the broker. Nothing here is secret but the key's passphrase, which comes from the
// environment or a prompt.

/** The broker as the site kit carries it; the centre's login is its matricule unless ECR_BROKER_USERNAME says otherwise. */
export type BrokerSettings = SiteBrokerSettings;

/** The kit's `SiteLink`: the centre's codec, its matricule, the server's, and the containers opened last. */
export type CentreLink = SiteLink;

function configurationError(detail: string, detailFr: string, cause?: unknown): EcrError {
  return new EcrError('configuration', { detail, detailFr }, cause === undefined ? {} : { cause });
}

/**
 * Reads the centre's key (unlocked with `passphrase`) and certificates, and builds the container
 * codec with the centre's dictionaries (`ecr dictionary`; default: the Cameroon list).
 */
export async function openCentreLink(
  dataDir: string,
  centre: CentreSettings,
  passphrase: string,
  dictionaries: DeploymentDictionaries = defaultDeploymentDictionaries,
): Promise<CentreLink> {
  if (!centre.serverCertificatePem || !centre.caCertificatePem) {
    throw configurationError(
      "the central server's certificate and the national CA are not set: `ecr init --server-cert … --ca-cert …`.",
      "le certificat du serveur central et l'AC nationale ne sont pas renseignés : `ecr init --server-cert … --ca-cert …`.",
    );
  }
  const serverInfo = inspectCertificate(centre.serverCertificatePem);
  const serverName = serverInfo.ok ? serverInfo.value.matricule : null;
  if (!serverName) {
    throw configurationError(
      "the central server's certificate names no server (no serialNumber attribute).",
      "le certificat du serveur central ne nomme aucun serveur (pas d'attribut serialNumber).",
    );
  }
  const keyPath = join(dataDir, centreFiles.privateKey);
  const keyPem = await readTextFile(keyPath, {
    whenMissing: (cause) => new EcrError('not-initialised', { path: keyPath }, { cause }),
  });
  const certificatePem = await readTextFile(join(dataDir, centreFiles.certificate), {
    whenMissing: (cause) =>
      configurationError(
        "the centre has no certificate yet: send centre.csr.pem to the server's operator, then `ecr cert import`.",
        "le centre n'a pas encore de certificat : envoyez centre.csr.pem à l'opérateur du serveur, puis `ecr cert import`.",
        cause,
      ),
  });
  // Checked here, so a wrong passphrase is one clear error rather than a failure deep in the codec.
  const unlocked = importPrivateKey(keyPem, { passphrase });
  if (!unlocked.ok) {
    throw new EcrError(
      'key-unavailable',
      {
        detail: "the centre's key does not open with this passphrase.",
        detailFr: 'la clé du centre ne s’ouvre pas avec cette phrase de passe.',
      },
      { cause: unlocked.error },
    );
  }
  const trust = new TrustStore();
  const anchor = trust.addTrustAnchor(centre.caCertificatePem);
  const server = anchor.ok ? trust.registerCertificate(centre.serverCertificatePem) : anchor;
  if (!server.ok) {
    throw configurationError(
      `the server's certificate or the national CA is not usable (${server.error.code}).`,
      `le certificat du serveur ou l'AC nationale est inutilisable (${server.error.code}).`,
      server.error,
    );
  }
  // The key already unlocked above: its derivation is deliberately slow (0.2-0.3 s), once is enough.
  const identity = { privateKey: unlocked.value, certificate: certificatePem };
  const codec = createSdcCodec({
    signer: identity,
    recipient: identity,
    signers: trust,
    recipientsFor: () => [{ certificate: centre.serverCertificatePem as string }],
    ...codecDictionaries(dictionaries),
  });
  return createSiteLink({ matricule: centre.matricule, serverName, codec });
}

/** Whether a broker carries this centre's containers; a centre without one uses sticks (`t2d`). */
export function hasBroker(
  centre: CentreSettings,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return Boolean(env.ECR_BROKER_URL || centre.brokerUrl);
}

/** The broker as the centre's settings and the environment describe it. */
export async function brokerSettings(
  centre: CentreSettings,
  env: Readonly<Record<string, string | undefined>>,
): Promise<BrokerSettings> {
  const url = env.ECR_BROKER_URL || centre.brokerUrl;
  if (!url) {
    throw configurationError(
      'no broker: `ecr init --broker mqtt://host:port` (or ECR_BROKER_URL); without one, `t2d export` carries the outbox on a USB stick.',
      'pas de broker : `ecr init --broker mqtt://hôte:port` (ou ECR_BROKER_URL) ; sans broker, `t2d export` emporte la file d’envoi sur une clé USB.',
    );
  }
  const version = env.ECR_MQTT_VERSION ?? '5';
  if (version !== '4' && version !== '5') {
    throw new EcrError('usage', {
      detail: 'ECR_MQTT_VERSION is 4 (MQTT 3.1.1) or 5.',
      detailFr: 'ECR_MQTT_VERSION vaut 4 (MQTT 3.1.1) ou 5.',
    });
  }
  const ca = env.ECR_BROKER_CA_FILE ? await readTextFile(env.ECR_BROKER_CA_FILE) : undefined;
  return {
    url,
    protocolVersion: version === '4' ? 4 : 5,
    ...(env.ECR_BROKER_USERNAME ? { username: env.ECR_BROKER_USERNAME } : {}),
    ...(env.ECR_BROKER_PASSWORD ? { password: env.ECR_BROKER_PASSWORD } : {}),
    ...(ca ? { ca } : {}),
  };
}
