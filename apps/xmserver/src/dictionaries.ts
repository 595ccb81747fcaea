import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cameroonDictionary, type Dictionary, parseDictionary } from '@xmcomm/schema';
import type { ServerDb } from './database.js';
import { XmServerError } from './errors.js';

/**
 * The deployment's dictionaries (docs/decisions/2026-12-07-deployment-dictionaries.md): the one the
 * server packs rows with, and the ones it accepts from sites (during a roll-out, the old one too).
 * Kept in the database (`xm_system.settings`, key `dictionaries`), words and all, not as a path to
 * a file: every process of the server (`run` on several hosts, `client message`, `t2d ingest` on the
 * same database) packs and accepts the same ones, and nothing breaks when the file moves.
 * No row: the demo (Cameroon) deployment's list, as before the setting existed.
 */
export interface DeploymentDictionaries {
  /** What the server packs rows with. */
  readonly dictionary: Dictionary;
  /** Accepted besides `dictionary` (the Cameroon list is always read: format 2 implies it). */
  readonly accepted: readonly Dictionary[];
  /** No setting recorded: the default. */
  readonly isDefault: boolean;
}

export const dictionariesSetting = 'dictionaries';

const defaults: DeploymentDictionaries = { dictionary: cameroonDictionary, accepted: [], isDefault: true };

function asFile(dictionary: Dictionary) {
  return {
    kind: 'xmcomm-dictionary',
    name: dictionary.name,
    fingerprint: dictionary.fingerprint,
    words: dictionary.words,
  };
}

/**
 * A dictionary file (`sdc dictionary build` writes them), checked against its fingerprint; refused
 * with `config-invalid` (exit 78) naming the file when it cannot be read, is not a dictionary, or
 * its words do not match its fingerprint.
 */
export async function readDictionaryFile(path: string, cwd: string, option: string): Promise<Dictionary> {
  const absolute = resolve(cwd, path);
  const refuse = (en: string, fr: string, cause?: unknown) =>
    new XmServerError('config-invalid', `${option} ${absolute}: ${en}`, {
      ...(cause === undefined ? {} : { cause }),
      params: { detail: `${option} ${absolute}: ${en}`, detailFr: `${option} ${absolute} : ${fr}` },
    });
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
export async function loadDictionaries(db: ServerDb): Promise<DeploymentDictionaries> {
  const row = await db
    .selectFrom('xm_system.settings')
    .select('value')
    .where('key', '=', dictionariesSetting)
    .executeTakeFirst();
  if (row === undefined) return defaults;
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
    throw new XmServerError('config-invalid', 'damaged dictionaries setting', {
      cause,
      params: {
        detail: `the dictionaries recorded in xm_system.settings cannot be read (${(cause as Error).message}); run "xmserver init --dictionary FILE" again.`,
        detailFr: `les dictionnaires enregistrés dans xm_system.settings sont illisibles (${(cause as Error).message}) ; relancez « xmserver init --dictionary FICHIER ».`,
      },
    });
  }
}

/** Whether recording `next` would change what `current` says. */
export function dictionariesDiffer(
  current: DeploymentDictionaries,
  next: { dictionary: Dictionary; accepted: readonly Dictionary[] },
): boolean {
  const prints = (d: { dictionary: Dictionary; accepted: readonly Dictionary[] }) =>
    [d.dictionary, ...d.accepted].map((x) => x.fingerprint).join();
  return current.isDefault || prints(current) !== prints(next);
}

/** Records the dictionaries. */
export async function saveDictionaries(
  db: ServerDb,
  dictionaries: { dictionary: Dictionary; accepted: readonly Dictionary[] },
): Promise<void> {
  const value = JSON.stringify({
    dictionary: asFile(dictionaries.dictionary),
    accepted: dictionaries.accepted.map(asFile),
  });
  await db
    .insertInto('xm_system.settings')
    .values({ key: dictionariesSetting, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
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

/** What `init` prints and returns: names and fingerprints, not the words. */
export function describeDictionaries(settings: DeploymentDictionaries) {
  const short = (d: Dictionary) => ({ name: d.name, fingerprint: d.fingerprint });
  return { dictionary: short(settings.dictionary), accepted: settings.accepted.map(short) };
}
