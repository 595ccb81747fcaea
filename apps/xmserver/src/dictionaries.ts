import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type DeploymentDictionaries,
  type Dictionary,
  deploymentDictionariesKey,
  deploymentDictionariesValue,
  parseDeploymentDictionaries,
  parseDictionaryText,
} from '@xmcomm/schema';
import type { ServerDb } from './database.js';
import { XmServerError } from './errors.js';

// The deployment's dictionaries (docs/decisions/2026-12-07-deployment-dictionaries.md), kept in
// `xm_system.settings` words and all, not as a path to a file: every process of the server (`run`
// on several hosts, `client message`, `t2d ingest` on the same database) packs and accepts the same
// ones, and nothing breaks when the file moves. The value, its reading and the codec's options are
// @xmcomm/contract's (shared with ecr and t2d); here: the table, the file and xmserver's errors.

/**
 * A dictionary file (`sdc dictionary build` writes them), checked against its fingerprint; refused
 * with `config-invalid` (exit 78) naming the file when it cannot be read, is not a dictionary, or
 * its words do not match its fingerprint.
 */
export async function readDictionaryFile(path: string, cwd: string, option: string): Promise<Dictionary> {
  const absolute = resolve(cwd, path);
  const refuse = (reason: { en: string; fr: string }, cause?: unknown) =>
    new XmServerError('config-invalid', `${option} ${absolute}: ${reason.en}.`, {
      ...(cause === undefined ? {} : { cause }),
      params: {
        detail: `${option} ${absolute}: ${reason.en}.`,
        detailFr: `${option} ${absolute} : ${reason.fr}.`,
      },
    });
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (cause) {
    throw refuse({ en: 'the file cannot be read', fr: 'le fichier est illisible' }, cause);
  }
  const parsed = parseDictionaryText(text);
  if (!parsed.ok) throw refuse(parsed.reason);
  return parsed.dictionary;
}

/** The recorded dictionaries, or the default; a damaged row is refused rather than guessed at. */
export async function loadDictionaries(db: ServerDb): Promise<DeploymentDictionaries> {
  const row = await db
    .selectFrom('xm_system.settings')
    .select('value')
    .where('key', '=', deploymentDictionariesKey)
    .executeTakeFirst();
  try {
    return parseDeploymentDictionaries(row?.value);
  } catch (cause) {
    const reason = (cause as Error).message;
    throw new XmServerError('config-invalid', 'damaged dictionaries setting', {
      cause,
      params: {
        detail: `the dictionaries recorded in xm_system.settings cannot be read (${reason}); run "xmserver init --dictionary FILE" again.`,
        detailFr: `les dictionnaires enregistrés dans xm_system.settings sont illisibles (${reason}) ; relancez « xmserver init --dictionary FICHIER ».`,
      },
    });
  }
}

/** Whether recording `next` would change what `current` says. */
export function dictionariesDiffer(
  current: DeploymentDictionaries,
  next: { dictionary: Dictionary; accepted: readonly Dictionary[] },
): boolean {
  const prints = (d: { dictionary: Dictionary; accepted: readonly Dictionary[] }) => {
    const value = deploymentDictionariesValue(d.dictionary, d.accepted);
    return [value.dictionary, ...value.accepted].map((x) => x.fingerprint).join();
  };
  return current.isDefault || prints(current) !== prints(next);
}

/** Records the dictionaries. */
export async function saveDictionaries(
  db: ServerDb,
  dictionaries: { dictionary: Dictionary; accepted: readonly Dictionary[] },
): Promise<void> {
  const value = JSON.stringify(deploymentDictionariesValue(dictionaries.dictionary, dictionaries.accepted));
  await db
    .insertInto('xm_system.settings')
    .values({ key: deploymentDictionariesKey, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
