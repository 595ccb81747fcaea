import { createHash } from 'node:crypto';
import { SchemaError } from './errors.js';

/**
 * A deployment's dictionary: words its rows are made of (places, given names, occupations…), so
 * that a text value equal to a word travels in a container as the word's index instead of its
 * letters (docs/sdc-format.md §4.6). A deployment declares one for all its tables; containers name
 * the one they were packed with by its fingerprint, and a receiver needs that dictionary to read
 * them. A new version of a dictionary is a new dictionary (another fingerprint): receivers keep the
 * old one as long as containers packed with it may still arrive.
 */
export interface Dictionary {
  /** A label for people and files ("cm-civil-registration"); not part of the fingerprint. */
  readonly name: string;
  /** The words, in index order: an index never changes meaning within one dictionary. */
  readonly words: readonly string[];
  /** Hex SHA-256 of the words joined by line feeds, in UTF-8. Containers carry its first 8 bytes. */
  readonly fingerprint: string;
}

/** Most words a dictionary may hold: an index then takes at most 3 bytes of CBOR. */
export const maxDictionaryWords = 65_536;
/** Longest word, in UTF-16 units. */
export const maxDictionaryWordLength = 1_000;

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** SHA-256 of the words joined by line feeds, in UTF-8 (a word never holds a line feed). */
export function dictionaryFingerprint(words: readonly string[]): string {
  return createHash('sha256').update(words.join('\n'), 'utf8').digest('hex');
}

/**
 * Checks and freezes a dictionary. Throws SchemaError `invalid-definition` for a name that is not
 * a short file-safe label, an empty list, more than 65,536 words, a word that is empty, too long,
 * holds a line feed or U+0001 (which the format's text streams reserve), or appears twice.
 */
const loneSurrogate = /\p{Cs}/u;

export function defineDictionary(name: string, words: readonly string[]): Dictionary {
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw new SchemaError(
      'invalid-definition',
      `dictionary name "${String(name)}" must be 1-100 letters, digits, dots, dashes or underscores`,
    );
  }
  if (!Array.isArray(words) || words.length === 0)
    throw new SchemaError('invalid-definition', `dictionary ${name} has no words`);
  if (words.length > maxDictionaryWords) {
    throw new SchemaError(
      'invalid-definition',
      `dictionary ${name} has ${words.length} words, at most ${maxDictionaryWords}`,
    );
  }
  const seen = new Set<string>();
  for (const [index, word] of words.entries()) {
    if (typeof word !== 'string' || word.length === 0 || word.length > maxDictionaryWordLength) {
      throw new SchemaError(
        'invalid-definition',
        `dictionary ${name}, word ${index}: must be a text of 1 to ${maxDictionaryWordLength} characters`,
      );
    }
    if (word.includes('\n') || word.includes('\u0001')) {
      throw new SchemaError(
        'invalid-definition',
        `dictionary ${name}, word ${index}: holds a line feed or U+0001`,
      );
    }
    // U+0000 and a lone surrogate cannot be stored (PostgreSQL text), and UTF-8 turns a lone
    // surrogate into U+FFFD, so two lists would share a fingerprint.
    if (word.includes('\u0000') || loneSurrogate.test(word)) {
      throw new SchemaError(
        'invalid-definition',
        `dictionary ${name}, word ${index}: holds U+0000 or a lone surrogate (not Unicode text)`,
      );
    }
    if (seen.has(word))
      throw new SchemaError('invalid-definition', `dictionary ${name}: "${word}" appears twice`);
    seen.add(word);
  }
  const frozen = Object.freeze([...words]);
  return Object.freeze({ name, words: frozen, fingerprint: dictionaryFingerprint(frozen) });
}

/** What a dictionary file (JSON) says besides its words: how it was built, for the people who review it. */
export interface DictionaryFile {
  readonly kind: 'xmcomm-dictionary';
  readonly name: string;
  readonly fingerprint: string;
  readonly built?: Readonly<Record<string, unknown>>;
  readonly words: readonly string[];
}

const fileKeys = new Set(['kind', 'name', 'fingerprint', 'built', 'words']);

/**
 * A dictionary from its file (the JSON `dictionaryToJson` writes, already parsed). Throws SchemaError
 * `invalid-definition` when it is not one, or when its fingerprint does not match its words (a file
 * edited by hand: containers packed with it would name a dictionary no receiver has).
 */
export function parseDictionary(file: unknown): Dictionary {
  if (typeof file !== 'object' || file === null || Array.isArray(file))
    throw new SchemaError('invalid-definition', 'a dictionary file is a JSON object');
  const record = file as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!fileKeys.has(key))
      throw new SchemaError('invalid-definition', `a dictionary file has no field "${key}"`);
  }
  if (record.kind !== 'xmcomm-dictionary')
    throw new SchemaError('invalid-definition', 'not a dictionary file (kind is not "xmcomm-dictionary")');
  const dictionary = defineDictionary(record.name as string, record.words as string[]);
  if (record.fingerprint !== undefined && record.fingerprint !== dictionary.fingerprint) {
    throw new SchemaError(
      'invalid-definition',
      `dictionary ${dictionary.name}: its words have the fingerprint ${dictionary.fingerprint}, the file says ${String(record.fingerprint)}`,
    );
  }
  return dictionary;
}

/**
 * The dictionary as a file a deployment commits: fixed key order, one word per line, so the same
 * dictionary always gives the same bytes and a change reads well in a diff.
 */
export function dictionaryToJson(dictionary: Dictionary, built?: object): string {
  const lines = [
    '{',
    `  "kind": "xmcomm-dictionary",`,
    `  "name": ${JSON.stringify(dictionary.name)},`,
    `  "fingerprint": ${JSON.stringify(dictionary.fingerprint)},`,
  ];
  if (built !== undefined) lines.push(`  "built": ${JSON.stringify(built)},`);
  lines.push('  "words": [');
  dictionary.words.forEach((word, index) => {
    lines.push(`    ${JSON.stringify(word)}${index < dictionary.words.length - 1 ? ',' : ''}`);
  });
  lines.push('  ]', '}', '');
  return lines.join('\n');
}
