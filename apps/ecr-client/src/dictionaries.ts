import { resolve } from 'node:path';
import {
  type DeploymentDictionaries,
  type Dictionary,
  deploymentDictionariesKey,
  deploymentDictionariesValue,
  parseDeploymentDictionaries,
  parseDictionaryText,
  type SiteDatabase,
} from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { readSetting, writeSetting } from './centre.js';
import { EcrError } from './errors.js';
import { readTextFile } from './files.js';

// The deployment's dictionaries for this centre (docs/decisions/2026-12-07-deployment-dictionaries.md),
// kept in the centre's database (`xm_site.settings`) words and all, like the centre's other settings:
// every workstation, and `t2d` working on the same database, packs and reads with the same ones. The
// value, its reading and the codec's options are @xmcomm/contract's (shared with xmserver and t2d);
// here: the centre's settings, the file and ecr's errors.

/**
 * A dictionary file (`sdc dictionary build` writes them), checked against its fingerprint. A file
 * that cannot be read is ecr's `file` error (exit 2), as for any file; one that is not a dictionary,
 * or whose words do not match its fingerprint, is refused with `configuration` (exit 3) naming it.
 */
export async function readDictionaryFile(path: string, option: string): Promise<Dictionary> {
  const absolute = resolve(path);
  const parsed = parseDictionaryText(await readTextFile(absolute));
  if (parsed.ok) return parsed.dictionary;
  throw new EcrError('configuration', {
    detail: `${option} ${absolute}: ${parsed.reason.en}.`,
    detailFr: `${option} ${absolute} : ${parsed.reason.fr}.`,
  });
}

/** The recorded dictionaries, or the default; a damaged row is refused rather than guessed at. */
export async function loadDictionaries(db: Kysely<SiteDatabase>): Promise<DeploymentDictionaries> {
  const value = await readSetting(db, deploymentDictionariesKey);
  try {
    return parseDeploymentDictionaries(value);
  } catch (cause) {
    const reason = (cause as Error).message;
    throw new EcrError(
      'configuration',
      {
        detail: `the dictionaries recorded in xm_site.settings cannot be read (${reason}); set them again with \`ecr dictionary --dictionary FILE\`.`,
        detailFr: `les dictionnaires enregistrés dans xm_site.settings sont illisibles (${reason}) ; enregistrez-les à nouveau avec \`ecr dictionary --dictionary FICHIER\`.`,
      },
      { cause },
    );
  }
}

/** Records the dictionaries the centre packs with and accepts. */
export async function saveDictionaries(
  db: Kysely<SiteDatabase>,
  dictionary: Dictionary,
  accepted: readonly Dictionary[],
): Promise<void> {
  await writeSetting(db, deploymentDictionariesKey, deploymentDictionariesValue(dictionary, accepted));
}
