import { cameroonDictionary, defineDictionary } from '@xmcomm/contract';
import { SdcError } from './errors.js';

// The vocabulary of a payload (docs/sdc-format.md §4.6): the words whose index travels instead of
// their letters. Version 3 names the deployment's dictionary in its header (or none); version 2
// always means the Cameroon list.

/**
 * A deployment's dictionary as the codec takes it: `Dictionary` of `@xmcomm/contract` fits
 * (`cameroonDictionary`, `defineDictionary`, `parseDictionary`). The codec computes the fingerprint
 * from the words itself, so a dictionary cannot claim another's.
 */
export interface SdcDictionary {
  readonly name?: string;
  readonly words: readonly string[];
}

/** A dictionary ready for the codec: its words, their indices, and its fingerprint (hex). */
export interface Vocabulary {
  readonly words: readonly string[];
  /** The full SHA-256 (hex); null for the empty vocabulary of "no dictionary". */
  readonly fingerprint: string | null;
  indexOf(value: string): number | undefined;
}

function vocabularyFrom(words: readonly string[], fingerprint: string | null): Vocabulary {
  const index = new Map<string, number>(words.map((word, i) => [word, i]));
  return { words, fingerprint, indexOf: (value) => index.get(value) };
}

/** No dictionary: every value travels as text. */
export const NO_VOCABULARY: Vocabulary = vocabularyFrom([], null);

/** The Cameroon list: the vocabulary of format 2, and the default dictionary. */
export const CAMEROON_VOCABULARY: Vocabulary = vocabularyFrom(
  cameroonDictionary.words,
  cameroonDictionary.fingerprint,
);

const prepared = new WeakMap<SdcDictionary, Vocabulary>();
prepared.set(cameroonDictionary, CAMEROON_VOCABULARY);

/**
 * The vocabulary of a dictionary, checked and indexed once per dictionary object. `undefined` is the
 * default (the Cameroon list), `null` no dictionary. Throws SdcError `invalid-input` for a list that
 * is not a dictionary (a word twice, empty, with a line feed…).
 */
export function vocabularyOf(dictionary: SdcDictionary | null | undefined): Vocabulary {
  if (dictionary === undefined) return CAMEROON_VOCABULARY;
  if (dictionary === null) return NO_VOCABULARY;
  let vocabulary = prepared.get(dictionary);
  if (!vocabulary) {
    let checked: ReturnType<typeof defineDictionary>;
    try {
      checked = defineDictionary('dictionary', dictionary.words);
    } catch (error) {
      throw new SdcError('invalid-input', (error as Error).message, { cause: error });
    }
    vocabulary =
      checked.fingerprint === CAMEROON_VOCABULARY.fingerprint
        ? CAMEROON_VOCABULARY
        : vocabularyFrom(checked.words, checked.fingerprint);
    prepared.set(dictionary, vocabulary);
  }
  return vocabulary;
}

/** The dictionaries a decoder holds, by the 16 hex digits of fingerprint a header carries. */
export type VocabularyShelf = ReadonlyMap<string, Vocabulary>;

const shelves = new WeakMap<readonly SdcDictionary[], VocabularyShelf>();
const defaultShelf: VocabularyShelf = new Map([
  [(CAMEROON_VOCABULARY.fingerprint as string).slice(0, 16), CAMEROON_VOCABULARY],
]);

/** The decoder's dictionaries (default: the Cameroon list), indexed once per array. */
export function shelfOf(dictionaries: readonly SdcDictionary[] | undefined): VocabularyShelf {
  if (dictionaries === undefined) return defaultShelf;
  let shelf = shelves.get(dictionaries);
  if (!shelf) {
    const map = new Map<string, Vocabulary>();
    for (const dictionary of dictionaries) {
      const vocabulary = vocabularyOf(dictionary);
      const key = (vocabulary.fingerprint as string).slice(0, 16);
      const held = map.get(key);
      // Containers name a dictionary by 8 bytes: two held lists sharing them would be read one for the other.
      if (held && held.fingerprint !== vocabulary.fingerprint) {
        throw new SdcError(
          'invalid-input',
          `dictionaries ${held.fingerprint} and ${vocabulary.fingerprint} share their first 8 bytes; hold one of them`,
        );
      }
      map.set(key, vocabulary);
    }
    shelf = map;
    shelves.set(dictionaries, shelf);
  }
  return shelf;
}
