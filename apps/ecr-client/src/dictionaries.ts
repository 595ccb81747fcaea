import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cameroonDictionary, type Dictionary, parseDictionary, type SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { EcrError } from './errors.js';

/**
 * The deployment's dictionaries for this centre (docs/decisions/2026-12-07-deployment-dictionaries.md):
 * the one the centre packs rows with and the others it accepts from the server. Kept in the centre's
 * database (`xm_site.settings`, key `dictionaries`), words and all, like the centre's other settings:
 * every workstation, and `t2d` working on the same database, packs and reads with the same ones.
 * No row: the demo (Cameroon) deployment's list, as before the setting existed.
 */
export interface DeploymentDictionaries {
  readonly dictionary: Dictionary;
  readonly accepted: readonly Dictionary[];
  readonly isDefault: boolean;
}

export const dictionariesKey = 'dictionaries';

export const defaultDictionaries: DeploymentDictionaries = {
  dictionary: cameroonDictionary,
  accepted: [],
  isDefault: true,
};

/**
 * A dictionary file (`sdc dictionary build` writes them), checked against its fingerprint; refused
 * with `configuration` (exit 3) naming the file when it cannot be read, is not a dictionary, or its
 * words do not match its fingerprint.
 */
export async function readDictionaryFile(path: string, option: string): Promise<Dictionary> {
  const absolute = resolve(path);
  const refuse = (en: string, fr: string, cause?: unknown) =>
    new EcrError(
      'configuration',
      { detail: `${option} ${absolute}: ${en}`, detailFr: `${option} ${absolute} : ${fr}` },
      cause === undefined ? {} : { cause },
    );
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (cause) {
    throw refuse('the file cannot be read.', 'le fichier est illisible.', cause);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw refuse(
      'not a dictionary file (not JSON).',
      "ce n'est pas un fichier de dictionnaire (pas du JSON).",
      cause,
    );
  }
  try {
    return parseDictionary(parsed);
  } catch (cause) {
    const reason = (cause as Error).message;
    throw /fingerprint/.test(reason)
      ? refuse(
          `its words do not match its fingerprint (${reason}).`,
          `ses mots ne correspondent pas à son empreinte (${reason}).`,
          cause,
        )
      : refuse(
          `not a dictionary file (${reason}).`,
          `ce n'est pas un fichier de dictionnaire (${reason}).`,
          cause,
        );
  }
}

/** The recorded dictionaries, or the default; a damaged row is refused rather than guessed at. */
export async function loadDictionaries(db: Kysely<SiteDatabase>): Promise<DeploymentDictionaries> {
  const row = await db
    .selectFrom('xm_site.settings')
    .select('value')
    .where('key', '=', dictionariesKey)
    .executeTakeFirst();
  if (row === undefined) return defaultDictionaries;
  try {
    const value = (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) as {
      dictionary: unknown;
      accepted: unknown[];
    };
    return {
      dictionary: parseDictionary(value.dictionary),
      accepted: value.accepted.map((file) => parseDictionary(file)),
      isDefault: false,
    };
  } catch (cause) {
    throw new EcrError(
      'configuration',
      {
        detail: `the dictionaries recorded in xm_site.settings cannot be read (${(cause as Error).message}); set them again with \`ecr dictionary --dictionary FILE\`.`,
        detailFr: `les dictionnaires enregistrés dans xm_site.settings sont illisibles (${(cause as Error).message}) ; enregistrez-les à nouveau avec \`ecr dictionary --dictionary FICHIER\`.`,
      },
      { cause },
    );
  }
}

/** The value recorded under `dictionaries` (the words themselves, as in a dictionary file). */
export function dictionariesSetting(dictionary: Dictionary, accepted: readonly Dictionary[]): unknown {
  const file = (d: Dictionary) => ({
    kind: 'xmcomm-dictionary',
    name: d.name,
    fingerprint: d.fingerprint,
    words: d.words,
  });
  return {
    dictionary: file(dictionary),
    accepted: accepted.filter((d) => d.fingerprint !== dictionary.fingerprint).map(file),
  };
}

/** The codec's options: pack with one, open containers of any accepted one (and format 2's list). */
export function codecDictionaries(settings: DeploymentDictionaries): {
  dictionary: Dictionary;
  dictionaries: Dictionary[];
} {
  const held = new Map<string, Dictionary>();
  for (const dictionary of [settings.dictionary, ...settings.accepted, cameroonDictionary]) {
    held.set(dictionary.fingerprint, dictionary);
  }
  return { dictionary: settings.dictionary, dictionaries: [...held.values()] };
}

/** Names and fingerprints, for `ecr dictionary` and `ecr init`. */
export function describeDictionaries(settings: DeploymentDictionaries) {
  const short = (d: Dictionary) => ({ name: d.name, fingerprint: d.fingerprint });
  return { dictionary: short(settings.dictionary), accepted: settings.accepted.map(short) };
}
