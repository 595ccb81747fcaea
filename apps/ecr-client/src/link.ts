import { type DeploymentDictionaries, defaultDeploymentDictionaries } from '@xmcomm/schema';
import {
  brokerSettingsFrom,
  hasBroker as kitHasBroker,
  openLinkFromFiles,
  type SiteWords,
} from '@xmcomm/site-kit/cli';
import type { BrokerSettings as SiteBrokerSettings, SiteLink } from '@xmcomm/site-kit/sync';
import type { CentreSettings } from './centre.js';
import { asEcr } from './errors.js';

// What the centre needs to talk to the central server, as the site CLI kit reads it
// (`openLinkFromFiles`): its key and certificate (files of the workstation that ran `ecr init`),
// the server's certificate and the national CA (the centre's settings), and the broker.

/** How ECR names itself, its site and its environment variables in the kit's messages. */
export const ecrWords: SiteWords = { command: 'ecr', site: { en: 'centre', fr: 'centre' }, envPrefix: 'ECR' };

/** The broker as the site kit carries it; the centre's login is its matricule unless ECR_BROKER_USERNAME says otherwise. */
export type BrokerSettings = SiteBrokerSettings;

/** The kit's `SiteLink`: the centre's codec, its matricule, the server's, and the containers opened last. */
export type CentreLink = SiteLink;

/**
 * Reads the centre's key (unlocked with `passphrase`) and certificates, and builds the container
 * codec with the centre's dictionaries (`ecr dictionary`; default: the Cameroon list).
 */
export function openCentreLink(
  dataDir: string,
  centre: CentreSettings,
  passphrase: string,
  dictionaries: DeploymentDictionaries = defaultDeploymentDictionaries,
): Promise<CentreLink> {
  return asEcr(openLinkFromFiles({ dataDir, settings: centre, passphrase, words: ecrWords, dictionaries }));
}

/** Whether a broker carries this centre's containers; a centre without one uses sticks (`t2d`). */
export function hasBroker(
  centre: CentreSettings,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return kitHasBroker(centre, env, ecrWords);
}

/** The broker as the centre's settings and the environment describe it. */
export function brokerSettings(
  centre: CentreSettings,
  env: Readonly<Record<string, string | undefined>>,
): Promise<BrokerSettings> {
  return asEcr(brokerSettingsFrom(centre, env, ecrWords));
}
