import { cameroonDictionary } from './dictionaries/cameroon.js';
import { type Dictionary, type DictionaryFile, parseDictionary } from './dictionary.js';
import { SchemaError } from './errors.js';

/**
 * A deployment's dictionaries (docs/decisions/2026-12-07-deployment-dictionaries.md): the one rows
 * are packed with, and the others accepted from the other side (during a roll-out, the old one
 * too). xmserver keeps them in `xm_system.settings`, ecr in `xm_site.settings`, both under
 * `deploymentDictionariesKey`, words and all; t2d reads whichever database it works on. Only the
 * database access and the error each app shows stay in the apps: the value, its reading and what
 * the codec gets are here, so the three agree.
 */
export interface DeploymentDictionaries {
  /** What rows are packed with. */
  readonly dictionary: Dictionary;
  /** Accepted besides `dictionary` (the Cameroon list is always read: format 2 implies it). */
  readonly accepted: readonly Dictionary[];
  /** No setting recorded: the default. */
  readonly isDefault: boolean;
}

/** The settings key the dictionaries are recorded under. */
export const deploymentDictionariesKey = 'dictionaries';

/** No setting recorded: the demo (Cameroon) deployment's list, as before the setting existed. */
export const defaultDeploymentDictionaries: DeploymentDictionaries = Object.freeze({
  dictionary: cameroonDictionary,
  accepted: Object.freeze([]) as readonly Dictionary[],
  isDefault: true,
});

/** What is recorded under the key: the dictionaries as their files say them, words and all. */
export interface DeploymentDictionariesValue {
  readonly dictionary: DictionaryFile;
  readonly accepted: readonly DictionaryFile[];
}

const asFile = (dictionary: Dictionary): DictionaryFile => ({
  kind: 'xmcomm-dictionary',
  name: dictionary.name,
  fingerprint: dictionary.fingerprint,
  words: dictionary.words,
});

/**
 * The value to record: `accepted` without the packing one and without repeats (by fingerprint), so
 * reading it back gives the same list whoever wrote it.
 */
export function deploymentDictionariesValue(
  dictionary: Dictionary,
  accepted: readonly Dictionary[],
): DeploymentDictionariesValue {
  const held = new Map<string, Dictionary>();
  for (const d of accepted) {
    if (d.fingerprint !== dictionary.fingerprint && !held.has(d.fingerprint)) held.set(d.fingerprint, d);
  }
  return { dictionary: asFile(dictionary), accepted: [...held.values()].map(asFile) };
}

const damaged = (detail: string, cause?: unknown) =>
  new SchemaError(
    'invalid-definition',
    `the dictionaries setting ${detail}`,
    cause === undefined ? undefined : { cause },
  );

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The recorded value read back (as the database gives it: a JSON text or the parsed object), or the
 * default when nothing is recorded (`undefined`). Throws SchemaError `invalid-definition` saying
 * what is wrong when the value is damaged: a damaged row is refused rather than guessed at.
 */
export function parseDeploymentDictionaries(value: unknown): DeploymentDictionaries {
  if (value === undefined) return defaultDeploymentDictionaries;
  let recorded: unknown = value;
  if (typeof value === 'string') {
    try {
      recorded = JSON.parse(value);
    } catch (cause) {
      throw damaged('is not JSON', cause);
    }
  }
  if (!isRecord(recorded)) throw damaged('is not a JSON object');
  if (!Array.isArray(recorded.accepted)) throw damaged('has no "accepted" list');
  const read = (file: unknown, which: string): Dictionary => {
    try {
      return parseDictionary(file);
    } catch (cause) {
      throw damaged(`holds a bad ${which}: ${(cause as Error).message}`, cause);
    }
  };
  return {
    dictionary: read(recorded.dictionary, '"dictionary"'),
    accepted: recorded.accepted.map((file, index) => read(file, `"accepted" dictionary (${index + 1})`)),
    isDefault: false,
  };
}

/** The codec's options: pack with one; open containers of any accepted one and of format 2's list. */
export function codecDictionaries(settings: Pick<DeploymentDictionaries, 'dictionary' | 'accepted'>): {
  dictionary: Dictionary;
  dictionaries: Dictionary[];
} {
  const held = new Map<string, Dictionary>();
  for (const dictionary of [settings.dictionary, ...settings.accepted, cameroonDictionary]) {
    if (!held.has(dictionary.fingerprint)) held.set(dictionary.fingerprint, dictionary);
  }
  return { dictionary: settings.dictionary, dictionaries: [...held.values()] };
}

/** Names and fingerprints, not the words: what commands print and logs say. */
export function describeDictionaries(settings: Pick<DeploymentDictionaries, 'dictionary' | 'accepted'>): {
  dictionary: { name: string; fingerprint: string };
  accepted: { name: string; fingerprint: string }[];
} {
  const short = (d: Dictionary) => ({ name: d.name, fingerprint: d.fingerprint });
  return { dictionary: short(settings.dictionary), accepted: settings.accepted.map(short) };
}

/** Why a dictionary file's text was refused, in English and French (a fragment after the file's name). */
export interface DictionaryTextRefusal {
  readonly en: string;
  readonly fr: string;
}

/**
 * A dictionary file's text (what `sdc dictionary build` writes), checked against its fingerprint.
 * Reading the file is the caller's: each app names it and reports a file it cannot read its own way.
 */
export function parseDictionaryText(
  text: string,
): { ok: true; dictionary: Dictionary } | { ok: false; reason: DictionaryTextRefusal } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {
      ok: false,
      reason: {
        en: 'not a dictionary file (not JSON)',
        fr: "ce n'est pas un fichier de dictionnaire (pas du JSON)",
      },
    };
  }
  try {
    return { ok: true, dictionary: parseDictionary(parsed) };
  } catch (cause) {
    const reason = (cause as Error).message;
    return {
      ok: false,
      reason: fingerprintOnly(parsed)
        ? {
            en: `its words do not match its fingerprint (${reason})`,
            fr: `ses mots ne correspondent pas à son empreinte (${reason})`,
          }
        : {
            en: `not a dictionary file (${reason})`,
            fr: `ce n'est pas un fichier de dictionnaire (${reason})`,
          },
    };
  }
}

/** Whether the file would be a dictionary but for its fingerprint (words edited by hand). */
function fingerprintOnly(parsed: unknown): boolean {
  if (!isRecord(parsed) || parsed.fingerprint === undefined) return false;
  const { fingerprint: _, ...rest } = parsed;
  try {
    parseDictionary(rest);
    return true;
  } catch {
    return false;
  }
}
